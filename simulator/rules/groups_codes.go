package rules

import (
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
)

// groupsWithCodes returns a copy of the groups table whose codes follow the code
// lists cs: every simulator's own code (SIM-*) that an overlay replaced
// (codes.Set.Replacement) becomes the real code that took its place, so
// that a coordinator who loads THL's lists (--codes) changes what the
// rules expect without editing groups.yaml. The code system of each code
// is the one its element is bound to (bindings.yaml).
func groupsWithCodes(gs *kanta.Groups, cs *codes.Set) *kanta.Groups {
	out := *gs
	in := func(binding string) func(string) string {
		oid, _ := cs.Binding(binding)
		return func(code string) string { return cs.Replacement(oid, code) }
	}
	each := func(list []string, f func(string) string) []string {
		out := make([]string, len(list))
		for i, c := range list {
			out[i] = f(c)
		}
		return out
	}
	group, request := in("header.documentGroup"), in("frame.serviceRequest")
	out.List = make([]*kanta.Group, len(gs.List))
	for i, g := range gs.List {
		ng := *g
		ng.Code = group(g.Code)
		ng.ServiceRequests = each(g.ServiceRequests, request)
		out.List[i] = &ng
	}
	out.OperationServiceRequests.NewVersion = request(gs.OperationServiceRequests.NewVersion)
	out.OperationServiceRequests.Annul = request(gs.OperationServiceRequests.Annul)
	status := in("header.caseStatus")
	out.CaseStatus.Open, out.CaseStatus.Closed = status(gs.CaseStatus.Open), status(gs.CaseStatus.Closed)
	record := in("header.recordStatus")
	out.RecordStatus.Ready, out.RecordStatus.Annulled = record(gs.RecordStatus.Ready), record(gs.RecordStatus.Annulled)
	out.ImplementationProcesses = each(gs.ImplementationProcesses, in("header.serviceProcess.code"))
	format := in("header.fileFormat")
	out.DisplayFormats.XHTML, out.DisplayFormats.PDF = each(gs.DisplayFormats.XHTML, format), each(gs.DisplayFormats.PDF, format)
	docType := in("header.specificDocumentType")
	out.DocumentTypes.ProfessionalSignature = each(gs.DocumentTypes.ProfessionalSignature, docType)
	out.DocumentTypes.Attachment = each(gs.DocumentTypes.Attachment, docType)
	return &out
}

// UseCodes makes the validator judge codes by cs (the embedded lists with
// an overlay applied) and follow its replacements in the groups table.
func (v *Validator) UseCodes(cs *codes.Set) {
	v.Codes = cs
	v.Groups = groupsWithCodes(v.Groups, cs)
}
