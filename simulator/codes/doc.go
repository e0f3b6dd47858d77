// Package codes holds the code lists (koodistot, sv. kodsystem) that the mock
// Kanta archive validates coded elements against, and the bindings that say
// which code system each element must use.
//
// # What is bundled
//
// The data lives in data/ as YAML and is embedded: one file per code system
// under data/systems/ (OID, Finnish name, optional Swedish name, whether the
// list is complete, the source of its values, the values with optional
// validity dates) and data/bindings.yaml (element name → code-system OID).
// Edit the files, not Go code, to change a value.
//
// # What is official and what is ours
//
//   - Values observed in the four public sample messages (frames and CDA
//     documents, including the codes inside their base64 JSON bodies) are
//     Kanta's or THL's official values as real vendors send them.
//   - Values the Swedish handbook lists with their codes (usage situations
//     1-4, restriction reasons 1-6, guardian disclosure 1-4, service tasks,
//     case name 99) are official; each names its handbook lines. Where only
//     the Swedish wording is public, a value has DisplaySv and no Display.
//   - Complete reports whether a file holds the whole classification (true
//     only where the handbook prints the whole table) or only the values the
//     public material gives us (false). A validator must treat a code that is
//     missing from an incomplete system as unknown (an information note), never
//     as wrong.
//   - Values with Own set (codes starting "SIM-") are the simulator's
//     own: Kanta uses codes for these things that are not public (service
//     requests for a case document, a new version and an annulment; the
//     document groups of case documents and journal entries; the PDF/A
//     display format; the annulment record status). A real archive will not
//     accept them. Names marked "ours" in a file's note are our wording where
//     the official name is not public.
//
// Nothing here presents a guess as an official value: a code that public
// material does not give is either left out or bundled with Own set and a
// note.
//
// # OIDs
//
// Code systems are looked up by OID as it appears on the wire: with or
// without a "urn:oid:" prefix (JSON bodies use it), and with or without the
// trailing version arc (1.2.246.537.6.1503 finds 1.2.246.537.6.1503.201601).
package codes
