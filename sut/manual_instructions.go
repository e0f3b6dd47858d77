package sut

import (
	"fmt"
	"strings"
	"time"
)

// docRefOf returns the document ref a request names, if any.
func docRefOf(req Request) string {
	var p struct {
		DocRef string `json:"docRef"`
	}
	if req.DecodeParams(&p) != nil {
		return ""
	}
	return p.DocRef
}

// remember keeps what an ok answer tells about the harness's refs.
func (d *manualDriver) remember(req Request, res Result) {
	switch req.Action {
	case ActionRegisterClient:
		var p RegisterClientParams
		if req.DecodeParams(&p) == nil && p.Ref != "" {
			if res.Client != nil && res.Client.Hetu != "" {
				p.Hetu = res.Client.Hetu
			}
			d.clients[p.Ref] = p
		}
	case ActionReplaceTemporaryID:
		var p ReplaceTemporaryIDParams
		if req.DecodeParams(&p) == nil {
			if c, ok := d.clients[p.ClientRef]; ok {
				c.Hetu, c.TemporaryID = p.Hetu, false
				d.clients[p.ClientRef] = c
			}
		}
	case ActionOpenCase:
		var p CaseParams
		if req.DecodeParams(&p) == nil && p.CaseRef != "" {
			d.cases[p.CaseRef] = caseMemo{name: p.CaseName, clients: p.ClientRefs, caseID: res.CaseID}
		}
	case ActionStoreDocument:
		var p DocumentParams
		if req.DecodeParams(&p) == nil && p.DocRef != "" {
			m := docMemo{typ: p.Type}
			for _, doc := range res.Documents {
				if doc.SetID != "" {
					m.setID = doc.SetID
				}
			}
			d.docs[p.DocRef] = m
		}
	}
}

// instructionData is what the instruction templates see; see the header
// of instructions.yaml.
type instructionData struct {
	ID, Action, System, Archive string
	Timeout                     string
	Watching                    bool // a Watch may answer for the operator

	Client      string
	Clients     []string
	Hetu        string
	TemporaryID bool
	Given       string
	Family      string
	BirthDate   string

	ServiceTask        string
	Change             string
	GuardianDisclosure string

	Case   string
	CaseID string

	Type              string
	SpecificType      string
	Format            string
	Signature         string
	Description       string
	MainDoc           string
	DelayUntil        string
	RestrictionGround string

	Doc     string
	DocType string
	SetID   string
	Reason  string
	// ClientRelation: annul the client relation of Client.
	ClientRelation bool

	DocumentType string
}

// data builds the template data of req from its params and what earlier
// actions told.
func (d *manualDriver) data(req Request) (*instructionData, error) {
	v := &instructionData{ID: req.ID, Action: string(req.Action), System: d.systemInfo().Name,
		Archive: req.Archive, Timeout: d.opts.Timeout.String(), Watching: d.opts.Watch != nil}
	if v.Archive == "" {
		v.Archive = "(?)"
	}
	switch req.Action {
	case ActionRegisterClient:
		var p RegisterClientParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		v.Given, v.Family, v.Hetu, v.TemporaryID = p.Given, p.Family, p.Hetu, p.TemporaryID
		if !p.BirthDate.IsZero() {
			v.BirthDate = p.BirthDate.Format(time.DateOnly)
		}
	case ActionOpenClientRelation, ActionUpdateClientRelation, ActionEndClientRelation:
		var p ClientRelationParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		v.Client, v.ServiceTask, v.Change, v.GuardianDisclosure = d.clientName(p.ClientRef), p.ServiceTask, p.Change, p.GuardianDisclosure
	case ActionReplaceTemporaryID:
		var p ReplaceTemporaryIDParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		v.Client, v.Hetu = d.clientName(p.ClientRef), p.Hetu
	case ActionOpenCase, ActionCloseCase:
		var p CaseParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		memo := d.cases[p.CaseRef]
		refs := p.ClientRefs
		if len(refs) == 0 {
			refs = memo.clients
		}
		v.Clients = d.clientNames(refs)
		v.Client = strings.Join(v.Clients, ", ")
		v.Case, v.CaseID, v.ServiceTask = d.caseName(p.CaseRef, p.CaseName), memo.caseID, p.ServiceTask
	case ActionStoreDocument:
		var p DocumentParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		refs := p.ClientRefs
		if len(refs) == 0 {
			refs = d.cases[p.CaseRef].clients
		}
		v.Clients = d.clientNames(refs)
		v.Client = strings.Join(v.Clients, ", ")
		v.Case = d.caseName(p.CaseRef, "")
		v.Type, v.SpecificType, v.Format, v.Signature = p.Type, p.SpecificType, p.Format, p.Signature
		v.Description, v.ServiceTask = p.Description, p.ServiceTask
		v.RestrictionGround, v.GuardianDisclosure = p.RestrictionGround, p.GuardianDisclosure
		if p.DelayUntil != nil {
			v.DelayUntil = p.DelayUntil.Format(time.DateOnly)
		}
		if p.MainDocRef != "" {
			v.MainDoc = d.docName(p.MainDocRef)
		}
	case ActionNewVersion:
		var p VersionParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		d.docData(v, p.DocRef)
		v.Reason = p.Reason
	case ActionAnnul:
		var p AnnulParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		target, ref, err := p.Target()
		if err != nil {
			return nil, err
		}
		v.Reason = p.Reason
		switch target {
		case AnnulDocument:
			d.docData(v, ref)
		case AnnulCase:
			memo := d.cases[ref]
			v.Case, v.CaseID = d.caseName(ref, ""), memo.caseID
			v.Clients = d.clientNames(memo.clients)
			v.Client = strings.Join(v.Clients, ", ")
		case AnnulClientRelation:
			v.Client, v.ClientRelation = d.clientName(ref), true
		}
	case ActionSearch:
		var p SearchParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		v.Client, v.DocumentType = d.clientName(p.ClientRef), p.DocumentType
	}
	if v.Client == "" {
		v.Client = "?"
	}
	if v.Clients == nil {
		v.Clients = []string{v.Client}
	}
	return v, nil
}

// docData fills the document fields of v for the document ref names.
func (d *manualDriver) docData(v *instructionData, ref string) {
	memo := d.docs[ref]
	v.Doc, v.DocType, v.SetID = d.docName(ref), memo.typ, memo.setID
	if v.DocType == "" {
		v.DocType = "document"
	}
}

// clientName names a client for the operator: "Given Family (hetu)", or
// the harness's ref when the client was not registered through this
// adapter.
func (d *manualDriver) clientName(ref string) string {
	c, ok := d.clients[ref]
	if !ok {
		return ref
	}
	name := strings.TrimSpace(c.Given + " " + c.Family)
	if name == "" {
		name = ref
	}
	if c.Hetu != "" {
		name += " (" + c.Hetu + ")"
	}
	return name
}

func (d *manualDriver) clientNames(refs []string) []string {
	names := make([]string, 0, len(refs))
	for _, r := range refs {
		names = append(names, d.clientName(r))
	}
	return names
}

// caseName names a case: its name (as given now or when it was opened)
// with the harness's ref.
func (d *manualDriver) caseName(ref, name string) string {
	if name == "" {
		name = d.cases[ref].name
	}
	if name == "" {
		return ref
	}
	return fmt.Sprintf("%q (%s)", name, ref)
}

// docName names a document: the harness's ref and its setId when known.
func (d *manualDriver) docName(ref string) string {
	if m := d.docs[ref]; m.setID != "" {
		return fmt.Sprintf("%s (setId %s)", ref, m.setID)
	}
	return ref
}
