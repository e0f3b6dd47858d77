package access

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	coordTok = "coordinator-token-0123456789"
	acmeTok  = "acme-token-0123456789abcdef"
	betaTok  = "beta-token-0123456789abcdef"
)

func TestParseIdentifiesEveryToken(t *testing.T) {
	tk, err := Parse([]byte(`
coordinator: ` + coordTok + `
vendors:
  - name: acme
    token: ` + acmeTok + `
    maxSessions: 3
  - name: beta
    token: ` + betaTok + `
`))
	if err != nil {
		t.Fatal(err)
	}
	if tk.Generated != "" {
		t.Errorf("generated %q though the file gives a coordinator token", tk.Generated)
	}
	tests := []struct {
		token string
		want  Caller
		ok    bool
	}{
		{coordTok, Caller{Name: CoordinatorName, Coordinator: true}, true},
		{acmeTok, Caller{Name: "acme", MaxSessions: 3}, true},
		{betaTok, Caller{Name: "beta"}, true},
		{"", Caller{}, false},
		{acmeTok + "x", Caller{}, false},
		{strings.ToUpper(acmeTok), Caller{}, false},
		{strings.Repeat("a", MaxTokenLength+1), Caller{}, false},
	}
	for _, tt := range tests {
		got, ok := tk.Identify(tt.token)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Identify(%q) = %+v, %v; want %+v, %v", tt.token, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMissingCoordinatorTokenIsGenerated(t *testing.T) {
	a, err := Parse([]byte("vendors: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse([]byte("vendors: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Generated) != 64 || a.Generated == b.Generated {
		t.Fatalf("generated %q and %q: want two different 64-digit tokens", a.Generated, b.Generated)
	}
	if c, ok := a.Identify(a.Generated); !ok || !c.Coordinator {
		t.Errorf("the generated token identifies %+v, %v; want the coordinator", c, ok)
	}
}

func TestParseRefusesBadFiles(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown field", "coordinator: " + coordTok + "\nvendor: []\n", "field vendor not found"},
		{"unknown vendor field", "vendors:\n  - name: acme\n    token: " + acmeTok + "\n    quota: 3\n", "field quota not found"},
		{"empty", "", "empty file"},
		{"vendor without token", "vendors:\n  - name: acme\n", "vendors[0] (acme): token missing"},
		{"vendor without name", "vendors:\n  - token: " + acmeTok + "\n", "vendors[0]: name \"\""},
		{"bad name", "vendors:\n  - name: a/b\n    token: " + acmeTok + "\n", "name \"a/b\""},
		{"coordinator's name", "vendors:\n  - name: coordinator\n    token: " + acmeTok + "\n", "is the coordinator's"},
		{"same name twice", "vendors:\n  - name: acme\n    token: " + acmeTok + "\n  - name: acme\n    token: " + betaTok + "\n", "a second vendor named"},
		{"same token twice", "vendors:\n  - name: acme\n    token: " + acmeTok + "\n  - name: beta\n    token: " + acmeTok + "\n", "vendors[1] (beta): its token is another entry's"},
		{"vendor has the coordinator's token", "coordinator: " + coordTok + "\nvendors:\n  - name: acme\n    token: " + coordTok + "\n", "another entry's"},
		{"short token", "vendors:\n  - name: acme\n    token: secret\n", "token of 6 characters"},
		{"short coordinator token", "coordinator: secret\n", "coordinator: token of 6"},
		{"token with a space", "vendors:\n  - name: acme\n    token: \"" + acmeTok + " x\"\n", "space"},
		{"negative quota", "vendors:\n  - name: acme\n    token: " + acmeTok + "\n    maxSessions: -1\n", "maxSessions -1"},
		{"two documents", "vendors: []\n---\nvendors: []\n", "more than one YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "tokens.yaml")
	if err := os.WriteFile(good, []byte("coordinator: "+coordTok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(good); err != nil {
		t.Errorf("Load(%s): %v", good, err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("coordinator: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("Load of a bad file: %v, want an error naming %s", err, bad)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

// The example in docs/ is a valid tokens file.
func TestDocsExampleParses(t *testing.T) {
	tk, err := Load("../../docs/tokens.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if tk.Generated != "" {
		t.Error("the example gives no coordinator token; it should show one")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("coordinator: " + coordTok + "\nvendors:\n  - name: acme\n    token: " + acmeTok + "\n    maxSessions: 2\n"))
	f.Add([]byte("vendors: [{name: a, token: " + betaTok + "}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tk, err := Parse(data)
		if err != nil {
			return
		}
		if _, ok := tk.Identify(""); ok {
			t.Fatal("the empty token identifies a caller")
		}
	})
}
