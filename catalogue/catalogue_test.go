package catalogue

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestDefaultLoadsBothCataloguesLinked(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	if n := len(s.Rules.All()); n < 60 {
		t.Errorf("rule catalogue has %d rules, want at least 60", n)
	}
	if n := len(s.Requirements.Requirements()); n < 100 {
		t.Errorf("requirement catalogue has %d requirements, want at least 100", n)
	}
	links := 0
	for _, r := range s.Requirements.Requirements() {
		links += len(r.Rules)
	}
	if links < 50 {
		t.Errorf("requirements name %d rules in all, want at least 50; the link is not being read", links)
	}
}

// embeddedCopy returns the embedded files as a map that a test may change.
func embeddedCopy(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLoadRefusesABrokenLink(t *testing.T) {
	tests := []struct {
		name string
		// change edits the copy of the embedded files.
		change func(m fstest.MapFS)
		want   []string
	}{
		{"a requirement names a misspelt rule", func(m fstest.MapFS) {
			f := m["requirements/ch09-identity.yaml"]
			f.Data = []byte(strings.Replace(string(f.Data), "  rules: []", "  rules: [ID-HETU-CHEK]", 1))
		}, []string{"names unknown rule ID-HETU-CHEK"}},
		{"a rule that requirements name is taken out of the catalogue", func(m fstest.MapFS) {
			delete(m, "rules/identity.yaml")
		}, []string{"names unknown rule ID-HETU-CHECK", "names unknown rule ID-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := embeddedCopy(t)
			if _, err := Load(m); err != nil {
				t.Fatalf("Load of the unchanged copy: %v", err)
			}
			tt.change(m)
			_, err := Load(m)
			if err == nil {
				t.Fatal("Load: got nil error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load: error %q does not mention %q", err, w)
				}
			}
		})
	}
}
