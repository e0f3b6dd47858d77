package organisation

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const example = `
organisations:
  - oid: 1.2.246.10.12345678.10.0
    name: Esimerkin hyvinvointialue
    serviceUnits:
      - oid: 1.2.246.10.12345678.10.100
        name: Lapsiperheiden sosiaalityö
        serviceTasks: ["24", "10"]
  - oid: 1.2.246.10.87654321.10.0
    name: Yksityinen palveluntuottaja Oy
`

func TestParseDeclaresOrganisationsAndServiceUnits(t *testing.T) {
	d, err := Parse("example.yaml", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		oid, name, org string
		unit           bool
		tasks          int
	}{
		{"1.2.246.10.12345678.10.0", "Esimerkin hyvinvointialue", "1.2.246.10.12345678.10.0", false, 0},
		{"1.2.246.10.12345678.10.100", "Lapsiperheiden sosiaalityö", "1.2.246.10.12345678.10.0", true, 2},
		{"1.2.246.10.87654321.10.0", "Yksityinen palveluntuottaja Oy", "1.2.246.10.87654321.10.0", false, 0},
	} {
		e, ok := d.Lookup(tc.oid)
		if !ok || e.Name != tc.name || e.Organisation != tc.org || e.ServiceUnit != tc.unit || len(e.ServiceTasks) != tc.tasks {
			t.Errorf("Lookup(%s) = %+v, %v; want name %q in %s, unit %v, %d tasks", tc.oid, e, ok, tc.name, tc.org, tc.unit, tc.tasks)
		}
	}
	if _, ok := d.Lookup("1.2.246.10.1.10.0"); ok {
		t.Error("an OID the file does not declare is found")
	}
	orgs := d.Organisations()
	if len(orgs) != 2 || len(orgs[0].ServiceUnits) != 1 {
		t.Fatalf("Organisations() = %+v", orgs)
	}
	orgs[0].ServiceUnits[0].ServiceTasks[0] = "changed"
	if e, _ := d.Lookup("1.2.246.10.12345678.10.100"); e.ServiceTasks[0] != "24" {
		t.Error("changing the returned organisations changed the declaration")
	}
	if d.Source() != "example.yaml" {
		t.Errorf("Source() = %q", d.Source())
	}
}

func TestParseRefusesBadDeclarations(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"empty list", "organisations: []\n", "declares no organisation"},
		{"unknown field", "organisations:\n  - oid: 1.2.3\n    name: A\n    y_tunnus: 123\n", "y_tunnus"},
		{"bad oid", "organisations:\n  - oid: 1.2.x\n    name: A\n", "not a dotted OID"},
		{"no name", "organisations:\n  - oid: 1.2.3\n", "has no name"},
		{"unit without name", "organisations:\n  - oid: 1.2.3\n    name: A\n    serviceUnits:\n      - oid: 1.2.3.4\n", "has no name"},
		{"twice", "organisations:\n  - oid: 1.2.3\n    name: A\n    serviceUnits:\n      - oid: 1.2.3\n        name: B\n", "declared twice"},
		{"empty task", "organisations:\n  - oid: 1.2.3\n    name: A\n    serviceUnits:\n      - oid: 1.2.3.4\n        name: B\n        serviceTasks: [\"\"]\n", "empty service task"},
		{"not yaml", "organisations: [", "organisations x.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestFromFlagOrEnv(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "org.yaml")
	if err := os.WriteFile(path, []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvVar {
				return v
			}
			return ""
		}
	}
	if d, err := FromFlagOrEnv("", env("")); d != nil || err != nil {
		t.Errorf("nothing given: %v, %v; want nil, nil", d, err)
	}
	if d, err := FromFlagOrEnv("", env(path)); err != nil || d.Source() != path {
		t.Errorf("from the environment: %v, %v", d, err)
	}
	if _, err := FromFlagOrEnv(filepath.Join(dir, "missing.yaml"), env(path)); err == nil {
		t.Error("the flag's missing file is not an error (the environment must not win)")
	}
}

func TestNilDeclarationDeclaresNothing(t *testing.T) {
	var d *Declaration
	if _, ok := d.Lookup("1.2.3"); ok || d.Organisations() != nil || d.Source() != "" {
		t.Error("the nil declaration declares something")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(example))
	f.Add([]byte("organisations:\n  - oid: 1.2.3\n    name: A\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse("fuzz", data)
		if err != nil {
			return
		}
		for _, o := range d.Organisations() {
			if e, ok := d.Lookup(o.OID); !ok || e.Name == "" {
				t.Fatalf("declared organisation %s not found", o.OID)
			}
		}
	})
}
