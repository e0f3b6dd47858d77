package steps

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/yhteistestaus/yhteistestaus/sut"
)

// The drive steps: make the vendor system act, through the driver
// protocol (package sut).

func (w *World) registerClient(ctx context.Context, name string, age int, temporary bool) error {
	if _, dup := w.clients[name]; dup {
		return fmt.Errorf("test client %q is registered already", name)
	}
	// Born in the month before the client's birthday month of the given
	// age, so that the identity's few days of spread keep the age.
	now := w.suite.now()
	birth := time.Date(now.Year()-age, now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -2, 0)
	code, birth, err := w.suite.identity(birth, 28)
	if err != nil {
		return err
	}
	c := &client{ref: w.ref(name), birth: birth, temporary: temporary}
	p := sut.RegisterClientParams{Ref: c.ref, Given: "Testi-" + name, Family: "Yhteistestaus", BirthDate: birth}
	if temporary {
		p.TemporaryID = true
	} else {
		p.Hetu = code
		c.hetu = code
	}
	out, err := w.act(ctx, sut.ActionRegisterClient, p)
	if err != nil {
		return err
	}
	if out.answer.Status != sut.StatusOK {
		return fmt.Errorf("register-client: the system answered %s: %s", out.answer.Status, out.answer.Message)
	}
	w.clients[name] = c
	return nil
}

func (w *World) clientRelation(ctx context.Context, action sut.Action, name string) error {
	c, err := w.client(name)
	if err != nil {
		return err
	}
	out, err := w.act(ctx, action, sut.ClientRelationParams{ClientRef: c.ref, ServiceTask: "24"})
	if err != nil {
		return err
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	return w.remember("crd:"+name, out)
}

// remember records the documents an action archived: the one the system
// names by the scenario's ref (or, when the system fills in no refs, the
// last one of the kind the name implies) under name, and every other
// document it names by a ref of this scenario under that ref.
func (w *World) remember(name string, out *outcome) error {
	docs := out.answer.Result.Documents
	if len(docs) == 0 {
		return fmt.Errorf("%s: the system reported no archived document", out.action)
	}
	want, kind := w.docRef(name), ""
	switch {
	case strings.HasPrefix(name, "crd:"):
		kind = "client-relation"
	case strings.HasPrefix(name, "case:"):
		kind = "case"
	}
	pick, fallback := -1, -1
	for i, d := range docs {
		switch {
		case d.Ref == want:
			pick = i
		case d.Ref == "" && (kind == "" || d.Kind == kind):
			fallback = i
		}
	}
	if pick < 0 {
		pick = fallback
	}
	if pick < 0 {
		return fmt.Errorf("%s: the system reported no document for %q (ref %s)", out.action, name, want)
	}
	d := docs[pick]
	w.docs[name] = &d
	for i := range docs {
		if r := strings.TrimPrefix(docs[i].Ref, w.prefix); r != docs[i].Ref && r != "" && i != pick {
			d := docs[i]
			w.docs[r] = &d
		}
	}
	return nil
}

func (w *World) openAgain(ctx context.Context, name string) error {
	c, err := w.client(name)
	if err != nil {
		return err
	}
	_, err = w.act(ctx, sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: c.ref, ServiceTask: "24"})
	if errors.Is(err, ErrUnsupported) {
		return nil // an unsupported answer is a refusal; a later step judges it
	}
	return err
}

func (w *World) replaceTemporaryID(ctx context.Context, name string) error {
	c, err := w.client(name)
	if err != nil {
		return err
	}
	code, _, err := w.suite.identity(c.birth, 1)
	if err != nil {
		return err
	}
	out, err := w.act(ctx, sut.ActionReplaceTemporaryID, sut.ReplaceTemporaryIDParams{ClientRef: c.ref, Hetu: code})
	if err != nil {
		return err
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	c.hetu, c.temporary = code, false
	return w.remember("crd:"+name, out)
}

func (w *World) openCase(ctx context.Context, caseName, clientList string) error {
	return w.openCaseInTask(ctx, caseName, "24", clientList)
}

// openCaseInTask opens a case in the service task with code task.
func (w *World) openCaseInTask(ctx context.Context, caseName, task, clientList string) error {
	names := quoted(clientList)
	if len(names) == 0 {
		return fmt.Errorf("name the case's clients in quotes, e.g. \"A\" and \"B\"")
	}
	var refs []string
	for _, n := range names {
		c, err := w.client(n)
		if err != nil {
			return err
		}
		refs = append(refs, c.ref)
	}
	out, err := w.act(ctx, sut.ActionOpenCase, sut.CaseParams{CaseRef: w.ref(caseName), ClientRefs: refs, ServiceTask: task})
	if err != nil {
		return err
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	w.cases[caseName] = &caseInfo{ref: w.ref(caseName), id: out.answer.Result.CaseID, clients: names}
	return w.remember("case:"+caseName, out)
}

func (w *World) closeCase(ctx context.Context, caseName string) error {
	cs, err := w.caseOf(caseName)
	if err != nil {
		return err
	}
	out, err := w.act(ctx, sut.ActionCloseCase, sut.CaseParams{CaseRef: cs.ref})
	if err != nil {
		return err
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	return w.remember("case:"+caseName, out)
}

func (w *World) storeDocument(ctx context.Context, typ, name, caseName string, table *godog.Table, mustSucceed bool) error {
	cs, err := w.caseOf(caseName)
	if err != nil {
		return err
	}
	p := sut.DocumentParams{DocRef: w.ref(name), CaseRef: cs.ref, Type: protocolType(typ), Format: "structured", Signature: "professional"}
	if p.Type == "other" {
		p.Format = "pdf"
	}
	if err := w.applyOptions(&p, table); err != nil {
		return err
	}
	out, err := w.act(ctx, sut.ActionStoreDocument, p)
	if !mustSucceed && errors.Is(err, ErrUnsupported) {
		return nil // an unsupported answer is a refusal; a later step judges it
	}
	if err != nil {
		return err
	}
	if !mustSucceed {
		return nil
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	return w.remember(name, out)
}

// applyOptions reads a two-column table of document options.
func (w *World) applyOptions(p *sut.DocumentParams, table *godog.Table) error {
	if table == nil {
		return nil
	}
	for _, row := range table.Rows {
		if len(row.Cells) != 2 {
			return fmt.Errorf("document options: each row needs an option and a value")
		}
		key, val := strings.TrimSpace(row.Cells[0].Value), strings.TrimSpace(row.Cells[1].Value)
		switch key {
		case "format":
			p.Format = val
		case "signature":
			p.Signature = val
		case "delayed days":
			n, err := strconv.Atoi(val)
			if err != nil {
				return fmt.Errorf("delayed days: %w", err)
			}
			t := w.suite.now().AddDate(0, 0, n).Truncate(24 * time.Hour)
			p.DelayUntil = &t
		case "restriction ground":
			p.RestrictionGround = val
		case "guardian disclosure":
			p.GuardianDisclosure = val
		case "main document":
			if _, err := w.doc(val); err != nil {
				return err
			}
			p.MainDocRef = w.ref(val)
		case "clients":
			var refs []string
			for _, n := range quoted(val) {
				c, err := w.client(n)
				if err != nil {
					return err
				}
				refs = append(refs, c.ref)
			}
			p.ClientRefs = refs
		case "description":
			p.Description = val
		case "service task":
			p.ServiceTask = val
		default:
			return fmt.Errorf("unknown document option %q (format, signature, delayed days, restriction ground, guardian disclosure, main document, clients, description, service task)", key)
		}
	}
	return nil
}

func (w *World) askNewVersion(ctx context.Context, name string) error {
	if _, err := w.doc(name); err != nil {
		return err
	}
	_, err := w.act(ctx, sut.ActionNewVersion, sut.VersionParams{DocRef: w.docRef(name), Reason: "correction"})
	if errors.Is(err, ErrUnsupported) {
		return nil // an unsupported answer is a refusal; a later step judges it
	}
	return err
}

func (w *World) newVersion(ctx context.Context, name string) error {
	if _, err := w.doc(name); err != nil {
		return err
	}
	out, err := w.act(ctx, sut.ActionNewVersion, sut.VersionParams{DocRef: w.docRef(name), Reason: "correction"})
	if err != nil {
		return err
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	return w.remember(name, out)
}

// docRef is the system's ref of a scenario document: client relation and
// case documents are named by their client or case.
func (w *World) docRef(name string) string {
	switch {
	case strings.HasPrefix(name, "crd:"):
		if c, ok := w.clients[strings.TrimPrefix(name, "crd:")]; ok {
			return c.ref
		}
	case strings.HasPrefix(name, "case:"):
		if c, ok := w.cases[strings.TrimPrefix(name, "case:")]; ok {
			return c.ref
		}
	}
	return w.ref(name)
}

// annul annuls a scenario's document, case or client relation, each named
// by its own parameter of the protocol (docRef, caseRef, clientRef).
func (w *World) annul(ctx context.Context, name string) error {
	target := name
	p := sut.AnnulParams{Reason: "stored for the wrong client"}
	if _, ok := w.docs[name]; !ok {
		if c, ok := w.cases[name]; ok {
			target, p.CaseRef = "case:"+name, c.ref
		} else if c, ok := w.clients[name]; ok {
			target, p.ClientRef = "crd:"+name, c.ref
		}
	}
	if _, err := w.doc(target); err != nil {
		return err
	}
	if p.CaseRef == "" && p.ClientRef == "" {
		p.DocRef = w.ref(name)
	}
	out, err := w.act(ctx, sut.ActionAnnul, p)
	if err != nil {
		return err
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	return w.remember(target, out)
}

func (w *World) search(ctx context.Context, name string) error {
	c, err := w.client(name)
	if err != nil {
		return err
	}
	out, err := w.act(ctx, sut.ActionSearch, sut.SearchParams{ClientRef: c.ref})
	if err != nil {
		return err
	}
	if out.answer.Status != sut.StatusOK {
		return fmt.Errorf("search: the system answered %s: %s", out.answer.Status, out.answer.Message)
	}
	return nil
}
