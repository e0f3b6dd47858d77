package rules

import (
	"strings"

	"github.com/yhteistestaus/yhteistestaus/simulator/message"
)

// legacyCaseStatusField is the text field of the simulator's earlier
// embedded case structure that names the case status by its display name.
const legacyCaseStatusField = "asian_tila"

// caseStatus checks that a case document's status agrees with its closing
// date in the metadata and in the structured content (Table 11.2.2 rows
// 14-15, L28046-L28068): a case with a closing date carries the closed
// status, and a closed case's content does too.
func (c *check) caseStatus() {
	d := c.r.Document
	h := d.Header
	open, closed := c.v.Groups.CaseStatus.Open, c.v.Groups.CaseStatus.Closed
	hasEnd := d.Case != nil && d.Case.High.Value != ""
	statusLoc := loc(h.CaseStatus.El, message.Path(h.El)+"/caseStatus")
	switch {
	case hasEnd && h.CaseStatus.Code != "" && h.CaseStatus.Code != closed:
		c.add("HDR-CASE-STATUS", statusLoc, "the case has a closing date (effectiveTime/high %s) but its status is %q, not the closed status %s",
			d.Case.High.Value, h.CaseStatus.Code, closed)
	case h.CaseStatus.Code == closed && !hasEnd:
		c.add("HDR-CASE-METADATA", statusLoc, "a closed case needs its closing date in encompassingEncounter/effectiveTime/high")
	}
	if h.CaseStatus.Code != closed && !hasEnd {
		return
	}
	ptr, code, ok := c.contentCaseStatus(open, closed)
	if ok && code != closed {
		c.add("HDR-CASE-STATUS", message.Path(d.Body.JSONEl)+"#"+ptr, "the case is closed but its structured content gives the status %q, not the closed status %s", code, closed)
	}
}

// contentCaseStatus finds the case status in the structured content: a
// code object of the case-status code system, or the legacy text field
// asian_tila holding a status's display name (mapped to its code). ok is
// false when the content names none.
func (c *check) contentCaseStatus(open, closed string) (ptr, code string, ok bool) {
	d := c.r.Document
	if d.Body.JSON == nil {
		return "", "", false
	}
	v, err := c.content()
	if err != nil {
		return "", "", false
	}
	oid, _ := c.v.Codes.Binding("header.caseStatus")
	displays := make(map[string]string)
	if sys, found := c.v.Codes.System(oid); found {
		for _, s := range []string{open, closed} {
			if val, found := sys.Lookup(s); found {
				displays[strings.ToLower(val.BareDisplay())] = s
			}
		}
	}
	walkJSON(v, "", func(p string, obj map[string]any) {
		if ok {
			return
		}
		if sys, _ := obj["system"].(string); sys != "" && message.SameCodeSystem(strings.TrimPrefix(sys, "urn:oid:"), oid) {
			if s, isStr := obj["code"].(string); isStr {
				ptr, code, ok = p, s, true
			}
			return
		}
		if text, isStr := obj[legacyCaseStatusField].(string); isStr {
			s, known := displays[strings.ToLower(strings.TrimSpace(text))]
			if !known {
				s = text
			}
			ptr, code, ok = p+"/"+legacyCaseStatusField, s, true
		}
	})
	return ptr, code, ok
}
