// Package reference is the reference vendor system (viitejärjestelmä): a
// small but correct social-welfare client data system (asiakastietojärjestelmä)
// that speaks the driver protocol (package sut) and archives what its users
// do in Kanta's client data archive, the way a certified system would.
//
// A System keeps its own state: registered clients with their identity
// code or temporary identifier, each client's client relation document
// (asiakkuusasiakirja), the cases (asia) with their clients and whether
// they are open, and the documents with their versions and whether they
// are annulled. It builds real-format messages with package compose,
// signs them with a system key and a professional's key, sends them to the
// archive endpoint the harness gives over SOAP (simulator/wire), reads the
// acknowledgement and advances its state only when the archive accepted
// the message (AA).
//
// Besides the message an action asks for, the system stores what the
// handbook makes follow from it: opening a case in a service task the
// client relation document does not list yet first stores a new version of
// that document with the task added (the tasks are cumulative); once an
// identity code has replaced a temporary identifier, storing a document in
// an open case, or a new version of one, first stores a new version of the
// case document under the identity code; and a new version of a client
// document with a reason is a correction, naming the corrector as author,
// the corrector's job title in the description and the grounds in
// reasonOfCorrection (a reason that is a code of that classification is
// used as it is; free text is the corrected text, a writing error).
//
// Fault injection: Options.Faults names faults from the embedded list
// faults.yaml (see Faults). Each fault makes the system break exactly one
// requirement of the catalogue (catalogue/requirements), so that the
// conformance suite's power to find defects can be measured. A fault acts
// only during the action the list names.
//
// Typical use:
//
//	keys, err := reference.NewKeys(time.Now())
//	...
//	sys, err := reference.New(reference.Options{Keys: keys})
//	...
//	req, _ := sut.NewRequest("1", sut.ActionRegisterClient, archiveURL, sut.RegisterClientParams{...})
//	answer, err := sys.Do(ctx, req)
package reference
