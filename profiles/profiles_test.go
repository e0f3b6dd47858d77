package profiles

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/yhteistestaus/yhteistestaus/sharedtest"
)

// catalogueDir holds the real requirement catalogue (package catalogue
// embeds it; this package's tests read it from disk, since catalogue
// imports profiles).
const catalogueDir = "../catalogue"

func mustDefault(t *testing.T) *Catalogue {
	t.Helper()
	c, err := Load(os.DirFS(catalogueDir))
	if err != nil {
		t.Fatalf("Load(%s): %v", catalogueDir, err)
	}
	return c
}

func TestDefaultLoadsAllProfiles(t *testing.T) {
	c := mustDefault(t)
	want := []string{
		"liittymisvelvoite-hakeva", "liittymisvelvoite-kasittely", "liittymisvelvoite-lahettava", "liittymisvelvoite-tuottava",
		"vaihe2-hakeva", "vaihe2-kasittely", "vaihe2-lahettava", "vaihe2-tuottava",
	}
	var got []string
	for _, p := range c.Profiles() {
		got = append(got, p.ID)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("profile ids: got %v, want %v", got, want)
	}
	if n := len(c.Requirements()); n < 300 {
		t.Errorf("got %d requirements, want a few hundred", n)
	}
	if c.Profile("vaihe2-kasittely").Names.FI != "Sosiaalihuollon asiakastietoja käsittelevä järjestelmä" {
		t.Errorf("vaihe2-kasittely Finnish name: got %q", c.Profile("vaihe2-kasittely").Names.FI)
	}
}

// TestSourceLinesExist checks every cited line range against the handbook file.
func TestSourceLinesExist(t *testing.T) {
	f, err := os.Open(sharedtest.Dir(t, "handbook", "kanta-sosiaalihuolto-kasikirja-sv.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	check := func(who string, rs []LineRange) {
		for _, r := range rs {
			if r.To > len(lines) {
				t.Errorf("%s: %v beyond the handbook's %d lines", who, r, len(lines))
				continue
			}
			blank := true
			for _, l := range lines[r.From-1 : r.To] {
				if strings.TrimSpace(l) != "" {
					blank = false
				}
			}
			if blank {
				t.Errorf("%s: %v cites only blank lines", who, r)
			}
		}
	}
	c := mustDefault(t)
	for _, r := range c.Requirements() {
		check(r.ID, r.Lines)
	}
	for _, p := range c.Profiles() {
		check(p.ID, p.Lines)
		for _, a := range p.Areas {
			check(p.ID+"/"+a.Area, a.Lines)
		}
	}
}

// TestProfileMarkings spot-checks the area markings against handbook Table 4.5.3
// (L6662-L6839) and the connection-obligation text of 4.5.3/Table 4.5.4.
func TestProfileMarkings(t *testing.T) {
	c := mustDefault(t)
	tests := []struct {
		profile, area string
		want          Marking
		source        string
	}{
		{"vaihe2-kasittely", "document-creation", MarkMandatory, "L6710 X"},
		{"vaihe2-tuottava", "document-creation", MarkConditional, "L6710 (X)"},
		{"vaihe2-hakeva", "document-creation", MarkNone, "L6710 -"},
		{"vaihe2-lahettava", "own-register-storage", MarkMandatory, "L6718 X"},
		{"vaihe2-tuottava", "own-register-search", MarkNone, "L6726 -"},
		{"vaihe2-hakeva", "own-register-search", MarkMandatory, "L6726 X"},
		{"vaihe2-kasittely", "compilations", MarkConditional, "L6773 (X)"},
		{"vaihe2-lahettava", "access-security-logging", MarkNone, "L6785 -"},
		{"vaihe2-tuottava", "case-management", MarkMandatory, "L6791 X"},
		{"vaihe2-lahettava", "case-management", MarkMandatory, "L6791 X (arkivering av handling)"},
		{"vaihe2-hakeva", "case-data-use", MarkMandatory, "L6801 X (sökning)"},
		{"vaihe2-hakeva", "client-relation-management", MarkNone, "L6807 -"},
		{"vaihe2-lahettava", "client-relation-data-use", MarkNone, "L6819 -"},
		{"vaihe2-kasittely", "disclosure", MarkConditional, "L6825 (X, efter lagändringar)"},
		{"vaihe2-hakeva", "prohibitions", MarkNone, "L6839 -"},
		{"liittymisvelvoite-kasittely", "disclosure", MarkMandatory, "L6863-L6865, L6928-L6938"},
		{"liittymisvelvoite-kasittely", "prohibitions", MarkMandatory, "L6861, L6950-L6956"},
		{"liittymisvelvoite-hakeva", "client-relation-management", MarkMandatory, "L7140-L7146"},
		{"liittymisvelvoite-hakeva", "document-creation", MarkNone, "L7100-L7102 no documents"},
		{"liittymisvelvoite-lahettava", "own-register-storage", MarkMandatory, "L7221-L7227"},
	}
	for _, tt := range tests {
		p := c.Profile(tt.profile)
		if p == nil {
			t.Fatalf("profile %s missing", tt.profile)
		}
		if got := p.Marking(tt.area); got != tt.want {
			t.Errorf("%s %s (%s): got %s, want %s", tt.profile, tt.area, tt.source, got, tt.want)
		}
	}
}

func TestNotAloneNotes(t *testing.T) {
	c := mustDefault(t)
	for _, id := range []string{"liittymisvelvoite-tuottava", "liittymisvelvoite-hakeva", "liittymisvelvoite-lahettava"} {
		if !strings.Contains(c.Profile(id).NotAlone, "cannot be the only profile") {
			t.Errorf("%s: not_alone = %q, want the Table 4.5.4 note", id, c.Profile(id).NotAlone)
		}
	}
}

func TestSearchingProfileDemandsNoDocumentCreation(t *testing.T) {
	c := mustDefault(t)
	for _, pr := range c.RequirementsFor("vaihe2-hakeva") {
		if pr.Area == "document-creation" || pr.Area == "own-register-storage" {
			t.Errorf("vaihe2-hakeva lists %s (%s)", pr.ID, pr.Area)
		}
	}
	if c.RequirementsFor("no-such-profile") != nil {
		t.Error("RequirementsFor(unknown): got requirements, want nil")
	}
}

func TestOverridesWin(t *testing.T) {
	c := mustDefault(t)
	for _, pr := range c.RequirementsFor("vaihe2-kasittely") {
		if pr.ID == "REQ-PRF-002" {
			t.Errorf("vaihe2-kasittely lists REQ-PRF-002, want it excluded by override")
		}
	}
	found := false
	for _, pr := range c.RequirementsFor("liittymisvelvoite-kasittely") {
		if pr.ID == "REQ-PRF-002" {
			found = true
			if pr.Applicability != Mandatory {
				t.Errorf("liittymisvelvoite-kasittely REQ-PRF-002: got %s, want mandatory", pr.Applicability)
			}
		}
	}
	if !found {
		t.Error("liittymisvelvoite-kasittely lacks REQ-PRF-002")
	}
}

func TestDerive(t *testing.T) {
	tests := []struct {
		m    Marking
		l    Level
		want Applicability
	}{
		{MarkMandatory, Shall, Mandatory},
		{MarkMandatory, Should, Optional},
		{MarkConditional, Shall, Conditional},
		{MarkConditional, May, Optional},
		{MarkNone, Shall, Excluded},
	}
	for _, tt := range tests {
		if got := derive(tt.m, tt.l); got != tt.want {
			t.Errorf("derive(%s, %s): got %s, want %s", tt.m, tt.l, got, tt.want)
		}
	}
}

const (
	okAreas = `areas:
- {id: store, name_sv: Lagring, name_en: Storing, lines: [L1]}
- {id: search, name_sv: Sökning, name_en: Searching, lines: [L2]}
`
	okReqs = `requirements:
- id: REQ-T-001
  title: Store it
  text: The system stores it.
  section: "9.12"
  lines: [L10-L12]
  level: SHALL
  verification: automatic
  area: store
  rules: [R-1]
- id: REQ-T-002
  title: Search it
  text: The system searches it.
  section: "11.3"
  lines: [L20]
  level: SHALL
  verification: automatic
  area: search
  rules: []
  not_yet_automated: true
- id: REQ-T-003
  title: Log it
  text: The system logs it.
  section: "13.3"
  lines: [L30]
  level: SHALL
  verification: attestation
  area: store
  rules: []
`
	okProfile = `id: p1
table: 4.5.3
phase: "2"
names: {fi: Yksi, sv: Ett, en: One}
name_fi_translated: true
purpose: Test.
effective: 4/2020
lines: [L5]
description: A test profile.
areas:
- {area: store, marking: mandatory, lines: [L6]}
- {area: search, marking: none, lines: [L7]}
overrides: []
`
)

func testFS(mod func(fstest.MapFS)) fstest.MapFS {
	m := fstest.MapFS{
		"areas.yaml":          {Data: []byte(okAreas)},
		"requirements/a.yaml": {Data: []byte(okReqs)},
		"profiles/p1.yaml":    {Data: []byte(okProfile)},
	}
	if mod != nil {
		mod(m)
	}
	return m
}

func TestLoadRejectsBrokenData(t *testing.T) {
	tests := []struct {
		name string
		mod  func(fstest.MapFS)
		want string
	}{
		{"unknown field in a requirement", func(m fstest.MapFS) {
			m["requirements/a.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(okReqs, "  rules: [R-1]", "  rules: [R-1]\n  colour: red", 1))}
		}, "field colour not found"},
		{"unknown field in a profile", func(m fstest.MapFS) {
			m["profiles/p1.yaml"] = &fstest.MapFile{Data: []byte(okProfile + "owner: me\n")}
		}, "field owner not found"},
		{"duplicate requirement id across files", func(m fstest.MapFS) {
			m["requirements/b.yaml"] = &fstest.MapFile{Data: []byte(okReqs)}
		}, "duplicate requirement id REQ-T-001"},
		{"duplicate area id", func(m fstest.MapFS) {
			m["areas.yaml"] = &fstest.MapFile{Data: []byte(okAreas + "- {id: store, name_sv: X, name_en: X, lines: [L1]}\n")}
		}, `duplicate area id "store"`},
		{"requirement in an unknown area", func(m fstest.MapFS) {
			m["requirements/a.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(okReqs, "area: search", "area: sarch", 1))}
		}, `REQ-T-002: unknown area "sarch"`},
		{"profile marks an unknown area", func(m fstest.MapFS) {
			m["profiles/p1.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(okProfile, "area: search", "area: serch", 1))}
		}, `unknown area "serch"`},
		{"profile leaves an area unmarked", func(m fstest.MapFS) {
			m["profiles/p1.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(okProfile, "- {area: search, marking: none, lines: [L7]}\n", "", 1))}
		}, "area search not marked"},
		{"override of an unknown requirement", func(m fstest.MapFS) {
			m["profiles/p1.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(okProfile, "overrides: []", "overrides:\n- {requirement: REQ-T-999, level: optional, note: x}", 1))}
		}, `override of unknown requirement "REQ-T-999"`},
		{"requirement without source lines", func(m fstest.MapFS) {
			m["requirements/a.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(okReqs, "lines: [L20]", "lines: []", 1))}
		}, "REQ-T-002: no source lines"},
		{"malformed line range", func(m fstest.MapFS) {
			m["requirements/a.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(okReqs, "L10-L12", "L12-L10", 1))}
		}, `line range "L12-L10"`},
		{"unknown level", func(m fstest.MapFS) {
			m["requirements/a.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(okReqs, "level: SHALL", "level: MUST", 1))}
		}, `level "MUST"`},
		{"not yet automated attestation", func(m fstest.MapFS) {
			m["requirements/a.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(okReqs, "verification: attestation", "verification: attestation\n  not_yet_automated: true", 1))}
		}, "not_yet_automated is only for automatic"},
		{"profile id differs from file name", func(m fstest.MapFS) {
			m["profiles/p2.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(okProfile, "id: p1", "id: p3", 1))}
		}, "does not match the file name"},
		{"empty requirements file", func(m fstest.MapFS) {
			m["requirements/b.yaml"] = &fstest.MapFile{Data: []byte("")}
		}, "empty file"},
		{"two YAML documents", func(m fstest.MapFS) {
			m["profiles/p1.yaml"] = &fstest.MapFile{Data: []byte(okProfile + "---\nid: p1\n")}
		}, "more than one YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(testFS(tt.mod))
			if err == nil {
				t.Fatalf("Load: got nil error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load: got error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadAcceptsGoodData(t *testing.T) {
	c, err := Load(testFS(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := len(c.RequirementsFor("p1")); got != 2 {
		t.Errorf("RequirementsFor(p1): got %d requirements, want 2 (search area is not part of p1)", got)
	}
}

func FuzzParseLineRange(f *testing.F) {
	for _, s := range []string{"L1", "L6662-L6839", "L0", "L9-L1", "6662", "L1-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseLineRange(s)
		if err != nil {
			return
		}
		if r.From < 1 || r.To < r.From {
			t.Fatalf("ParseLineRange(%q) = %v: accepted an invalid range", s, r)
		}
		if back, err := ParseLineRange(r.String()); err != nil || back != r {
			t.Fatalf("round trip %q -> %v -> %v, %v", s, r, back, err)
		}
	})
}

// FuzzLoadRequirements feeds arbitrary text as a requirements file: Load must
// return a catalogue or an error, never panic.
func FuzzLoadRequirements(f *testing.F) {
	f.Add([]byte(okReqs))
	if b, err := os.ReadFile(catalogueDir + "/requirements/ch09-identity.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("requirements: [{id: REQ-T-001, lines: [L1-L999999999999]}]"))
	f.Add([]byte("&a [*a, *a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Load(testFS(func(m fstest.MapFS) {
			m["requirements/a.yaml"] = &fstest.MapFile{Data: data}
		}))
	})
}
