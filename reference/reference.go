package reference

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// Name is the system's name in its describe answer.
const Name = "Yhteistestaus reference system"

// Version is the system's version in its describe answer.
const Version = "1"

// DefaultOrganisation is the register keeper (rekisterinpitäjä) the system
// archives for unless Options say otherwise: the organisation and service
// unit of the public sample messages.
func DefaultOrganisation() compose.Organisation {
	return compose.Organisation{
		OID: "1.2.246.10.32213561.10.0", Name: "Vantaan ja Keravan hyvinvointialue",
		ServiceUnitOID:  "1.2.246.10.1246109.10.2001213",
		ServiceUnitName: "Lapsiperheiden palvelutarpeen arviointi, Vantaan ja Keravan hyvinvointialue",
	}
}

// DefaultProfessional is the social-welfare professional (sosiaalihuollon
// ammattihenkilö) who uses the system unless Options say otherwise: the
// test professional of the public samples.
func DefaultProfessional() *compose.Professional {
	return &compose.Professional{
		Hetu: "080779-998C", RegistrationNumber: "25104559650",
		Given: "Angelica", Family: "Johansson", Title: "sosiaalityöntekijä",
	}
}

// Keys are the system's signing keys: the system signature
// (järjestelmäallekirjoitus) key and the professional's signature key,
// each with its certificate.
type Keys struct {
	SystemKey        crypto.Signer
	SystemCert       *x509.Certificate
	ProfessionalKey  crypto.Signer
	ProfessionalCert *x509.Certificate
}

// NewKeys makes two test certificates (signature.NewTestCertificate) valid
// from an hour before now for a year. Key generation is slow: make the
// keys once and share them between Systems.
func NewKeys(now time.Time) (*Keys, error) {
	sk, sc, err := signature.NewTestCertificate("Yhteistestaus reference system", now)
	if err != nil {
		return nil, fmt.Errorf("system signature key: %w", err)
	}
	pk, pc, err := signature.NewTestCertificate("Yhteistestaus reference professional", now)
	if err != nil {
		return nil, fmt.Errorf("professional signature key: %w", err)
	}
	return &Keys{SystemKey: sk, SystemCert: sc, ProfessionalKey: pk, ProfessionalCert: pc}, nil
}

// Options configure a System. The zero value is a usable system.
type Options struct {
	// Organisation is the register keeper and its service unit;
	// DefaultOrganisation when its OID is empty.
	Organisation compose.Organisation
	// Professional is the user who writes and signs the documents;
	// DefaultProfessional when nil.
	Professional *compose.Professional
	// Keys sign the documents; New makes new ones (slowly) when nil.
	Keys *Keys
	// SOAPVersion is "1.1" (default) or "1.2".
	SOAPVersion string
	// Packaging is how the document travels: "swa" (default),
	// "inline-base64" or "mtom".
	Packaging string
	// HTTPClient sends the messages; nil means a client with a 30 s
	// timeout. The request's context bounds every exchange.
	HTTPClient *http.Client
	// Now is the system's clock; nil means time.Now.
	Now func() time.Time
	// Seed makes the identifiers of this System differ from those of
	// another System archiving into the same archive session: document
	// ids are ORG.95777.SEED.N, case ids ORG.95778.SEED.N, temporary
	// identifiers ORG.95779.SEED^N, and the message ids ORG^SEED followed
	// by N in seven digits.
	// Zero means 1.
	Seed uint32
	// Faults name the faults to inject (Faults lists them).
	Faults []string
}

// System is the reference vendor system. It implements sut.Driver and is
// safe for concurrent use; actions run one at a time.
type System struct {
	org          compose.Organisation
	professional *compose.Professional
	keys         *Keys
	soapVersion  string
	packaging    wire.Packaging
	client       *http.Client
	now          func() time.Time
	seed         uint32
	faults       []activeFault

	mu       sync.Mutex
	counters counters
	st       *state
}

// counters number the identifiers the system issues; they survive a reset
// so that no identifier is ever issued twice.
type counters struct {
	doc, cse, temp, msg, hetu int
}

var _ sut.Driver = (*System)(nil)

// New returns a System configured by opts. Unknown fault names are an
// error that lists the known ones.
func New(opts Options) (*System, error) {
	s := &System{
		org:          opts.Organisation,
		professional: opts.Professional,
		keys:         opts.Keys,
		soapVersion:  opts.SOAPVersion,
		client:       opts.HTTPClient,
		now:          opts.Now,
		seed:         opts.Seed,
		st:           newState(),
	}
	if s.org.OID == "" {
		s.org = DefaultOrganisation()
	}
	if s.professional == nil {
		s.professional = DefaultProfessional()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.seed == 0 {
		s.seed = 1
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 30 * time.Second}
	}
	switch s.soapVersion {
	case "":
		s.soapVersion = "1.1"
	case "1.1", "1.2":
	default:
		return nil, fmt.Errorf("reference: SOAP version %q: want 1.1 or 1.2", opts.SOAPVersion)
	}
	pkg, err := parsePackaging(opts.Packaging)
	if err != nil {
		return nil, err
	}
	s.packaging = pkg
	if s.faults, err = activate(opts.Faults); err != nil {
		return nil, err
	}
	if s.keys == nil {
		if s.keys, err = NewKeys(s.now()); err != nil {
			return nil, fmt.Errorf("reference: %w", err)
		}
	}
	return s, nil
}

// parsePackaging reads a packaging name; empty means SwA.
func parsePackaging(name string) (wire.Packaging, error) {
	if name == "" {
		return wire.SwA, nil
	}
	for _, p := range []wire.Packaging{wire.InlineBase64, wire.SwA, wire.MTOM} {
		if strings.EqualFold(name, p.String()) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("reference: packaging %q: want %s, %s or %s", name, wire.InlineBase64, wire.SwA, wire.MTOM)
}

// Info returns the system's description, the result of describe.
func (s *System) Info() *sut.SystemInfo {
	var actions []sut.Action
	for _, a := range sut.Actions() {
		if a != sut.ActionSearch {
			actions = append(actions, a)
		}
	}
	return &sut.SystemInfo{
		Name:         Name,
		Vendor:       "Yhteistestaus",
		Version:      Version,
		Actions:      actions,
		Profiles:     []string{"vaihe2-kasittely", "vaihe2-tuottava", "vaihe2-lahettava"},
		Organisation: s.org.OID,
	}
}

// Do performs one action of the driver protocol. The archive's rejection
// of a message is an answer with status failed, not an error; an error
// means the archive could not be reached or answered nonsense.
func (s *System) Do(ctx context.Context, req sut.Request) (*sut.Answer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &action{s: s, ctx: ctx, req: req}
	var err error
	switch req.Action {
	case sut.ActionDescribe:
		return sut.OK(req, sut.Result{System: s.Info()}), nil
	case sut.ActionReset:
		s.st = newState()
		return sut.OK(req, sut.Result{}), nil
	case sut.ActionRegisterClient:
		err = a.registerClient()
	case sut.ActionOpenClientRelation:
		err = a.openClientRelation()
	case sut.ActionUpdateClientRelation:
		err = a.updateClientRelation()
	case sut.ActionEndClientRelation:
		err = a.endClientRelation()
	case sut.ActionReplaceTemporaryID:
		err = a.replaceTemporaryID()
	case sut.ActionOpenCase:
		err = a.openCase()
	case sut.ActionCloseCase:
		err = a.closeCase()
	case sut.ActionStoreDocument:
		err = a.storeDocument()
	case sut.ActionNewVersion:
		err = a.newVersion()
	case sut.ActionAnnul:
		err = a.annul()
	case sut.ActionSearch:
		return sut.Unsupported(req, "the archive has no query interface yet, so the reference system does not search"), nil
	default:
		return sut.Unsupported(req, fmt.Sprintf("unknown action %q", req.Action)), nil
	}
	var refused *refusal
	switch {
	case errors.As(err, &refused):
		if refused.unsupported {
			return sut.Unsupported(req, refused.msg), nil
		}
		return sut.Failed(req, refused.msg, a.res), nil
	case err != nil:
		return nil, fmt.Errorf("reference: %s: %w", req.Action, err)
	}
	return sut.OK(req, a.res), nil
}

// refusal is an action the system refuses or cannot complete: the answer
// is failed (or unsupported) with msg, not an error of Do.
type refusal struct {
	msg         string
	unsupported bool
}

func (r *refusal) Error() string { return r.msg }

// refuse returns a refusal with the formatted message.
func refuse(format string, args ...any) error {
	return &refusal{msg: fmt.Sprintf(format, args...)}
}

// unsupported returns a refusal answered as unsupported.
func unsupported(format string, args ...any) error {
	return &refusal{msg: fmt.Sprintf(format, args...), unsupported: true}
}
