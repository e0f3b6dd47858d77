package reports

import (
	"fmt"
	"slices"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/catalogue"
)

// statusRank orders the requirement table: what needs the vendor's work
// first, then what passed, then what is left to others.
func statusRank(s yhteistestaus.Status) int {
	order := []yhteistestaus.Status{
		yhteistestaus.StatusFailed,
		yhteistestaus.StatusNotSupported,
		yhteistestaus.StatusNotTested,
		yhteistestaus.StatusToBeAttested,
		yhteistestaus.StatusPassed,
		yhteistestaus.StatusAttested,
		yhteistestaus.StatusManual,
		yhteistestaus.StatusNotYetAutomated,
	}
	if i := slices.Index(order, s); i >= 0 {
		return i
	}
	return len(order)
}

// areaView is a functional area (toiminnallinen alue) in the per-area
// chart and the table's area filter.
type areaView struct {
	ID, Name string
	Total    int
	Segments []areaSegment
}

// areaSegment is one part of an area's bar.
type areaSegment struct {
	Class, Label string
	Count        int
	Percent      string
}

// areaPart is one part of an area's bar, with the statuses it counts.
type areaPart struct {
	class, label string
	statuses     []yhteistestaus.Status
}

// areaParts are the parts of an area's bar, in order.
func areaParts() []areaPart {
	return []areaPart{
		{"passed", "passed", []yhteistestaus.Status{yhteistestaus.StatusPassed, yhteistestaus.StatusAttested}},
		{"failed", "failed", []yhteistestaus.Status{yhteistestaus.StatusFailed}},
		{"not-tested", "not supported or not tested", []yhteistestaus.Status{yhteistestaus.StatusNotSupported, yhteistestaus.StatusNotTested}},
		{"not-yet-automated", "not automated yet", []yhteistestaus.Status{yhteistestaus.StatusNotYetAutomated}},
		{"to-be-attested", "attestation or coordinator", []yhteistestaus.Status{yhteistestaus.StatusToBeAttested, yhteistestaus.StatusManual}},
	}
}

// requirementRows orders the requirements for the table (failures first,
// each status in run order) and counts them per functional area, areas in
// order of first appearance.
func requirementRows(run *yhteistestaus.Run, causes map[string]string) ([]requirementRow, []areaView) {
	names := areaNames()
	parts := areaParts()
	var rows []requirementRow
	var areas []areaView
	index := make(map[string]int)
	counts := make(map[string]map[string]int)
	for _, r := range run.Requirements {
		name := names[r.Area]
		if name == "" {
			name = r.Area
		}
		rows = append(rows, requirementRow{RequirementResult: r, Rank: statusRank(r.Status), AreaName: name, Causes: requirementCauses(r, causes)})
		if r.Area == "" {
			continue
		}
		if _, ok := index[r.Area]; !ok {
			index[r.Area] = len(areas)
			areas = append(areas, areaView{ID: r.Area, Name: name})
			counts[r.Area] = make(map[string]int)
		}
		areas[index[r.Area]].Total++
		for _, p := range parts {
			if slices.Contains(p.statuses, r.Status) {
				counts[r.Area][p.class]++
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b requirementRow) int { return a.Rank - b.Rank })
	for i := range areas {
		a := &areas[i]
		for _, p := range parts {
			if n := counts[a.ID][p.class]; n > 0 {
				a.Segments = append(a.Segments, areaSegment{Class: p.class, Label: p.label, Count: n,
					Percent: fmt.Sprintf("%.2f", 100*float64(n)/float64(a.Total))})
			}
		}
	}
	return rows, areas
}

// areaNames maps functional area ids to their English names from the
// profile catalogue; empty when the catalogue does not load.
func areaNames() map[string]string {
	m := make(map[string]string)
	cat, err := catalogue.DefaultRequirements()
	if err != nil {
		return m
	}
	for _, a := range cat.Areas() {
		m[a.ID] = a.NameEN
	}
	return m
}
