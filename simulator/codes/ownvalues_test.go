package codes

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the code-list section of docs/wire-profile.md")

// wireProfile is the vendors' wire profile, relative to this package.
var wireProfile = filepath.Join("..", "..", "docs", "wire-profile.md")

const ownHeading = "## The simulator's own code values"

// cell makes text safe for a Markdown table cell.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// ownValuesSection renders the wire profile's section on the simulator's
// own code values and on which bundled lists are complete, from the data.
func ownValuesSection(set *Set) string {
	var b strings.Builder
	b.WriteString(ownHeading + "\n\n")
	b.WriteString(`Kanta has not published every code the archive's messages need. Where a code is not public
the simulator uses its own value, named ` + "`SIM-…`" + ` (and two numbers of its own document
structures). Every such value is in this table, generated from the bundled code lists
(` + "`simulator/codes/data/systems/*.yaml`" + `) and kept true by a test. A real archive will not
accept them. A coordinator who has THL's lists replaces them without a code change: give
` + "`--codes DIR`" + ` (or ` + "`YHTEISTESTAUS_CODES`" + `) to ` + "`run`, `serve` and `validate`" + `, a folder
of lists in the bundled YAML format or as ` + "`<code system OID>.csv`" + ` files of ` + "`code;display`" + `
lines (optionally ` + "`code;display;replaces`" + `). A loaded list replaces the simulator's own
values of its system; a loaded value takes an own value's place when its third column (or YAML
` + "`replaces:`" + `) names it, or when its display name is the own value's without
"(simulaattorin oma koodi)", and the archive then expects the real code wherever it expected the
own one.

| own code | code system | stands for | why, and the handbook passage that needs it |
|---|---|---|---|
`)
	for _, sys := range set.Systems() {
		for _, v := range sys.Values() {
			if !v.Own {
				continue
			}
			stands := v.Display
			if v.DisplaySv != "" {
				stands += " (sv. " + v.DisplaySv + ")"
			}
			why := v.Note
			if v.Source != "" {
				why += " Source: " + v.Source + "."
			}
			fmt.Fprintf(&b, "| `%s` | %s `%s` | %s | %s |\n", v.Code, cell(sys.Name()), sys.OID(), cell(stands), cell(why))
		}
	}
	b.WriteString(`
### Which bundled lists are complete

A list marked complete rejects a value outside it (` + "`CODE-UNKNOWN`, `CODE-CONTENT`" + `); a partial
list notes such a value once per message as information (` + "`CODE-UNLISTED`" + `), never as a
fault. An organisation OID outside the bundled part of SOTE-organisaatiorekisteri is the
information ` + "`CODE-ORG-UNDECLARED`" + `; declare your own with ` + "`--organisation FILE`" + ` (README).
The arrival channel of Table 11.2.2 row 25 (Handlingens ankomstsätt) has no public code system
OID and is not read.

| code system | complete | why |
|---|---|---|
`)
	for _, sys := range set.Systems() {
		complete := "no"
		if sys.Complete() {
			complete = "**yes**"
		}
		fmt.Fprintf(&b, "| %s `%s` | %s | %s |\n", cell(sys.Name()), sys.OID(), complete, cell(sys.CompleteBecause()))
	}
	return b.String()
}

// TestOwnValuesInWireProfile keeps the wire profile's table of the
// simulator's own code values true to the bundled data (-update rewrites
// the section).
func TestOwnValuesInWireProfile(t *testing.T) {
	data, err := os.ReadFile(wireProfile)
	if err != nil {
		t.Fatalf("read the wire profile: %v", err)
	}
	doc := string(data)
	want := ownValuesSection(Default())
	start := strings.Index(doc, ownHeading+"\n")
	if start < 0 {
		if !*update {
			t.Fatalf("%s has no section %q (go test ./simulator/codes -run TestOwnValuesInWireProfile -update)", wireProfile, ownHeading)
		}
		doc = strings.TrimRight(doc, "\n") + "\n\n"
		start = len(doc)
	}
	end := len(doc)
	if i := strings.Index(doc[start+len(ownHeading):], "\n## "); i >= 0 {
		end = start + len(ownHeading) + i + 1
	}
	got := doc[start:end]
	if strings.TrimRight(got, "\n") == strings.TrimRight(want, "\n") {
		return
	}
	if *update {
		tail := doc[end:]
		if tail != "" {
			want += "\n"
		}
		if err := os.WriteFile(wireProfile, []byte(doc[:start]+want+tail), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the section %q of %s is not what the bundled code lists say; run go test ./simulator/codes -run TestOwnValuesInWireProfile -update", ownHeading, wireProfile)
}

// TestOwnValuesNameTheirHandbookPassage checks that every own value says
// what it stands for and which handbook lines need it.
func TestOwnValuesNameTheirHandbookPassage(t *testing.T) {
	lines := regexp.MustCompile(`L[0-9]{4,5}`)
	for _, sys := range Default().Systems() {
		for _, v := range sys.Values() {
			isSim := strings.HasPrefix(v.Code, "SIM-")
			if isSim && !v.Own {
				t.Errorf("%s %s is named SIM- but not marked own", sys.OID(), v.Code)
			}
			if !v.Own {
				continue
			}
			if v.Display == "" || !strings.HasSuffix(v.Display, ownSuffix) {
				t.Errorf("%s %s: the Finnish display name must end %q", sys.OID(), v.Code, ownSuffix)
			}
			if !lines.MatchString(v.Note + " " + v.Source) {
				t.Errorf("%s %s: neither note nor source names the handbook lines that need it", sys.OID(), v.Code)
			}
		}
	}
}
