package reference

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// maxAnswer bounds the archive's answer the system reads.
const maxAnswer = 8 << 20

// The operations of an outgoing message.
const (
	opStore      = "store"
	opNewVersion = "new-version"
	opAnnul      = "annul"
)

// outgoing is one archiving message the system is about to send: the
// document version it carries and the frame's options. Fault hooks edit it.
type outgoing struct {
	// kind is the document's kind and op what the message does.
	kind kind
	op   string
	// ref is the harness's name of the document.
	ref   string
	doc   *compose.Document
	frame compose.FrameOptions
	// clients are the system's clients of the document.
	clients []*client
	// skip makes the system believe it sent the message without sending
	// it (a fault).
	skip bool
	// queue holds the message back until after the next message the
	// system sends, in whatever action, with every later version of the
	// same document behind it (a fault).
	queue bool
}

// action is one action in progress: the request and the result so far.
type action struct {
	s   *System
	ctx context.Context
	req sut.Request
	res sut.Result
}

// cloneDocument copies d deeply enough that hooks may edit the copy.
func cloneDocument(d *compose.Document) *compose.Document {
	c := *d
	c.Clients = slices.Clone(d.Clients)
	c.SocialServices = slices.Clone(d.SocialServices)
	c.OtherServiceTasks = slices.Clone(d.OtherServiceTasks)
	c.Signers = slices.Clone(d.Signers)
	return &c
}

// newDocID issues a new document id (OID) under the organisation.
func (s *System) newDocID() string {
	s.counters.doc++
	return fmt.Sprintf("%s.95777.%d.%d", s.org.OID, s.seed, s.counters.doc)
}

// newCaseID issues a new case id (asiatunnus, OID) under the organisation.
func (s *System) newCaseID() string {
	s.counters.cse++
	return fmt.Sprintf("%s.95778.%d.%d", s.org.OID, s.seed, s.counters.cse)
}

// newTempID issues a new temporary identifier under the organisation.
func (s *System) newTempID() *compose.TempID {
	s.counters.temp++
	return &compose.TempID{Root: fmt.Sprintf("%s.95779.%d", s.org.OID, s.seed), Extension: fmt.Sprint(s.counters.temp)}
}

// newMessageID issues the extension of a new message id: the seed, then
// the message's number in seven digits.
func (s *System) newMessageID() string {
	s.counters.msg++
	return fmt.Sprintf("%d%07d", s.seed, s.counters.msg)
}

func (s *System) systemSigner() compose.Signer {
	return compose.Signer{Key: s.keys.SystemKey, Cert: s.keys.SystemCert}
}

func (s *System) professionalSigner() compose.Signer {
	return compose.Signer{Key: s.keys.ProfessionalKey, Cert: s.keys.ProfessionalCert, Professional: s.professional}
}

// send builds, signs and sends one message and reads the archive's
// acknowledgement. It records the message and the document in the result.
// It returns nil when the archive accepted the message (or a fault
// skipped it), a refusal when the archive rejected it, and another error
// when the exchange failed.
func (a *action) send(m *outgoing) error {
	s := a.s
	m.frame.MessageRoot = s.org.OID
	m.frame.MessageID = s.newMessageID()
	if m.frame.Performer == nil {
		m.frame.Performer = s.professional
	}
	hooks := s.hooksFor(a.req.Action)
	for _, h := range hooks {
		if h.document != nil {
			h.document(m)
		}
	}
	ref := sut.DocumentRef{Ref: m.ref, DocumentID: m.doc.ID, SetID: m.doc.SetID, Version: m.doc.Version, Kind: m.kind.protocol()}
	a.res.Documents = append(a.res.Documents, ref)
	switch {
	case m.skip:
		return nil
	case m.queue || slices.ContainsFunc(s.st.queued, func(q *outgoing) bool { return q.doc.SetID == m.doc.SetID }):
		// Held back, or behind a held-back version of the same document.
		s.st.queued = append(s.st.queued, m)
		return nil
	}
	err := a.transmit(m, hooks)
	// Held-back messages go out right after this one, whatever became of it.
	queued := s.st.queued
	s.st.queued = nil
	for _, q := range queued {
		if qerr := a.transmit(q, nil); err == nil {
			err = qerr
		}
	}
	return err
}

// transmit builds, hooks, signs and posts one message and reads the
// archive's acknowledgement; see send.
func (a *action) transmit(m *outgoing, hooks []hook) error {
	cda, err := m.doc.Build()
	if err != nil {
		return fmt.Errorf("build %s document: %w", m.kind, err)
	}
	if cda, err = applyDocumentHooks(m, cda, hooks); err != nil {
		return err
	}
	frame, err := compose.Frame(m.doc, m.frame)
	if err != nil {
		return fmt.Errorf("build frame: %w", err)
	}
	if frame, err = applyFrameHooks(m, frame, hooks); err != nil {
		return err
	}
	a.res.MessageIDs = append(a.res.MessageIDs, m.frame.MessageID)
	ack, err := a.post(frame, cda)
	if err != nil {
		return err
	}
	if ack.TypeCode == kanta.AckAccepted {
		return nil
	}
	return refuse("the archive rejected message %s (%s %s %s version %d, %s): %s",
		m.frame.MessageID, m.op, m.kind, m.ref, m.doc.Version, ack.TypeCode, describeFindings(ack.Details))
}

// describeFindings lists the error findings as "RULE: message; ...", or
// every finding when there is no error.
func describeFindings(fs yhteistestaus.Findings) string {
	var parts []string
	for _, f := range fs {
		if f.Severity == yhteistestaus.SeverityError {
			parts = append(parts, f.Rule+": "+f.Message)
		}
	}
	if len(parts) == 0 {
		for _, f := range fs {
			parts = append(parts, f.Rule+": "+f.Message)
		}
	}
	if len(parts) == 0 {
		return "no findings given"
	}
	return strings.Join(parts, "; ")
}

// post sends the message to the archive and reads its acknowledgement.
func (a *action) post(frame, cda []byte) (*wire.Acknowledgement, error) {
	if a.req.Archive == "" {
		return nil, errors.New("the request names no archive endpoint")
	}
	var body bytes.Buffer
	ct, err := wire.WriteRequest(&body, a.s.soapVersion, a.s.packaging, frame, cda)
	if err != nil {
		return nil, fmt.Errorf("write SOAP request: %w", err)
	}
	hr, err := http.NewRequestWithContext(a.ctx, http.MethodPost, a.req.Archive, &body)
	if err != nil {
		return nil, fmt.Errorf("archive request: %w", err)
	}
	hr.Header.Set("Content-Type", ct)
	if a.s.soapVersion == "1.1" {
		hr.Header.Set("SOAPAction", `"`+wire.ActionFor(kanta.InteractionArchiving)+`"`)
	}
	resp, err := a.s.client.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("send to the archive: %w", err)
	}
	defer resp.Body.Close()
	ack, err := wire.ReadAcknowledgement(resp.Header.Get("Content-Type"), io.LimitReader(resp.Body, maxAnswer))
	var fault *wire.Fault
	switch {
	case errors.As(err, &fault):
		// The archive could not read the message: a refusal, not a
		// broken exchange.
		return nil, refuse("the archive refused the message with HTTP %d and %v", resp.StatusCode, fault)
	case err != nil:
		return nil, fmt.Errorf("archive answered HTTP %d: %w", resp.StatusCode, err)
	}
	return ack, nil
}

// applyDocumentHooks runs the hooks that edit the built document: those
// that edit its tree, after which it is signed again, and those that edit
// the signed bytes.
func applyDocumentHooks(m *outgoing, cda []byte, hooks []hook) ([]byte, error) {
	var edits []func(*outgoing, *etree.Element)
	for _, h := range hooks {
		if h.cda != nil {
			edits = append(edits, h.cda)
		}
	}
	if len(edits) > 0 {
		var err error
		if cda, err = resign(m, cda, edits); err != nil {
			return nil, err
		}
	}
	for _, h := range hooks {
		if h.signed == nil {
			continue
		}
		var err error
		if cda, err = h.signed(m, cda); err != nil {
			return nil, err
		}
	}
	return cda, nil
}

// resign removes the document's signatures, applies the edits and signs it
// again as compose does, so that the signatures are valid for the edited
// document.
func resign(m *outgoing, cda []byte, edits []func(*outgoing, *etree.Element)) ([]byte, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(cda); err != nil {
		return nil, fmt.Errorf("read built document: %w", err)
	}
	root := doc.Root()
	header := root.SelectElement("localSocialHeader")
	if header == nil {
		return nil, errors.New("built document has no localSocialHeader")
	}
	if coll := header.SelectElement("signatureCollection"); coll != nil {
		for _, sig := range coll.SelectElements("signature") {
			coll.RemoveChild(sig)
		}
	}
	for _, edit := range edits {
		edit(m, root)
	}
	for i, sg := range m.doc.Signers {
		typ := kanta.SignatureSystem
		if sg.Professional != nil {
			typ = kanta.SignatureProfessional
		}
		opts := signature.SignOptions{Type: typ, Time: m.doc.EffectiveTime, ID: fmt.Sprintf("sig_%d_%s", i+1, m.doc.ID)}
		if err := signature.Sign(doc, sg.Key, sg.Cert, opts); err != nil {
			return nil, fmt.Errorf("sign edited document: %w", err)
		}
	}
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("write edited document: %w", err)
	}
	return out, nil
}

// applyFrameHooks runs the hooks that edit the frame's tree.
func applyFrameHooks(m *outgoing, frame []byte, hooks []hook) ([]byte, error) {
	var edits []func(*outgoing, *etree.Element)
	for _, h := range hooks {
		if h.frame != nil {
			edits = append(edits, h.frame)
		}
	}
	if len(edits) == 0 {
		return frame, nil
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(frame); err != nil {
		return nil, fmt.Errorf("read built frame: %w", err)
	}
	for _, edit := range edits {
		edit(m, doc.Root())
	}
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("write edited frame: %w", err)
	}
	return out, nil
}
