// Package independent_test holds a second vendor system, written apart
// from the harness's reference system: it knows only the driver protocol
// (docs/sut-protocol.md), the wire profile (docs/wire-profile.md) and the
// real sample messages in ../shared/samples/kanta-sh-public, which it
// edits into its own messages. It does not use compose or reference. It
// archives under an organisation that is not in the simulator's bundled
// register, with its own service units, and must pass the vaihe2-kasittely
// suite clean: the proof that the harness is right for a vendor nobody
// here wrote.
package independent_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// The values the wire profile gives (docs/wire-profile.md): the document
// groups, service requests and codes of the simulator where Kanta's are
// not public.
const (
	srClientRelation = "SP1"
	srClientDocument = "SP17"
	srCase           = "SIM-ASIA"
	srAnnul          = "SIM-MITATOINTI"

	groupClientRelation = "1"
	groupCase           = "SIM-ASIA-ASIAKIRJA"
	groupClientDocument = "5"
	groupJournal        = "SIM-ASIAKASKERTOMUSMERKINTA"

	sysDocumentType  = "1.2.246.537.6.1506.201701"
	sysDocumentGroup = "1.2.246.537.6.1505.201601"
	sysFileFormat    = "1.2.246.537.6.1502.201601"
	sysRecordStatus  = "1.2.246.537.5.40154.2008"
	sysFunctionCode  = "1.2.246.537.6.1221.201601"
	sysCaseNameCDA   = "1.2.246.537.6.1265.202301"
	sysCaseStatus    = "1.2.246.537.6.1501"
	sysCorrection    = "2.25.87649127685826266010561207984195904497"
	sysConsent       = "1.2.246.537.6.1286.201901"
	sysRestriction   = "1.2.246.537.6.1288.201901"
	sysSpecial       = "1.2.246.537.6.112.2007"
	sysServiceProc   = "1.2.246.537.6.1277.201701"
	sysAuthMethod    = "1.2.246.537.5.40128.2006"
	sysGenderCDA     = "1.2.246.537.5.1.1997"
	sysServiceReq    = "1.2.246.537.6.1503.201601"

	caseOpen           = "SIM-VIREILLA"
	caseClosed         = "SIM-PAATTYNYT"
	statusReady        = "3"
	statusAnnulled     = "SIM-POISTETTU"
	formatXHTML        = "2"
	formatPDF          = "SIM-PDFA"
	typeDecision       = "SIM-PAATOS"
	typeJournal        = "SIM-ASIAKASKERTOMUSMERKINTA"
	typeOther          = "SIM-MUU-ASIAKASASIAKIRJA"
	typeAttachment     = "SIM-LIITE"
	correctionWriting  = "SIM-KIRJOITUSVIRHE"
	oidHetu            = "1.2.246.21"
	oidRegistration    = "1.2.246.537.26"
	specClientRelation = "1.2.246.537.6.1505.1.2023.6.1"
	specCase           = "1.2.246.537.6.1505.2.2022.6.28"
	specPlan           = "1.2.246.537.6.1506.15007.2024.11.28"
	specDecision       = "1.2.246.537.6.1506.11001.2023.9.8"
	specJournal        = "1.2.246.537.6.1506.19005.2022.1.10"
)

// organisation is the vendor's customer: a municipality that is not in
// the simulator's bundled organisation register, with its service units.
type organisation struct {
	oid, name string
	units     map[string]unit // by service task
}

type unit struct {
	oid, name, street, postcode, city, phone string
}

// unit returns the service unit that runs the service task.
func (o organisation) unit(task string) unit {
	if u, ok := o.units[task]; ok {
		return u
	}
	return o.units[""]
}

func exampleOrganisation() organisation {
	const org = "1.2.246.10.99887766.10.0"
	return organisation{oid: org, name: "Esimerkkilän kaupunki", units: map[string]unit{
		"":   {org + ".301", "Esimerkkilän perhepalvelut", "Torikatu 1", "99100", "Esimerkkilä", "010 123 4000"},
		"10": {org + ".302", "Esimerkkilän lastensuojelu", "Torikatu 3", "99100", "Esimerkkilä", "010 123 4010"},
		"25": {org + ".303", "Esimerkkilän perheoikeudelliset palvelut", "Torikatu 5", "99100", "Esimerkkilä", "010 123 4020"},
	}}
}

// professional is the vendor's user.
type professional struct {
	hetu, registration, given, family, title string
}

// vclient is a client in the vendor's system.
type vclient struct {
	ref, hetu, given, family string
	tempRoot, tempExt        string
	birth                    time.Time
	guardian                 string
	crd                      *vdoc
}

// gender is the CDA gender code from the identity code's individual
// number: odd for men.
func (c *vclient) gender() string {
	if len(c.hetu) != 11 {
		return ""
	}
	n, err := strconv.Atoi(c.hetu[7:10])
	if err != nil {
		return ""
	}
	if n%2 == 1 {
		return "1"
	}
	return "2"
}

func (c *vclient) minorAt(t time.Time) bool {
	return !c.birth.IsZero() && t.Before(c.birth.AddDate(18, 0, 0))
}

// vcase is a case (asia).
type vcase struct {
	ref, id, name, task string
	clients             []*vclient
	doc                 *vdoc
	closed              bool
}

// kind is what a document is to the vendor.
type kind string

const (
	kindRelation   kind = "client-relation"
	kindCase       kind = "case"
	kindDecision   kind = "decision"
	kindPlan       kind = "plan"
	kindJournal    kind = "journal-entry"
	kindOther      kind = "other"
	kindAttachment kind = "attachment"
)

// protocol is the kind as the driver protocol's answers name it.
func (k kind) protocol() string {
	switch k {
	case kindRelation, kindCase:
		return string(k)
	case kindJournal:
		return "journal"
	}
	return "client-document"
}

// vdoc is one document set with its latest accepted version.
type vdoc struct {
	ref          string
	kind         kind
	setID        string
	clients      []*vclient
	cse          *vcase
	main         *vdoc
	relationship string
	start        time.Time
	last         *version
	annulled     bool
	seq          int
	description  string
}

// version is one version of a document.
type version struct {
	id, prev    string
	number      int
	time        time.Time
	ended       time.Time
	tasks       []string
	annul       bool
	text        string
	correction  bool
	delay       time.Time
	restriction string
	consent     string
	signer      string // "professional" or "system"
	clientIDs   []string
}

// vendor is the independent client data system. It implements sut.Driver.
type vendor struct {
	org       organisation
	pro       professional
	keys      *vendorKeys
	http      *http.Client
	templates map[string][]byte

	mu      sync.Mutex
	n       int
	clients map[string]*vclient
	cases   map[string]*vcase
	docs    map[string]*vdoc
	all     []*vdoc
}

// vendorKeys sign the vendor's documents.
type vendorKeys struct {
	systemKey, proKey   crypto.Signer
	systemCert, proCert *x509.Certificate
}

// newVendor loads the samples from samplesDir and returns the vendor, or
// an error naming what is missing.
func newVendor(samplesDir string, keys *vendorKeys, pro professional) (*vendor, error) {
	v := &vendor{org: exampleOrganisation(), pro: pro, keys: keys, http: &http.Client{Timeout: 30 * time.Second},
		templates: map[string][]byte{}}
	for name, file := range map[string]string{
		"crd": "signature-restored/client-relation-document.xml", "plan": "signature-restored/plan-document.xml",
		"frame": "client-relation-frame.xml",
	} {
		b, err := os.ReadFile(filepath.Join(samplesDir, file))
		if err != nil {
			return nil, fmt.Errorf("sample %s: %w", file, err)
		}
		v.templates[name] = b
	}
	v.reset()
	return v, nil
}

func (v *vendor) reset() {
	v.clients, v.cases, v.docs, v.all = map[string]*vclient{}, map[string]*vcase{}, map[string]*vdoc{}, nil
}

// next issues the next number of the vendor's identifiers.
func (v *vendor) next() int { v.n++; return v.n }

// refusal is an action the vendor refuses or the archive rejected.
type refusal struct{ msg string }

func (r *refusal) Error() string { return r.msg }

func refuse(format string, args ...any) error { return &refusal{fmt.Sprintf(format, args...)} }

// action is one request in progress.
type action struct {
	v   *vendor
	ctx context.Context
	req sut.Request
	res sut.Result
}

// Do performs one action of the driver protocol.
func (v *vendor) Do(ctx context.Context, req sut.Request) (*sut.Answer, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	a := &action{v: v, ctx: ctx, req: req}
	var err error
	switch req.Action {
	case sut.ActionDescribe:
		return sut.OK(req, sut.Result{System: &sut.SystemInfo{Name: "Esimerkki Sosiaali", Vendor: "Esimerkki Oy", Version: "5.0",
			Actions: []sut.Action{sut.ActionDescribe, sut.ActionReset, sut.ActionRegisterClient, sut.ActionOpenClientRelation,
				sut.ActionUpdateClientRelation, sut.ActionEndClientRelation, sut.ActionReplaceTemporaryID, sut.ActionOpenCase,
				sut.ActionCloseCase, sut.ActionStoreDocument, sut.ActionNewVersion, sut.ActionAnnul},
			Profiles: []string{"vaihe2-kasittely"}, Organisation: v.org.oid}}), nil
	case sut.ActionReset:
		v.reset()
		return sut.OK(req, sut.Result{}), nil
	case sut.ActionRegisterClient:
		err = a.register()
	case sut.ActionOpenClientRelation:
		err = a.openRelation()
	case sut.ActionUpdateClientRelation, sut.ActionEndClientRelation:
		err = a.changeRelation(req.Action == sut.ActionEndClientRelation)
	case sut.ActionReplaceTemporaryID:
		err = a.replaceTemporaryID()
	case sut.ActionOpenCase:
		err = a.openCase()
	case sut.ActionCloseCase:
		err = a.closeCase()
	case sut.ActionStoreDocument:
		err = a.store()
	case sut.ActionNewVersion:
		err = a.newVersion()
	case sut.ActionAnnul:
		err = a.annul()
	default:
		return sut.Unsupported(req, "Esimerkki Sosiaali does not do "+string(req.Action)), nil
	}
	var r *refusal
	switch {
	case errors.As(err, &r):
		return sut.Failed(req, r.msg, a.res), nil
	case err != nil:
		return nil, err
	}
	return sut.OK(req, a.res), nil
}

func (a *action) decode(p any) error {
	if err := a.req.DecodeParams(p); err != nil {
		return refuse("%v", err)
	}
	return nil
}

func (a *action) client(ref string) (*vclient, error) {
	c, ok := a.v.clients[ref]
	if !ok {
		return nil, refuse("no client %q", ref)
	}
	return c, nil
}

func (a *action) register() error {
	var p sut.RegisterClientParams
	if err := a.decode(&p); err != nil {
		return err
	}
	if p.Ref == "" || a.v.clients[p.Ref] != nil {
		return refuse("client ref %q is empty or taken", p.Ref)
	}
	c := &vclient{ref: p.Ref, hetu: p.Hetu, given: p.Given, family: p.Family, birth: p.BirthDate}
	if c.given == "" {
		c.given = "Etunimi"
	}
	if c.family == "" {
		c.family = "Sukunimi"
	}
	if p.TemporaryID {
		c.hetu = ""
		c.tempRoot, c.tempExt = a.v.org.oid+".22.2025", fmt.Sprintf("T%06d", a.v.next())
	} else if b, ok := birthOf(p.Hetu); ok {
		c.birth = b
	}
	a.v.clients[p.Ref] = c
	a.res.Client = &sut.ClientIDs{Ref: c.ref, Hetu: c.hetu}
	if c.tempExt != "" {
		a.res.Client.TempID = c.tempRoot + "^" + c.tempExt
	}
	return nil
}

// birthOf reads the birth date of an identity code.
func birthOf(h string) (time.Time, bool) {
	if len(h) != 11 {
		return time.Time{}, false
	}
	century := map[byte]int{'+': 1800, '-': 1900, 'Y': 1900, 'X': 1900, 'W': 1900, 'V': 1900, 'U': 1900,
		'A': 2000, 'B': 2000, 'C': 2000, 'D': 2000, 'E': 2000, 'F': 2000}[h[6]]
	d, err1 := strconv.Atoi(h[0:2])
	m, err2 := strconv.Atoi(h[2:4])
	y, err3 := strconv.Atoi(h[4:6])
	if century == 0 || err1 != nil || err2 != nil || err3 != nil {
		return time.Time{}, false
	}
	return time.Date(century+y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

// consent is the guardian-disclosure code of a document of the clients: the
// given code, the client's, or "1", when one of them is a minor.
func consent(clients []*vclient, t time.Time, code string) string {
	minor := false
	for _, c := range clients {
		if c.minorAt(t) {
			minor = true
			if code == "" {
				code = c.guardian
			}
		}
	}
	if !minor {
		return ""
	}
	if code == "" {
		code = "1"
	}
	return code
}

func (a *action) openRelation() error {
	var p sut.ClientRelationParams
	if err := a.decode(&p); err != nil {
		return err
	}
	c, err := a.client(p.ClientRef)
	if err != nil {
		return err
	}
	if p.GuardianDisclosure != "" {
		c.guardian = p.GuardianDisclosure
	}
	task := cmpOr(p.ServiceTask, "24")
	if c.crd != nil && !c.crd.annulled {
		if c.crd.last.ended.IsZero() {
			return refuse("client %s already has a client relation", c.ref)
		}
		// A renewed need: the same document, started again.
		x := a.nextVersion(c.crd)
		x.ended = time.Time{}
		if !slices.Contains(x.tasks, task) {
			x.tasks = append(x.tasks, task)
		}
		return a.send(c.crd, x)
	}
	return a.createRelation(c, task)
}

func (a *action) createRelation(c *vclient, task string) error {
	now := time.Now()
	n := a.v.next()
	d := &vdoc{ref: c.ref, kind: kindRelation, clients: []*vclient{c}, start: now,
		relationship: fmt.Sprintf("%s.97.%d", a.v.org.oid, n)}
	x := &version{number: 1, time: now, tasks: []string{task}, signer: "system"}
	if err := a.create(d, x); err != nil {
		return err
	}
	c.crd = d
	return nil
}

func (a *action) changeRelation(end bool) error {
	var p sut.ClientRelationParams
	if err := a.decode(&p); err != nil {
		return err
	}
	c, err := a.client(p.ClientRef)
	if err != nil {
		return err
	}
	if c.crd == nil || c.crd.annulled {
		return refuse("client %s has no client relation", c.ref)
	}
	if p.GuardianDisclosure != "" {
		c.guardian = p.GuardianDisclosure
	}
	x := a.nextVersion(c.crd)
	if end {
		if !x.ended.IsZero() {
			return refuse("the client relation of %s has ended already", c.ref)
		}
		x.ended = x.time
	}
	return a.send(c.crd, x)
}

func (a *action) replaceTemporaryID() error {
	var p sut.ReplaceTemporaryIDParams
	if err := a.decode(&p); err != nil {
		return err
	}
	c, err := a.client(p.ClientRef)
	if err != nil {
		return err
	}
	if c.tempExt == "" || c.hetu != "" {
		return refuse("client %s has no temporary identifier to replace", c.ref)
	}
	c.hetu = p.Hetu
	if b, ok := birthOf(p.Hetu); ok {
		c.birth = b
	}
	if c.crd == nil || c.crd.annulled {
		return nil
	}
	// The client relation document gets the identity code first.
	if err := a.send(c.crd, a.nextVersion(c.crd)); err != nil {
		c.hetu = ""
		return err
	}
	return nil
}

func (a *action) openCase() error {
	var p sut.CaseParams
	if err := a.decode(&p); err != nil {
		return err
	}
	if p.CaseRef == "" || a.v.cases[p.CaseRef] != nil || len(p.ClientRefs) == 0 {
		return refuse("open-case needs a new caseRef and its clients")
	}
	var clients []*vclient
	for _, r := range p.ClientRefs {
		c, err := a.client(r)
		if err != nil {
			return err
		}
		clients = append(clients, c)
	}
	task := cmpOr(p.ServiceTask, "24")
	for _, c := range clients {
		switch {
		case c.crd == nil || c.crd.annulled:
			if err := a.createRelation(c, task); err != nil {
				return err
			}
		case !slices.Contains(c.crd.last.tasks, task):
			// The case's service task goes into the client relation
			// document first (wire profile, Cases).
			x := a.nextVersion(c.crd)
			x.tasks = append(x.tasks, task)
			if err := a.send(c.crd, x); err != nil {
				return err
			}
		}
	}
	now := time.Now()
	cs := &vcase{ref: p.CaseRef, id: fmt.Sprintf("%s.96.%d", a.v.org.oid, a.v.next()), name: cmpOr(p.CaseName, "Sosiaalihuollon asia"),
		task: task, clients: clients}
	d := &vdoc{ref: cs.ref, kind: kindCase, clients: clients, cse: cs, start: now}
	if err := a.create(d, &version{number: 1, time: now, signer: "system"}); err != nil {
		return err
	}
	cs.doc = d
	a.v.cases[cs.ref] = cs
	a.res.CaseID = cs.id
	return nil
}

func (a *action) closeCase() error {
	var p sut.CaseParams
	if err := a.decode(&p); err != nil {
		return err
	}
	cs, ok := a.v.cases[p.CaseRef]
	if !ok || cs.closed || cs.doc.annulled {
		return refuse("case %q is unknown, closed or annulled", p.CaseRef)
	}
	x := a.nextVersion(cs.doc)
	x.ended = x.time
	if err := a.send(cs.doc, x); err != nil {
		return err
	}
	cs.closed = true
	a.res.CaseID = cs.id
	return nil
}

func (a *action) store() error {
	var p sut.DocumentParams
	if err := a.decode(&p); err != nil {
		return err
	}
	k := kind(p.Type)
	switch {
	case k != kindDecision && k != kindPlan && k != kindJournal && k != kindOther && k != kindAttachment:
		return refuse("document type %q", p.Type)
	case p.DocRef == "" || a.v.docs[p.DocRef] != nil:
		return refuse("docRef %q is empty or taken", p.DocRef)
	}
	var main *vdoc
	if k == kindAttachment {
		main = a.v.docs[p.MainDocRef]
		if main == nil || main.annulled {
			return refuse("main document %q is unknown or annulled", p.MainDocRef)
		}
		if p.CaseRef == "" {
			p.CaseRef = main.cse.ref
		}
	}
	cs, ok := a.v.cases[p.CaseRef]
	switch {
	case !ok || cs.doc.annulled:
		return refuse("case %q is unknown or annulled", p.CaseRef)
	case cs.closed:
		return refuse("case %q is closed: nothing can be added to it", p.CaseRef)
	}
	clients := cs.clients
	if len(p.ClientRefs) > 0 {
		clients = nil
		for _, r := range p.ClientRefs {
			c, err := a.client(r)
			if err != nil {
				return err
			}
			clients = append(clients, c)
		}
	}
	if err := a.refreshCase(cs); err != nil {
		return err
	}
	now := time.Now()
	d := &vdoc{ref: p.DocRef, kind: k, clients: clients, cse: cs, main: main, start: now, description: p.Description}
	if (k == kindOther || k == kindAttachment) && d.description == "" {
		d.description = map[kind]string{kindOther: "Muu asiakasasiakirja", kindAttachment: "Liite"}[k]
	}
	x := &version{number: 1, time: now, text: "Asiakkaan tilanne käytiin läpi tapaamisessa.", signer: cmpOr(p.Signature, "professional"),
		restriction: p.RestrictionGround, consent: consent(clients, now, p.GuardianDisclosure)}
	if p.DelayUntil != nil {
		x.delay = *p.DelayUntil
	}
	return a.create(d, x)
}

// refreshCase stores a new version of an open case's document when it
// still names a client by a temporary identifier the identity code has
// replaced (wire profile, Temporary identifiers).
func (a *action) refreshCase(cs *vcase) error {
	if cs.closed || cs.doc.annulled {
		return nil
	}
	for i, c := range cs.doc.clients {
		if c.hetu != "" && cs.doc.last.clientIDs[i] != oidHetu+"^"+c.hetu {
			return a.send(cs.doc, a.nextVersion(cs.doc))
		}
	}
	return nil
}

func (a *action) newVersion() error {
	var p sut.VersionParams
	if err := a.decode(&p); err != nil {
		return err
	}
	d := a.v.docs[p.DocRef]
	if d == nil {
		if cs, ok := a.v.cases[p.DocRef]; ok {
			d = cs.doc
		} else if c, ok := a.v.clients[p.DocRef]; ok {
			d = c.crd
		}
	}
	switch {
	case d == nil:
		return refuse("unknown document %q", p.DocRef)
	case d.annulled:
		return refuse("document %q is annulled", p.DocRef)
	case d.cse != nil && d.kind != kindCase && d.cse.closed:
		return refuse("document %q is in a closed case", p.DocRef)
	}
	if d.cse != nil && d.kind != kindCase {
		if err := a.refreshCase(d.cse); err != nil {
			return err
		}
	}
	x := a.nextVersion(d)
	if p.Reason != "" && d.kind != kindRelation && d.kind != kindCase {
		x.correction, x.text = true, p.Reason
	}
	return a.send(d, x)
}

func (a *action) annul() error {
	var p sut.AnnulParams
	if err := a.decode(&p); err != nil {
		return err
	}
	target, ref, err := p.Target()
	if err != nil {
		return refuse("%v", err)
	}
	var t *vdoc
	switch target {
	case sut.AnnulDocument:
		t = a.v.docs[ref]
	case sut.AnnulCase:
		if cs, ok := a.v.cases[ref]; ok {
			t = cs.doc
		}
	case sut.AnnulClientRelation:
		if c, ok := a.v.clients[ref]; ok {
			t = c.crd
		}
	}
	if t == nil || t.annulled {
		return refuse("nothing live to annul for %s %q", target, ref)
	}
	// Whatever refers to the target goes first: attachments, client
	// documents, cases, then the client relation document.
	layer := func(d *vdoc) int {
		switch d.kind {
		case kindAttachment:
			return 0
		case kindCase:
			return 2
		case kindRelation:
			return 3
		}
		return 1
	}
	var order []*vdoc
	for _, d := range a.v.all {
		if d == t || d.annulled {
			continue
		}
		refers := false
		switch t.kind {
		case kindRelation:
			refers = d.kind != kindRelation && slices.Contains(d.clients, t.clients[0])
		case kindCase:
			refers = d.cse == t.cse && d.kind != kindCase
		default:
			refers = d.main == t
		}
		if refers {
			order = append(order, d)
		}
	}
	slices.SortStableFunc(order, func(x, y *vdoc) int {
		if c := layer(x) - layer(y); c != 0 {
			return c
		}
		return x.seq - y.seq
	})
	order = append(order, t)
	for _, d := range order {
		x := a.nextVersion(d)
		x.annul, x.text = true, cmpOr(p.Reason, "Kirjattu virheellisesti")
		if err := a.send(d, x); err != nil {
			return err
		}
		d.annulled = true
	}
	return nil
}

// nextVersion is d's next version, made now, with the clients as they are
// known now.
func (a *action) nextVersion(d *vdoc) *version {
	x := *d.last
	x.id, x.prev, x.number, x.time = "", d.last.id, d.last.number+1, time.Now()
	x.tasks = slices.Clone(d.last.tasks)
	x.annul, x.correction = false, false
	if d.kind == kindRelation || d.kind == kindCase {
		x.consent = ""
	}
	return &x
}

// create sends a new document's first version and records the document.
func (a *action) create(d *vdoc, x *version) error {
	n := a.v.next()
	x.id = fmt.Sprintf("%s.95.2025.%d", a.v.org.oid, n)
	d.setID = x.id
	if err := a.send(d, x); err != nil {
		return err
	}
	d.seq = n
	a.v.all = append(a.v.all, d)
	if d.kind != kindRelation && d.kind != kindCase {
		a.v.docs[d.ref] = d
	}
	return nil
}

// send builds, signs and sends one version and records it as the
// document's latest when the archive accepts it.
func (a *action) send(d *vdoc, x *version) error {
	if x.id == "" {
		x.id = fmt.Sprintf("%s.95.2025.%d", a.v.org.oid, a.v.next())
	}
	if x.consent == "" {
		x.consent = consent(d.clients, x.time, "")
	}
	x.clientIDs = nil
	for _, c := range d.clients {
		x.clientIDs = append(x.clientIDs, c.identifier())
	}
	doc, err := a.v.document(d, x)
	if err != nil {
		return fmt.Errorf("build %s %s version %d: %w", d.kind, d.ref, x.number, err)
	}
	msgID := strconv.Itoa(4000000 + a.v.next())
	frame, err := a.v.frame(d, x, msgID)
	if err != nil {
		return fmt.Errorf("build the frame of %s %s: %w", d.kind, d.ref, err)
	}
	a.res.MessageIDs = append(a.res.MessageIDs, a.v.org.oid+"^"+msgID)
	a.res.Documents = append(a.res.Documents, sut.DocumentRef{Ref: d.ref, DocumentID: x.id, SetID: d.setID, Version: x.number, Kind: d.kind.protocol()})
	typ, details, err := a.post(frame, doc)
	if err != nil {
		return err
	}
	if typ != "AA" {
		return refuse("the archive answered %s to %s %s version %d: %s", typ, d.kind, d.ref, x.number, details)
	}
	d.last = x
	return nil
}

// identifier is the client's id as the documents name it, root^extension.
func (c *vclient) identifier() string {
	if c.hetu != "" {
		return oidHetu + "^" + c.hetu
	}
	return c.tempRoot + "^" + c.tempExt
}

func cmpOr(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// ts is an HL7 time stamp.
func ts(t time.Time) string { return t.Format("20060102150405-0700") }

// document edits the sample document of the kind into the version.
func (v *vendor) document(d *vdoc, x *version) ([]byte, error) {
	tpl := "plan"
	if d.kind == kindRelation || d.kind == kindCase {
		tpl = "crd"
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(v.templates[tpl]); err != nil {
		return nil, fmt.Errorf("read the %s sample: %w", tpl, err)
	}
	root := doc.Root()
	sampleJSON, err := sampleContent(root)
	if err != nil {
		return nil, err
	}
	walk(root, "id").SelectAttr("root").Value = x.id
	walk(root, "setId").SelectAttr("root").Value = d.setID
	walk(root, "versionNumber").SelectAttr("value").Value = strconv.Itoa(x.number)
	walk(root, "effectiveTime").SelectAttr("value").Value = ts(x.time)
	code := walk(root, "code")
	clear(code)
	switch d.kind {
	case kindRelation, kindCase:
		attrs(code, "nullFlavor", "NA")
	case kindPlan:
		attrs(code, "code", "15", "codeSystem", sysDocumentType)
	case kindDecision:
		attrs(code, "code", typeDecision, "codeSystem", sysDocumentType)
	case kindJournal:
		attrs(code, "code", typeJournal, "codeSystem", sysDocumentType)
	default:
		attrs(code, "code", typeOther, "codeSystem", sysDocumentType)
	}

	// The clients.
	drop(root, nsHL7, "recordTarget")
	for _, c := range d.clients {
		role := insertBefore(root, "recordTarget", "author").CreateElement("patientRole")
		idRoot, ext, _ := strings.Cut(c.identifier(), "^")
		attrs(role.CreateElement("id"), "root", idRoot, "extension", ext)
		pat := role.CreateElement("patient")
		name := pat.CreateElement("name")
		name.CreateElement("given").SetText(c.given)
		name.CreateElement("family").SetText(c.family)
		if g := c.gender(); g != "" {
			attrs(pat.CreateElement("administrativeGenderCode"), "code", g, "codeSystem", sysGenderCDA)
		}
		if !c.birth.IsZero() {
			attrs(pat.CreateElement("birthTime"), "value", c.birth.Format("20060102"))
		}
	}

	// The author: the professional, or no one in a client relation document.
	author := walk(root, "author")
	for _, c := range author.ChildElements() {
		author.RemoveChild(c)
	}
	if d.kind == kindRelation {
		attrs(author.CreateElement("time"), "nullFlavor", "NA")
		attrs(author.CreateElement("assignedAuthor").CreateElement("id"), "nullFlavor", "NA")
	} else {
		attrs(author.CreateElement("time"), "value", ts(x.time))
		aa := author.CreateElement("assignedAuthor")
		attrs(aa.CreateElement("id"), "root", oidRegistration, "extension", v.pro.registration)
		n := aa.CreateElement("assignedPerson").CreateElement("name")
		n.CreateElement("given").SetText(v.pro.given)
		n.CreateElement("family").SetText(v.pro.family)
	}
	org := walk(root, "custodian", "assignedCustodian", "representedCustodianOrganization")
	walk(org, "id").SelectAttr("root").Value = v.org.oid
	walk(org, "name").SetText(v.org.name)

	// The version replaced and the guardians' disclosure.
	drop(root, nsHL7, "relatedDocument")
	drop(root, nsHL7, "authorization")
	if x.prev != "" {
		rd := attrs(insertBefore(root, "relatedDocument", "authorization", "componentOf"), "typeCode", "RPLC")
		pd := rd.CreateElement("parentDocument")
		attrs(pd.CreateElement("id"), "root", x.prev)
		attrs(pd.CreateElement("setId"), "root", d.setID)
		attrs(pd.CreateElement("versionNumber"), "value", strconv.Itoa(x.number-1))
	}
	if x.consent != "" {
		cons := insertBefore(root, "authorization", "componentOf").CreateElement("consent")
		attrs(cons.CreateElement("code"), "code", x.consent, "codeSystem", sysConsent)
		attrs(cons.CreateElement("statusCode"), "code", "completed")
	}

	// The case.
	task := "24"
	if d.cse != nil {
		task = d.cse.task
	} else if len(x.tasks) > 0 {
		task = x.tasks[0]
	}
	u := v.org.unit(task)
	enc := walk(root, "componentOf", "encompassingEncounter")
	for _, c := range enc.ChildElements() {
		enc.RemoveChild(c)
	}
	if d.cse != nil {
		attrs(enc.CreateElement("id"), "root", d.cse.id)
	} else {
		attrs(enc.CreateElement("id"), "nullFlavor", "NA")
	}
	et := enc.CreateElement("effectiveTime")
	if d.kind == kindCase {
		attrs(et.CreateElement("low"), "value", d.start.Format("20060102"))
		if !x.ended.IsZero() {
			attrs(et.CreateElement("high"), "value", x.ended.Format("20060102"))
		}
	} else {
		attrs(et, "nullFlavor", "NA")
	}
	ae := attrs(enc.CreateElement("encounterParticipant"), "typeCode", "ADM").CreateElement("assignedEntity")
	attrs(ae.CreateElement("id"), "nullFlavor", "NA")
	ro := ae.CreateElement("representedOrganization")
	attrs(ro.CreateElement("id"), "root", u.oid)
	ro.CreateElement("name").SetText(u.name)

	// The localSocialHeader.
	hEl := walk(root, "fi:localSocialHeader")
	h := header{el: hEl, prefix: hEl.Space}
	v.localHeader(h, d, x, task)

	// The content and the display form.
	content, title, err := v.content(sampleJSON, d, x)
	if err != nil {
		return nil, err
	}
	body := walk(root, "component", "nonXMLBody")
	body.SelectAttr("ID").Value = "OID" + x.id
	text := walk(body, "text")
	clear(text)
	jsonEl := kid(body, nsHL7FI, "json")
	if content == nil {
		attrs(text, "mediaType", "application/pdf", "representation", "B64")
		text.SetText(base64.StdEncoding.EncodeToString(pdfA(title)))
		if jsonEl != nil {
			body.RemoveChild(jsonEl)
		}
	} else {
		attrs(text, "mediaType", "application/xhtml+xml", "representation", "B64")
		text.SetText(base64.StdEncoding.EncodeToString(xhtml(x.id, title, content)))
		b, err := jsonMarshal(content)
		if err != nil {
			return nil, err
		}
		jsonEl.Child = nil
		jsonEl.SetText(base64.StdEncoding.EncodeToString(b))
	}

	// The signatures: the sample's go, the vendor's own come.
	if coll := kid(hEl, nsHL7FI, "signatureCollection"); coll != nil {
		for _, c := range coll.ChildElements() {
			coll.RemoveChild(c)
		}
	}
	key, cert, typ := v.keys.systemKey, v.keys.systemCert, "3"
	if x.signer == "professional" && d.kind != kindRelation && d.kind != kindCase {
		key, cert, typ = v.keys.proKey, v.keys.proCert, "1"
		sg := h.set("signature")
		sg.CreateElement(h.tag("assignedAuthorSigner")).SetText(v.pro.registration)
		n := sg.CreateElement(h.tag("signer")).CreateElement(h.tag("name"))
		n.CreateElement(h.tag("given")).SetText(v.pro.given)
		n.CreateElement(h.tag("family")).SetText(v.pro.family)
		attrs(sg.CreateElement(h.tag("authenticationMethod")), "code", "1", "codeSystem", sysAuthMethod)
		attrs(sg.CreateElement(h.tag("time")), "value", ts(x.time))
	}
	if err := signature.Sign(doc, key, cert, signature.SignOptions{Type: typ, Time: x.time, ID: "esim-sig-" + strconv.Itoa(v.next())}); err != nil {
		return nil, err
	}
	return doc.WriteToBytes()
}

// localHeader writes the localSocialHeader of the version, editing the
// sample's.
func (v *vendor) localHeader(h header, d *vdoc, x *version, task string) {
	h.remove("signature")
	h.set("creationTime", "value", ts(x.time))
	h.set("softwareSupport", "moderator", "Esimerkki Oy", "product", "Esimerkki Sosiaali", "version", "5.0")
	status := statusReady
	if x.annul {
		status = statusAnnulled
	}
	h.code("recordStatus", status, sysRecordStatus)
	h.set("outsourcingServiceCustomer", "root", v.org.oid)
	h.text("outsourcingServiceCustomerName", v.org.name)
	special := "E"
	if x.restriction != "" || !x.delay.IsZero() {
		special = "K"
	}
	h.code("specialContent", special, sysSpecial)
	for _, el := range []string{"specificDocumentType", "functionCode", "serviceProcess", "socialService", "encompassingClientRelationship",
		"caseName", "caseStatus", "caseClient", "authorizationRestrictionArgument", "inaccessibleArgument", "delayDate",
		"reasonOfCorrection", "description", "mainDocument", "serviceProvider", "serviceProviderName"} {
		h.remove(el)
	}
	structured := d.kind != kindOther && d.kind != kindAttachment
	if structured {
		h.code("fileFormat", formatXHTML, sysFileFormat)
		h.code("structuredFileFormat", "5", "1.2.246.537.5.40179.2008")
	} else {
		h.code("fileFormat", formatPDF, sysFileFormat)
		h.remove("structuredFileFormat")
		h.remove("contentSpecificationId")
	}
	switch d.kind {
	case kindRelation:
		h.code("documentGroup", groupClientRelation, sysDocumentGroup)
		h.text("contentSpecificationId", specClientRelation)
		h.set("encompassingClientRelationship", "root", d.relationship)
		return
	case kindCase:
		h.code("documentGroup", groupCase, sysDocumentGroup)
		h.code("functionCode", task, sysFunctionCode)
		h.text("contentSpecificationId", specCase)
		cn := h.code("caseName", "99", sysCaseNameCDA)
		cn.CreateElement(h.tag("originalText")).SetText(d.cse.name)
		status := caseOpen
		if !x.ended.IsZero() {
			status = caseClosed
		}
		h.code("caseStatus", status, sysCaseStatus)
		for _, id := range x.clientIDs {
			r, e, _ := strings.Cut(id, "^")
			insertAfterLast(h.el, attrs(etree.NewElement(h.tag("caseClient")), "root", r, "extension", e))
		}
		return
	}
	group, specific, spec := groupClientDocument, "", ""
	switch d.kind {
	case kindPlan:
		specific, spec = "15007", specPlan
	case kindDecision:
		specific, spec = "11001", specDecision
	case kindJournal:
		group, specific, spec = groupJournal, "19005", specJournal
	case kindOther:
		specific = typeOther
	case kindAttachment:
		specific = typeAttachment
	}
	h.code("documentGroup", group, sysDocumentGroup)
	h.code("specificDocumentType", specific, sysDocumentType)
	h.code("functionCode", task, sysFunctionCode)
	if spec != "" {
		h.text("contentSpecificationId", spec)
	}
	sp := h.set("serviceProcess")
	sp.CreateElement(h.tag("type")).SetText("Sosiaalihuollon palveluprosessi")
	attrs(sp.CreateElement(h.tag("code")), "code", "3", "codeSystem", sysServiceProc)
	if x.restriction != "" {
		h.code("inaccessibleArgument", x.restriction, sysRestriction)
	}
	if !x.delay.IsZero() {
		h.set("delayDate", "value", x.delay.Format("20060102"))
	}
	desc := d.description
	if x.correction {
		h.code("reasonOfCorrection", correctionWriting, sysCorrection)
		desc = strings.TrimSpace(desc + " " + v.pro.title)
	}
	if desc != "" {
		h.text("description", desc)
	}
	if d.main != nil {
		h.set("mainDocument", "root", d.main.setID)
	}
}

// insertAfterLast puts el after the header's last caseClient or caseStatus.
func insertAfterLast(h *etree.Element, el *etree.Element) {
	pos := -1
	for i, tok := range h.Child {
		if c, ok := tok.(*etree.Element); ok && (c.Tag == "caseStatus" || c.Tag == "caseClient") {
			pos = i
		}
	}
	h.InsertChildAt(pos+1, el)
}

// content returns the structured content of the version (nil for a PDF
// document) and the document's title.
func (v *vendor) content(sample map[string]any, d *vdoc, x *version) (map[string]any, string, error) {
	switch d.kind {
	case kindRelation:
		c, err := v.clientRelationContent(sample, d, x)
		return c, "Asiakkuusasiakirja", err
	case kindCase:
		return v.caseContent(d, x), "Asia-asiakirja", nil
	case kindPlan:
		if x.text == "" {
			x.text = "Asiakkaan tilanne käytiin läpi."
		}
		c, err := v.planContent(sample, d, x)
		return c, "Lapsiperheiden palvelujen asiakassuunnitelma", err
	case kindDecision:
		return v.decisionContent(d, x), "Lapsiperheiden palvelupäätös", nil
	case kindJournal:
		return v.journalContent(d, x), "Merkintä tapaamisesta tai yhteydenotosta", nil
	}
	return nil, d.description, nil
}

// sampleContent decodes the sample's structured content (base64 split by
// white space and comments, as real vendors send it).
func sampleContent(root *etree.Element) (map[string]any, error) {
	j := kid(walk(root, "component", "nonXMLBody"), nsHL7FI, "json")
	if j == nil {
		return nil, errors.New("the sample has no hl7fi:json")
	}
	var b strings.Builder
	for _, tok := range j.Child {
		if cd, ok := tok.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b.String()), ""))
	if err != nil {
		return nil, fmt.Errorf("decode the sample's content: %w", err)
	}
	return decodeJSON(raw)
}

// frame edits the sample frame into the frame of the version.
func (v *vendor) frame(d *vdoc, x *version, msgID string) ([]byte, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(v.templates["frame"]); err != nil {
		return nil, fmt.Errorf("read the frame sample: %w", err)
	}
	root := doc.Root()
	id := walk(root, "id")
	clear(id)
	attrs(id, "root", v.org.oid, "extension", msgID)
	walk(root, "creationTime").SelectAttr("value").Value = ts(x.time)
	walk(root, "sender", "device", "id").SelectAttr("root").Value = v.org.oid
	ca := walk(root, "controlActProcess")
	for _, rc := range kids(ca, nsHL7, "reasonCode") {
		if rc.SelectAttrValue("codeSystem", "") == sysServiceReq {
			clear(rc)
			attrs(rc, "code", serviceRequest(d, x), "codeSystem", sysServiceReq)
		}
	}
	person := walk(ca, "authorOrPerformer", "assignedPerson")
	walk(person, "id").SelectAttr("extension").Value = v.pro.hetu
	n := walk(person, "assignedPerson", "name")
	walk(n, "family").SetText(v.pro.family)
	walk(n, "given").SetText(v.pro.given)
	task := "24"
	if d.cse != nil {
		task = d.cse.task
	}
	u := v.org.unit(task)
	walk(person, "representedOrganization", "id").SelectAttr("root").Value = u.oid
	walk(person, "representedOrganization", "name").SetText(u.name)

	cd := walk(ca, "subject", "clinicalDocument")
	walk(cd, "id").SelectAttr("root").Value = x.id
	walk(cd, "setId").SelectAttr("root").Value = d.setID
	walk(cd, "versionNumber").SelectAttr("value").Value = strconv.Itoa(x.number)
	walk(cd, "effectiveTime").SelectAttr("value").Value = ts(x.time)
	text := walk(cd, "text")
	for _, c := range text.ChildElements() {
		text.RemoveChild(c)
	}
	attrs(text.CreateElement("reference"), "value", "cid:document@esimerkki.example")
	drop(cd, nsHL7, "recordTarget")
	for _, c := range d.clients {
		rt := attrs(insertBefore(cd, "recordTarget", "author", "custodian"), "typeCode", "RCT")
		pat := attrs(rt.CreateElement("patient"), "classCode", "PAT")
		r, e, _ := strings.Cut(c.identifier(), "^")
		attrs(pat.CreateElement("id"), "root", r, "extension", e)
		attrs(pat.CreateElement("statusCode"), "code", "normal")
		pp := attrs(pat.CreateElement("patientPerson"), "classCode", "PSN", "determinerCode", "INSTANCE")
		name := pp.CreateElement("name")
		name.CreateElement("family").SetText(c.family)
		name.CreateElement("given").SetText(c.given)
		if !c.birth.IsZero() {
			attrs(pp.CreateElement("birthTime"), "value", c.birth.Format("20060102"))
		}
	}
	aa := walk(cd, "author", "assignedAuthor")
	walk(aa, "id").SelectAttr("extension").Value = v.pro.hetu
	an := walk(aa, "assignedPerson", "name")
	walk(an, "family").SetText(v.pro.family)
	walk(an, "given").SetText(v.pro.given)
	walk(cd, "custodian", "assignedCustodian", "representedOrganization", "id").SelectAttr("root").Value = v.org.oid
	return doc.WriteToBytes()
}

// serviceRequest is the control act's service request: the group's own,
// as the public samples show (SP1, SP17), for first and new versions, and
// the wire profile's operation code for annulments (both are allowed).
func serviceRequest(d *vdoc, x *version) string {
	switch {
	case x.annul:
		return srAnnul
	case d.kind == kindRelation:
		return srClientRelation
	case d.kind == kindCase:
		return srCase
	}
	return srClientDocument
}

// post sends the frame and the document as SOAP 1.1 with attachments and
// returns the acknowledgement's type code and details.
func (a *action) post(frame, doc []byte) (string, string, error) {
	frame = regexp.MustCompile(`^<\?xml[^>]*\?>\s*`).ReplaceAll(bytes.TrimPrefix(frame, []byte("\xef\xbb\xbf")), nil)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	envelope := `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		string(frame) + `</soap:Body></soap:Envelope>`
	p, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {`text/xml; charset=utf-8`}, "Content-Id": {"<envelope@esimerkki.example>"}})
	if err != nil {
		return "", "", err
	}
	io.WriteString(p, envelope)
	p, err = mw.CreatePart(textproto.MIMEHeader{"Content-Type": {`text/xml; charset=utf-8`}, "Content-Id": {"<document@esimerkki.example>"}})
	if err != nil {
		return "", "", err
	}
	p.Write(doc)
	mw.Close()
	req, err := http.NewRequestWithContext(a.ctx, http.MethodPost, a.req.Archive, &body)
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Content-Type", fmt.Sprintf(`multipart/related; type="text/xml"; start="<envelope@esimerkki.example>"; boundary=%q`, mw.Boundary()))
	req.Header.Set("SOAPAction", `"urn:hl7-org:v3:RCMR_IN200002FI01"`)
	resp, err := a.v.http.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("send to the archive: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return "", "", fmt.Errorf("read the archive's answer: %w", err)
	}
	ack := etree.NewDocument()
	if err := ack.ReadFromBytes(b); err != nil {
		return "", "", fmt.Errorf("the archive answered HTTP %d, not XML: %w", resp.StatusCode, err)
	}
	el := ack.FindElement("//acknowledgement")
	if el == nil {
		return "", "", fmt.Errorf("the archive answered HTTP %d without an acknowledgement: %.300s", resp.StatusCode, b)
	}
	var details []string
	for _, det := range el.FindElements(".//acknowledgementDetail") {
		code := ""
		if c := det.FindElement("code"); c != nil {
			code = c.SelectAttrValue("code", "")
		}
		txt := ""
		if t := det.FindElement("text"); t != nil {
			txt = t.Text()
		}
		details = append(details, code+" "+txt)
	}
	// The wire profile's form is <typeCode code="AA"/> (HL7 V3 NE2008);
	// the attribute form is read too.
	typ := el.SelectAttrValue("typeCode", "")
	if tc := el.FindElement("typeCode"); tc != nil {
		typ = tc.SelectAttrValue("code", typ)
	}
	return typ, strings.Join(details, "; "), nil
}

// jsonMarshal writes the content as compact UTF-8 JSON.
func jsonMarshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := jsonEncoder(&b)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode content: %w", err)
	}
	return bytes.TrimSpace(b.Bytes()), nil
}
