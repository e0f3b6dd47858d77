package archive

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/catalogue"
	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
	"github.com/yhteistestaus/yhteistestaus/simulator/rules"
)

// Archive is one archive's state and its state rules. Submissions are
// serialised, so that each message is judged against the state the one
// before it left.
type Archive struct {
	store     Store
	catalogue *catalogue.Rules
	now       func() time.Time
	mu        sync.Mutex
}

// New returns an archive over the store. now is the simulated clock; nil
// means time.Now.
func New(store Store, cat *catalogue.Rules, now func() time.Time) *Archive {
	if now == nil {
		now = time.Now
	}
	return &Archive{store: store, catalogue: cat, now: now}
}

// Store returns the archive's store.
func (a *Archive) Store() Store { return a.store }

// Reset empties the archive. It waits for a Submit under way to finish, so
// a submission is judged and stored wholly before the reset or after it.
func (a *Archive) Reset(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.store.Reset(ctx)
}

// Outcome is what the archive did with a message.
type Outcome struct {
	// Operation is what the message asked for, as the archive read it.
	Operation api.Operation
	// Accepted is true when the version was archived.
	Accepted bool
	// Findings are the state rules' findings (the validation findings are
	// in the rules.Result).
	Findings yhteistestaus.Findings
	// Record is the archived version when Accepted.
	Record *api.Record
}

// Submit applies the state rules to a validated message and, when neither
// the validation nor the state rules found an error, archives the version.
// messageID names the carrying message in the record.
func (a *Archive) Submit(ctx context.Context, res *rules.Result, messageID string) (*Outcome, error) {
	out := &Outcome{Operation: api.OpNone}
	d := res.Document
	if d == nil || res.Group == nil {
		return out, nil
	}
	version, err := d.Version.Int()
	if err != nil || d.SetID.Root == "" || d.ID.Root == "" {
		return out, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	rec := a.record(res, version, messageID)
	versions, err := a.store.Versions(ctx, rec.SetID)
	if err != nil {
		return nil, fmt.Errorf("read set %s: %w", rec.SetID, err)
	}
	j := &judge{ctx: ctx, a: a, out: out, rec: rec, res: res, aliases: make(map[string]string)}
	switch {
	case res.Annulment:
		out.Operation = api.OpAnnul
	case len(versions) == 0:
		out.Operation = api.OpStore
	default:
		out.Operation = api.OpNewVersion
	}
	rec.Operation = out.Operation
	if err := j.versions(versions); err != nil {
		return nil, err
	}
	if out.Operation != api.OpAnnul {
		if err := j.order(); err != nil {
			return nil, err
		}
		if err := j.identity(versions); err != nil {
			return nil, err
		}
	} else if len(versions) > 0 {
		if err := j.annulOrder(); err != nil {
			return nil, err
		}
	}
	if res.Findings.HasErrors() || out.Findings.HasErrors() {
		return out, nil
	}
	prev := 0
	if len(versions) > 0 {
		prev = versions[len(versions)-1].Version
	}
	// The record shares the document's bytes: nothing changes them after
	// receipt.
	rec.Document = d.Raw
	if err := a.store.Add(ctx, rec, prev); err != nil {
		if errors.Is(err, ErrConflict) {
			j.add("ARC-VERSION-NEXT", "/ClinicalDocument/versionNumber", "another version of set %s was archived at the same time", rec.SetID)
			return out, nil
		}
		return nil, fmt.Errorf("store version: %w", err)
	}
	out.Accepted = true
	out.Record = rec
	return out, nil
}

// record builds the archive record of a validated message, without the
// document itself, which Submit adds only when it stores the record.
func (a *Archive) record(res *rules.Result, version int, messageID string) *api.Record {
	d := res.Document
	h := d.Header
	rec := &api.Record{
		DocumentID: d.ID.Root, SetID: d.SetID.Root, Version: version,
		Group: res.Group.Code, Kind: string(res.Group.Kind),
		Custodian: d.Custodian.Root, Annulled: res.Annulment, CaseClosed: res.CaseClosed,
		GeneralType: d.Code.Code, StoredAt: a.now(), MessageID: messageID,
	}
	for _, p := range d.Patients {
		rec.Clients = append(rec.Clients, p.ID.String())
	}
	if d.Case != nil {
		rec.CaseID = d.Case.ID.Root
	}
	if t, err := message.ParseTS(d.EffectiveTime.Value); err == nil {
		rec.EffectiveTime = t
	}
	for _, c := range d.Consents {
		if message.SameCodeSystem(c.CodeSystem, kanta.OIDGuardianConsent) {
			rec.GuardianConsent = c.Code
		}
	}
	if h != nil {
		rec.Organiser = h.OutsourcingServiceCustomer.Root
		rec.Register = h.RegistryType.Code
		rec.ServiceTask = h.FunctionCode.Code
		rec.SpecificType = h.SpecificDocumentType.Code
		rec.MainDocument = h.MainDocument.Root
		if t, err := message.ParseTS(h.DelayDate.Value); err == nil {
			rec.DelayUntil = t
		}
		for _, ia := range h.InaccessibleArguments {
			rec.RestrictionGrounds = append(rec.RestrictionGrounds, ia.Code)
		}
	}
	return rec
}

// judge applies the state rules to one message.
type judge struct {
	ctx context.Context
	a   *Archive
	out *Outcome
	rec *api.Record
	res *rules.Result
	// aliases caches the store's answers to Alias: an identifier's
	// identity code, or "" for none.
	aliases map[string]string
}

func (j *judge) add(rule, where, format string, args ...any) {
	j.out.Findings = append(j.out.Findings, j.a.catalogue.Finding(rule, where, format, args...))
}

// versions checks numbering, duplicate ids and annulled sets. Its error is
// the store's: a lookup that failed, not one that found nothing.
func (j *judge) versions(vs []*api.Record) error {
	rec := j.rec
	other, err := j.a.store.ByDocumentID(j.ctx, rec.DocumentID)
	switch {
	case err == nil:
		j.add("ARC-DUPLICATE-ID", "/ClinicalDocument/id", "document id %s is already archived (set %s version %d)", rec.DocumentID, other.SetID, other.Version)
	case !errors.Is(err, ErrNotFound):
		return fmt.Errorf("look up document id %s: %w", rec.DocumentID, err)
	}
	if len(vs) == 0 {
		switch {
		case j.out.Operation == api.OpAnnul:
			j.add("ARC-ANNUL-UNKNOWN", "/ClinicalDocument/setId", "set %s is not archived, so it cannot be annulled", rec.SetID)
		case rec.Version != 1:
			j.add("ARC-VERSION-FIRST", "/ClinicalDocument/versionNumber", "set %s is new, so its version must be 1, not %d", rec.SetID, rec.Version)
		}
		return nil
	}
	last := vs[len(vs)-1]
	if last.Annulled {
		j.add("ARC-ANNULLED", "/ClinicalDocument/setId", "set %s was annulled in version %d, nothing can be stored on top of it", rec.SetID, last.Version)
	}
	if rec.Version != last.Version+1 {
		j.add("ARC-VERSION-NEXT", "/ClinicalDocument/versionNumber", "set %s is at version %d, so the next version is %d, not %d", rec.SetID, last.Version, last.Version+1, rec.Version)
	}
	if rec.Group != last.Group || rec.Custodian != last.Custodian {
		j.add("ARC-VERSION-SAME-DOCUMENT", "/ClinicalDocument/localSocialHeader/documentGroup",
			"set %s is a group %s document of custodian %s, a new version cannot change them to %s and %s", rec.SetID, last.Group, last.Custodian, rec.Group, rec.Custodian)
	}
	return nil
}

// live returns the latest versions of the live sets other than the
// message's own that the query selects. Its error is the store's.
func (j *judge) live(q Query) ([]*api.Record, error) {
	rs, err := j.a.store.Live(j.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("look up archived documents: %w", err)
	}
	return slices.DeleteFunc(rs, func(r *api.Record) bool { return r.SetID == j.rec.SetID }), nil
}

// alias returns the identity code that replaced the temporary identifier
// id, or "" when none did.
func (j *judge) alias(id string) (string, error) {
	if h, ok := j.aliases[id]; ok {
		return h, nil
	}
	h, err := j.a.store.Alias(j.ctx, id)
	if err != nil {
		return "", fmt.Errorf("look up identifier %s: %w", maskID(id), err)
	}
	j.aliases[id] = h
	return h, nil
}

// resolve maps a client identifier to the one that replaced it.
func (j *judge) resolve(id string) (string, error) {
	h, err := j.alias(id)
	if err != nil || h == "" {
		return id, err
	}
	return h, nil
}

// identifiers returns every identifier of the clients: each one's
// resolved identifier and the temporary identifiers it replaced.
func (j *judge) identifiers(clients []string) ([]string, error) {
	var out []string
	for _, c := range clients {
		r, err := j.resolve(c)
		if err != nil {
			return nil, err
		}
		temps, err := j.a.store.Aliases(j.ctx, r)
		if err != nil {
			return nil, fmt.Errorf("look up identifiers of %s: %w", maskID(r), err)
		}
		for _, id := range append([]string{r}, temps...) {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// hasClient reports whether r has the client id, under any of its
// identifiers.
func (j *judge) hasClient(r *api.Record, id string) (bool, error) {
	want, err := j.resolve(id)
	if err != nil {
		return false, err
	}
	for _, c := range r.Clients {
		got, err := j.resolve(c)
		if err != nil {
			return false, err
		}
		if got == want {
			return true, nil
		}
	}
	return false, nil
}

// clientCRDs returns the live client relation documents of the custodian
// with the client.
func (j *judge) clientCRDs(custodian, client string) ([]*api.Record, error) {
	ids, err := j.identifiers([]string{client})
	if err != nil {
		return nil, err
	}
	return j.live(Query{Custodian: custodian, Kinds: []string{string(kanta.KindClientRelation)}, Clients: ids})
}

// order checks the storage order: client relation document, case
// document, client document; and case membership. Its error is the
// store's.
func (j *judge) order() error {
	rec := j.rec
	kind := kanta.GroupKind(rec.Kind)
	if j.res.Usage == "2" && kind != kanta.KindJournal {
		j.add("ARC-REGISTER-ACCESS", "/controlActProcess/reasonCode", "usage situation 2 (a producer's normal register access) allows storing journal entries only, not a %s", rec.Kind)
	}
	if kind == kanta.KindClientRelation {
		for _, client := range rec.Clients {
			others, err := j.clientCRDs(rec.Custodian, client)
			if err != nil {
				return err
			}
			if len(others) > 0 {
				j.add("ARC-ONE-CRD", "/ClinicalDocument/setId", "the client already has client relation document %s with custodian %s", others[0].SetID, rec.Custodian)
			}
		}
		return nil
	}
	if kind == kanta.KindOld {
		return nil
	}
	for _, client := range rec.Clients {
		crds, err := j.clientCRDs(rec.Custodian, client)
		if err != nil {
			return err
		}
		if len(crds) == 0 {
			j.add("ARC-ORDER-CRD", "/ClinicalDocument/recordTarget", "client %s has no archived client relation document with custodian %s, store it first", maskID(client), rec.Custodian)
		}
	}
	if kind == kanta.KindCase {
		return nil
	}
	if rec.MainDocument != "" {
		ok, err := j.findLive(rec.MainDocument)
		if err != nil {
			return err
		}
		if !ok {
			j.add("ARC-ATTACHMENT-MAIN", "/ClinicalDocument/localSocialHeader/mainDocument", "main document %s is not archived or is annulled", rec.MainDocument)
		}
	}
	if rec.CaseID == "" {
		return nil
	}
	cases, err := j.live(Query{Custodian: rec.Custodian, Kinds: []string{string(kanta.KindCase)}, CaseID: rec.CaseID})
	if err != nil {
		return err
	}
	if len(cases) == 0 {
		j.add("ARC-ORDER-CASE", "/ClinicalDocument/componentOf/encompassingEncounter/id", "case %s has no archived case document with custodian %s, store it first", rec.CaseID, rec.Custodian)
		return nil
	}
	cs := cases[len(cases)-1]
	if cs.CaseClosed {
		j.add("ARC-CASE-CLOSED", "/ClinicalDocument/componentOf/encompassingEncounter/id", "case %s is closed, no client document can be added to it", rec.CaseID)
	}
	for _, member := range cs.Clients {
		ok, err := j.hasClient(rec, member)
		if err != nil {
			return err
		}
		if !ok {
			j.add("ARC-JOINT-CASE", "/ClinicalDocument/recordTarget", "case %s has client %s, who is missing from the document", rec.CaseID, maskID(member))
		}
	}
	for _, client := range rec.Clients {
		ok, err := j.hasClient(cs, client)
		if err != nil {
			return err
		}
		if !ok {
			j.add("ARC-CASE-CLIENT", "/ClinicalDocument/recordTarget", "client %s is not a client of case %s", maskID(client), rec.CaseID)
		}
	}
	return nil
}

// findLive reports whether a live set has the set id or a version with the
// document id. Its error is a failed store lookup; a document the store
// does not hold is not an error.
func (j *judge) findLive(id string) (bool, error) {
	live := func(setID string) (bool, error) {
		vs, err := j.a.store.Versions(j.ctx, setID)
		if err != nil {
			return false, fmt.Errorf("read set %s: %w", setID, err)
		}
		return len(vs) > 0 && !vs[len(vs)-1].Annulled, nil
	}
	if ok, err := live(id); ok || err != nil {
		return ok, err
	}
	r, err := j.a.store.ByDocumentID(j.ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("look up document id %s: %w", id, err)
	}
	return live(r.SetID)
}

// identity checks the life of the client's identifiers: a temporary
// identifier is replaced by an identity code once, first in the client
// relation document, and never used after; an identity code never changes.
// Its error is the store's.
func (j *judge) identity(vs []*api.Record) error {
	rec := j.rec
	for _, c := range rec.Clients {
		if isHetu(c) {
			continue
		}
		h, err := j.alias(c)
		if err != nil {
			return err
		}
		if h != "" {
			j.add("ARC-TEMP-ID-AFTER", "/ClinicalDocument/recordTarget", "temporary identifier %s was replaced by identity code %s, use the identity code", c, maskID(h))
		}
	}
	if len(vs) == 0 {
		return nil
	}
	last := vs[len(vs)-1]
	if len(last.Clients) != 1 || len(rec.Clients) != 1 {
		// With several clients a changed membership cannot be told apart
		// from a changed identifier; only single-client sets are judged.
		return nil
	}
	for _, before := range last.Clients {
		if slices.Contains(rec.Clients, before) {
			continue
		}
		for _, after := range rec.Clients {
			if slices.Contains(last.Clients, after) {
				continue
			}
			switch {
			case isHetu(before) && isHetu(after):
				j.add("ARC-HETU-CHANGE", "/ClinicalDocument/recordTarget", "identity code %s cannot be changed to %s", maskID(before), maskID(after))
			case !isHetu(before) && isHetu(after):
				prev, err := j.alias(before)
				if err != nil {
					return err
				}
				if prev != "" && prev != after {
					j.add("ARC-TEMP-ID-ONCE", "/ClinicalDocument/recordTarget", "temporary identifier %s was already replaced by %s", before, maskID(prev))
				}
				if prev == "" && rec.Kind != string(kanta.KindClientRelation) {
					j.add("ARC-TEMP-ID-ONCE", "/ClinicalDocument/recordTarget", "replace temporary identifier %s with the identity code in the client relation document first", before)
				}
			}
		}
	}
	return nil
}

// annulOrder checks that nothing live refers to the set being annulled.
// Its error is the store's.
func (j *judge) annulOrder() error {
	rec := j.rec
	var q Query
	switch kanta.GroupKind(rec.Kind) {
	case kanta.KindClientRelation:
		ids, err := j.identifiers(rec.Clients)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		q = Query{Custodian: rec.Custodian, ExceptKinds: []string{string(kanta.KindClientRelation)}, Clients: ids}
	case kanta.KindCase:
		if rec.CaseID == "" {
			// Nothing can refer to a case without an id: a document's
			// empty case id means it has none.
			return nil
		}
		q = Query{Custodian: rec.Custodian, ExceptKinds: []string{string(kanta.KindCase), string(kanta.KindClientRelation)}, CaseID: rec.CaseID}
	default:
		q = Query{MainDocuments: []string{rec.SetID, rec.DocumentID}}
	}
	refs, err := j.live(q)
	if err != nil {
		return err
	}
	if len(refs) > 0 {
		j.add("ARC-ANNUL-ORDER", "/ClinicalDocument/setId", "%d archived document(s) still refer to set %s (first: %s, a %s), annul them first",
			len(refs), rec.SetID, refs[0].SetID, refs[0].Kind)
	}
	return nil
}

// maskID hides an identity code that is not a test identity.
func maskID(id string) string {
	if root, ext, ok := strings.Cut(id, "^"); ok && root == kanta.OIDHetu {
		return hetu.Mask(ext)
	}
	return id
}
