package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/organisation"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
)

// RegisterNote returns the one line of information a run gives about
// organisation OIDs outside the bundled part of SOTE-organisaatiorekisteri,
// or "" when there is nothing to say: the OIDs the run's messages carried
// that are neither bundled nor declared (from their CODE-ORG-UNDECLARED
// findings), and the declared organisations and service units that the
// bundled part does not hold, which the archive takes on the vendor's word.
// cs is the code lists the archive used; nil means the embedded ones.
func RegisterNote(cs *codes.Set, d *organisation.Declaration, findings yhteistestaus.Findings) string {
	if cs == nil {
		cs = codes.Default()
	}
	var register *codes.System
	for _, sys := range cs.Systems() {
		if sys.Declarable() {
			register = sys
			break
		}
	}
	if register == nil {
		return ""
	}
	var undeclared []string
	for _, f := range findings {
		if oid, ok := UndeclaredOrganisation(f); ok && !slices.Contains(undeclared, oid) {
			undeclared = append(undeclared, oid)
		}
	}
	slices.Sort(undeclared)
	var declared []string
	for _, o := range d.Organisations() {
		if _, ok := register.Lookup(o.OID); !ok {
			declared = append(declared, o.OID+" "+o.Name)
		}
		for _, u := range o.ServiceUnits {
			if _, ok := register.Lookup(u.OID); !ok {
				declared = append(declared, u.OID+" "+u.Name)
			}
		}
	}
	var parts []string
	if len(undeclared) > 0 {
		parts = append(parts, fmt.Sprintf("%s %s %s not in the bundled part of %s, declare %s with --organisation FILE (not a failure)",
			plural(len(undeclared), "organisation OID", "organisation OIDs"), strings.Join(undeclared, ", "),
			plural(len(undeclared), "is", "are"), register.Name(), plural(len(undeclared), "it", "them")))
	}
	if len(declared) > 0 {
		parts = append(parts, fmt.Sprintf("taken from your declaration %s, not from the bundled part of %s: %s",
			d.Source(), register.Name(), strings.Join(declared, "; ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return "information: " + strings.Join(parts, "; ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
