package rules

import (
	"fmt"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
)

// headerElement is a metadata element a document group can require: the
// rule a missing element breaks, the element's name in findings, and how to
// tell whether the document has it.
type headerElement struct {
	rule    string
	display string
	present func(d *message.Document) bool
}

// checkRequiredElements reports a group of the table that requires an
// element the validator cannot check.
func checkRequiredElements(gs *kanta.Groups) error {
	known := headerElements()
	for _, g := range gs.List {
		for _, el := range g.Required {
			if _, ok := known[el]; !ok {
				return fmt.Errorf("groups: group %s requires unknown element %q", g.Code, el)
			}
		}
	}
	return nil
}

// headerElements returns the element names kanta/groups.yaml may list under
// required. It builds the small table on each call, once per validated
// message, so that no package-level map exists to be changed.
func headerElements() map[string]headerElement {
	return map[string]headerElement{
		"caseId": {"HDR-CASE-ID", "componentOf/encompassingEncounter/id", func(d *message.Document) bool {
			return d.Case != nil && d.Case.ID.Root != ""
		}},
		"serviceTask": {"HDR-SERVICE-TASK", "localSocialHeader/functionCode", func(d *message.Document) bool {
			return d.Header.FunctionCode.Code != ""
		}},
		"serviceUnit": {"HDR-SERVICE-UNIT", "componentOf/encompassingEncounter/encounterParticipant[@typeCode='ADM']", func(d *message.Document) bool {
			return d.Case != nil && d.Case.ServiceUnit.Root != ""
		}},
		"organiser": {"HDR-ORGANISER", "localSocialHeader/outsourcingServiceCustomer", func(d *message.Document) bool {
			return d.Header.OutsourcingServiceCustomer.Root != ""
		}},
		"organiserName": {"HDR-ORGANISER", "localSocialHeader/outsourcingServiceCustomerName", func(d *message.Document) bool {
			return d.Header.OutsourcingServiceCustomerName.Value != ""
		}},
		"contentSpecificationId": {"HDR-CONTENT-SPEC", "localSocialHeader/contentSpecificationId", func(d *message.Document) bool {
			return d.Header.ContentSpecificationID.Value != ""
		}},
		"structuredFileFormat": {"HDR-FORMAT", "localSocialHeader/structuredFileFormat", func(d *message.Document) bool {
			return d.Header.StructuredFileFormat.Code != ""
		}},
		"fileFormat": {"HDR-FORMAT", "localSocialHeader/fileFormat", func(d *message.Document) bool {
			return d.Header.FileFormat.Code != ""
		}},
		"recordStatus": {"HDR-RECORD-STATUS", "localSocialHeader/recordStatus", func(d *message.Document) bool {
			return d.Header.RecordStatus.Code != ""
		}},
		"registryType": {"HDR-REQUIRED", "localSocialHeader/registryType", func(d *message.Document) bool {
			return d.Header.RegistryType.Code != ""
		}},
		"clientRelationship": {"HDR-REQUIRED", "localSocialHeader/encompassingClientRelationship", func(d *message.Document) bool {
			return d.Header.EncompassingClientRelationship.Root != ""
		}},
		"generalType": {"HDR-GENERAL-TYPE", "ClinicalDocument/code", func(d *message.Document) bool {
			return d.Code.Code != ""
		}},
		"specificType": {"HDR-SPECIFIC-TYPE", "localSocialHeader/specificDocumentType", func(d *message.Document) bool {
			return d.Header.SpecificDocumentType.Code != ""
		}},
		"serviceProcess": {"HDR-SERVICE-PROCESS", "localSocialHeader/serviceProcess/code", func(d *message.Document) bool {
			return d.Header.ServiceProcess.Code != ""
		}},
		"storer": {"HDR-STORER", "author/assignedAuthor (with given and family name)", func(d *message.Document) bool {
			for _, a := range d.Authors {
				if a.Family != "" && len(a.Given) > 0 && !a.ID.Null() {
					return true
				}
			}
			return false
		}},
		"caseName": {"HDR-CASE-METADATA", "localSocialHeader/caseName", func(d *message.Document) bool {
			return d.Header.CaseName.Code != ""
		}},
		"caseStatus": {"HDR-CASE-METADATA", "localSocialHeader/caseStatus", func(d *message.Document) bool {
			return d.Header.CaseStatus.Code != ""
		}},
		"caseOpened": {"HDR-CASE-METADATA", "componentOf/encompassingEncounter/effectiveTime/low", func(d *message.Document) bool {
			return d.Case != nil && d.Case.Low.Value != ""
		}},
	}
}
