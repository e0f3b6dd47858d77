// Package access says who may use a shared mock archive: the tokens file
// of `yhteistestaus serve --tokens FILE`, with one coordinator token and a
// token per vendor, and the caller a request's token identifies.
//
// A tokens file is YAML, read strictly (an unknown field is an error):
//
//	coordinator: 4a1f…            # optional; generated at start when missing
//	vendors:
//	  - name: acme                # 1-64 letters, digits, '.', '_', '-'
//	    token: 9c2e…              # 16-512 printable ASCII characters
//	    maxSessions: 20           # optional; 0 or absent: no quota of its own
//
// A request carries its token as `Authorization: Bearer <token>`.
package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"

	"github.com/yhteistestaus/yhteistestaus/datafile"
)

// CoordinatorName is the caller name of the coordinator, and the owner of
// the sessions it creates. No vendor may take it.
const CoordinatorName = "coordinator"

// Bounds of a token's length, in bytes.
const (
	MinTokenLength = 16
	MaxTokenLength = 512
)

// File is the tokens file as written.
type File struct {
	// Coordinator is the coordinator's token; empty: Load generates one.
	Coordinator string `yaml:"coordinator"`
	// Vendors are the vendors (toimittajat) that may use the archive.
	Vendors []Vendor `yaml:"vendors"`
}

// Vendor is one vendor's entry in the tokens file.
type Vendor struct {
	// Name names the vendor; it owns the sessions its token creates.
	Name string `yaml:"name"`
	// Token is the vendor's bearer token.
	Token string `yaml:"token"`
	// MaxSessions is how many sessions the vendor may hold at once; zero
	// means no quota of its own (the simulator's maximum still holds).
	MaxSessions int `yaml:"maxSessions"`
}

// Caller is who a request comes from.
type Caller struct {
	// Name is the vendor's name, or CoordinatorName.
	Name string
	// Coordinator is true for the coordinator, who sees and does
	// everything.
	Coordinator bool
	// MaxSessions is the caller's session quota; zero means none.
	MaxSessions int
}

// Open is the caller of a server without tokens (local development on
// loopback): the coordinator, owning sessions under the empty name.
var Open = Caller{Coordinator: true}

// Tokens identifies callers by their token. Build it with Parse or Load.
type Tokens struct {
	// byHash maps the SHA-256 of each token to its caller: looking a token
	// up by its hash takes no time that depends on how much of a token a
	// guess got right.
	byHash map[[sha256.Size]byte]Caller
	// Generated is the coordinator token Load generated because the file
	// has none; empty when the file gives one. It is kept nowhere else:
	// print it once.
	Generated string
}

var vendorName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Parse reads a tokens file. Every vendor needs a valid name and a token;
// names and tokens are unique. A missing coordinator token is generated
// (Tokens.Generated).
func Parse(data []byte) (*Tokens, error) {
	var f File
	if err := datafile.Decode(data, &f); err != nil {
		return nil, fmt.Errorf("tokens file: %w", err)
	}
	return New(f)
}

// Load reads the tokens file at path, as Parse does.
func Load(path string) (*Tokens, error) {
	data, err := datafile.ReadFile(path, datafile.MaxSize)
	if err != nil {
		return nil, fmt.Errorf("tokens file: %w", err)
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// New checks f and builds its Tokens, generating the coordinator token
// when f has none.
func New(f File) (*Tokens, error) {
	t := &Tokens{byHash: make(map[[sha256.Size]byte]Caller, len(f.Vendors)+1)}
	if f.Coordinator == "" {
		tok, err := NewToken()
		if err != nil {
			return nil, err
		}
		f.Coordinator, t.Generated = tok, tok
	}
	if err := checkToken(f.Coordinator); err != nil {
		return nil, fmt.Errorf("coordinator: %w", err)
	}
	t.byHash[sha256.Sum256([]byte(f.Coordinator))] = Caller{Name: CoordinatorName, Coordinator: true}
	names := make(map[string]bool, len(f.Vendors))
	for i, v := range f.Vendors {
		where := fmt.Sprintf("vendors[%d]", i)
		if v.Name != "" {
			where += " (" + v.Name + ")"
		}
		switch {
		case !vendorName.MatchString(v.Name):
			return nil, fmt.Errorf("%s: name %q: want 1 to 64 letters, digits, '.', '_' or '-'", where, v.Name)
		case v.Name == CoordinatorName:
			return nil, fmt.Errorf("%s: the name %q is the coordinator's", where, v.Name)
		case names[v.Name]:
			return nil, fmt.Errorf("%s: a second vendor named %q", where, v.Name)
		case v.MaxSessions < 0:
			return nil, fmt.Errorf("%s: maxSessions %d: want 0 (no quota) or more", where, v.MaxSessions)
		}
		if err := checkToken(v.Token); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		h := sha256.Sum256([]byte(v.Token))
		if _, dup := t.byHash[h]; dup {
			return nil, fmt.Errorf("%s: its token is another entry's too (every token must be unique)", where)
		}
		names[v.Name] = true
		t.byHash[h] = Caller{Name: v.Name, MaxSessions: v.MaxSessions}
	}
	return t, nil
}

// checkToken refuses a token too short to guess at or with characters an
// Authorization header cannot carry.
func checkToken(tok string) error {
	if tok == "" {
		return errors.New("token missing")
	}
	if len(tok) < MinTokenLength || len(tok) > MaxTokenLength {
		return fmt.Errorf("token of %d characters: want %d to %d (e.g. 32 random hex digits)", len(tok), MinTokenLength, MaxTokenLength)
	}
	for _, c := range []byte(tok) {
		if c <= ' ' || c > '~' {
			return errors.New("token has a space or a character outside printable ASCII")
		}
	}
	return nil
}

// NewToken returns a fresh random token: 32 bytes of crypto/rand in hex.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate a token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Identify returns the caller whose token tok is.
func (t *Tokens) Identify(tok string) (Caller, bool) {
	if tok == "" || len(tok) > MaxTokenLength {
		return Caller{}, false
	}
	c, ok := t.byHash[sha256.Sum256([]byte(tok))]
	return c, ok
}

// callerKey is the context key of the request's caller.
type callerKey struct{}

// NewContext returns ctx carrying the caller.
func NewContext(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// FromContext returns the caller ctx carries, if any.
func FromContext(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}
