package kanta

import (
	"strings"
	"testing"
)

func TestLoadGroupsRejectsBrokenTables(t *testing.T) {
	good := string(groupsYAML)
	tests := []struct {
		name, yaml, want string
	}{
		{"no PDF display format", strings.Replace(good, "pdf: [SIM-PDFA]", "pdf: []", 1), "display_formats xhtml and pdf"},
		{"no XHTML display format", strings.Replace(good, `xhtml: ["2"]`, "xhtml: []", 1), "display_formats xhtml and pdf"},
		{"no display formats at all", strings.Replace(strings.Replace(good, "  pdf: [SIM-PDFA]\n", "", 1), `  xhtml: ["2"]`+"\n", "", 1),
			"display_formats xhtml and pdf"},
		{"a group of an unknown kind", strings.Replace(good, "kind: case\n", "kind: cases\n", 1), `unknown kind "cases"`},
		{"a group without a kind", strings.Replace(good, "    kind: client-relation\n", "", 1), `group 1 has unknown kind ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.yaml == good {
				t.Fatal("the edit changed nothing")
			}
			_, err := LoadGroups([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadGroups: got error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestGroupKindKnown(t *testing.T) {
	tests := []struct {
		kind GroupKind
		want bool
	}{
		{KindClientRelation, true},
		{KindCase, true},
		{KindOld, true},
		{KindPhase1, true},
		{KindClientDocument, true},
		{KindJournal, true},
		{"", false},
		{"Case", false},
		{"client_relation", false},
	}
	for _, tt := range tests {
		if got := tt.kind.Known(); got != tt.want {
			t.Errorf("GroupKind(%q).Known() = %v, want %v", tt.kind, got, tt.want)
		}
	}
}

func TestDefaultGroupsLoad(t *testing.T) {
	gs, err := DefaultGroups()
	if err != nil {
		t.Fatalf("DefaultGroups: %v", err)
	}
	if len(gs.DisplayFormats.XHTML) == 0 || len(gs.DisplayFormats.PDF) == 0 {
		t.Errorf("got display formats %+v, want XHTML and PDF codes", gs.DisplayFormats)
	}
}
