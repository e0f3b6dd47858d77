package codes

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestOverlayReplacesOwnValues(t *testing.T) {
	const groups = "1.2.246.537.6.1505.201601"
	overlay := fstest.MapFS{
		// THL's document groups, as a coordinator exports them; the case
		// document group is found by its display name, the journal entry
		// group by the explicit replaces column.
		groups + ".csv": {Data: []byte("\ufeffcode;display\n1;Asiakkuusasiakirja\n2;Asia-asiakirja\n5;Toisen tai myöhemmän vaiheen asiakasasiakirja\n6;Asiakaskertomuksen merkintä;SIM-ASIAKASKERTOMUSMERKINTA\n")},
		// A YAML list in the project's own format, incomplete.
		"social-service.yaml": {Data: []byte(`oid: 1.2.246.537.6.1222.201601
name: Sosiaalihuolto - Sosiaalipalvelu
complete: false
source: test
values:
  - code: "45"
    display: Sosiaaliohjaus
  - code: "46"
    display: Sosiaalinen kuntoutus
`)},
		"README.md": {Data: []byte("not a code list")},
	}
	set, notes, err := Default().WithOverlay(overlay)
	if err != nil {
		t.Fatal(err)
	}
	sys, ok := set.System(groups)
	if !ok || !sys.Complete() {
		t.Fatalf("document groups after the overlay: %v, complete %v; a CSV list is complete", ok, ok && sys.Complete())
	}
	for _, tc := range []struct {
		code string
		in   bool
	}{{"2", true}, {"6", true}, {"1", true}, {"SIM-ASIA-ASIAKIRJA", false}, {"SIM-ASIAKASKERTOMUSMERKINTA", false}} {
		if _, ok := sys.Lookup(tc.code); ok != tc.in {
			t.Errorf("document group %s in the overlaid list: %v, want %v", tc.code, ok, tc.in)
		}
	}
	for own, real := range map[string]string{"SIM-ASIA-ASIAKIRJA": "2", "SIM-ASIAKASKERTOMUSMERKINTA": "6", "SIM-VANHA-ASIAKASASIAKIRJA": "SIM-VANHA-ASIAKASASIAKIRJA"} {
		if got := set.Replacement(groups, own); got != real {
			t.Errorf("Replacement(%s) = %s, want %s", own, got, real)
		}
	}
	ss, _ := set.System("1.2.246.537.6.1222.201601")
	if _, ok := ss.Lookup("15"); !ok {
		t.Error("the bundled official value 15, missing from the loaded list, was dropped")
	}
	if _, ok := ss.Lookup("46"); !ok || ss.Complete() {
		t.Error("the YAML overlay's value 46 is missing, or the list became complete")
	}
	joined := strings.Join(notes, "\n")
	for _, want := range []string{"2 takes the place of the simulator's own SIM-ASIA-ASIAKIRJA", "SIM-VANHA-ASIAKASASIAKIRJA of " + groups + " has no replacement"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes do not say %q:\n%s", want, joined)
		}
	}
	// The embedded set is unchanged.
	if _, ok := Default().Lookup(groups, "SIM-ASIA-ASIAKIRJA"); !ok {
		t.Error("the overlay changed the embedded code lists")
	}
}

func TestOverlayRefusesBadLists(t *testing.T) {
	for _, tc := range []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"empty folder", fstest.MapFS{"README.md": {Data: []byte("x")}}, "no *.yaml or *.csv"},
		{"CSV not named by OID", fstest.MapFS{"groups.csv": {Data: []byte("1;A\n")}}, "named by its code system's OID"},
		{"CSV with one field", fstest.MapFS{"1.2.3.csv": {Data: []byte("1\n")}}, "want the fields code, display"},
		{"CSV without display", fstest.MapFS{"1.2.3.csv": {Data: []byte("1;\n")}}, "has no display name"},
		{"CSV duplicate", fstest.MapFS{"1.2.3.csv": {Data: []byte("1;A\n1;B\n")}}, "duplicate code"},
		{"CSV empty", fstest.MapFS{"1.2.3.csv": {Data: []byte("code;display\n")}}, "no values"},
		{"replaces an official value", fstest.MapFS{"1.2.246.537.6.1505.201601.csv": {Data: []byte("9;X;5\n")}}, "not an own value"},
		{"YAML with an unknown field", fstest.MapFS{"x.yaml": {Data: []byte("oid: 1.2.3\nname: X\ncomplete: true\nsource: t\ncolour: red\nvalues: []\n")}}, "colour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Default().WithOverlay(tc.fs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestBundledListsCarryNoReplaces(t *testing.T) {
	fs := fstest.MapFS{
		"systems/a.yaml": {Data: []byte("oid: 1.2.3\nname: A\ncomplete: true\ncompleteBecause: t\nsource: t\nvalues:\n  - code: x\n    display: X\n    replaces: SIM-X\n")},
		"bindings.yaml":  {Data: []byte("bindings: []\n")},
	}
	if _, err := Load(fs); err == nil || !strings.Contains(err.Error(), "overlay") {
		t.Errorf("Load error %v, want one saying replaces belongs in an overlay", err)
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("code;display\n1;Asiakkuusasiakirja\n2;Asia-asiakirja;SIM-ASIA-ASIAKIRJA\n"))
	f.Add([]byte("\"a;b\";\"c\"\"d\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sys, err := parseCSV("1.2.246.537.6.1505.201601", "fuzz.csv", data, Default())
		if err != nil {
			return
		}
		for _, v := range sys.Values() {
			if got, ok := sys.Lookup(v.Code); !ok || got.Code != v.Code || v.Display == "" {
				t.Fatalf("value %q not found back", v.Code)
			}
		}
	})
}
