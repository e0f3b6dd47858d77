package kanta

import (
	_ "embed"
	"fmt"
	"slices"

	"github.com/yhteistestaus/yhteistestaus/datafile"
)

//go:embed groups.yaml
var groupsYAML []byte

// GroupKind is what a document group means to the archive.
type GroupKind string

// The kinds of document group (asiakirjaryhmä).
const (
	// KindClientRelation is the asiakkuusasiakirja (sv. klientrelationshandling).
	KindClientRelation GroupKind = "client-relation"
	// KindCase is the asia-asiakirja (sv. ärendehandling).
	KindCase GroupKind = "case"
	// KindOld is a vanha asiakasasiakirja, created before joining Kanta.
	KindOld GroupKind = "old"
	// KindPhase1 is a client document of phase 1.
	KindPhase1 GroupKind = "phase1"
	// KindClientDocument is a client document (asiakasasiakirja) of phase 2 or later.
	KindClientDocument GroupKind = "client-document"
	// KindJournal is an asiakaskertomusmerkintä (client journal entry).
	KindJournal GroupKind = "journal-entry"
)

// Group is one document group (asiakirjaryhmä) and what the archive
// requires of its documents. The names in Required are metadata elements
// the validator knows (simulator/rules checks them when it loads the table).
type Group struct {
	Code            string    `yaml:"code"`
	Kind            GroupKind `yaml:"kind"`
	Name            string    `yaml:"name"`
	Official        bool      `yaml:"official"`
	ServiceRequests []string  `yaml:"service_requests"`
	Structured      bool      `yaml:"structured"`
	Signed          bool      `yaml:"signed"`
	Required        []string  `yaml:"required"`
	// Structure says which Sosmeta structures documents of the group
	// follow.
	Structure StructureKind `yaml:"structure"`
}

// StructureKind describes the Sosmeta structures (contentSpecificationId)
// of a document group.
type StructureKind struct {
	// Arc is the OID arc the structures are under, e.g. 1.2.246.537.6.1506
	// for client documents; "" allows any.
	Arc string `yaml:"arc"`
	// TypeArc is true when the arc after Arc is the structure's specific
	// document type (1.2.246.537.6.1506.<specificDocumentType>.<date>).
	TypeArc bool `yaml:"type_arc"`
	// DocumentTypes are Sosmeta's documentType values the structures may
	// have; empty allows any.
	DocumentTypes []string `yaml:"document_types"`
	// Subjects are Sosmeta's documentSubject values the structures may
	// have; empty allows any.
	Subjects []string `yaml:"subjects"`
}

// IsClientDocument reports whether documents of the group are client
// documents that belong to a case (everything but the client relation
// document and the case document).
func (g *Group) IsClientDocument() bool {
	return g.Kind != KindClientRelation && g.Kind != KindCase
}

// Groups is the table of document groups with the record status codes.
type Groups struct {
	// OperationServiceRequests are the service requests of a new version
	// and of an annulment.
	OperationServiceRequests struct {
		NewVersion string `yaml:"new_version"`
		Annul      string `yaml:"annul"`
	} `yaml:"operation_service_requests"`
	// CaseStatus are the case statuses of an open and a closed case.
	CaseStatus struct {
		Open   string `yaml:"open"`
		Closed string `yaml:"closed"`
	} `yaml:"case_status"`
	RecordStatus struct {
		Ready    string `yaml:"ready"`
		Annulled string `yaml:"annulled"`
	} `yaml:"record_status"`
	// HeaderElements are the localSocialHeader children of the metadata model.
	HeaderElements []string `yaml:"header_elements"`
	List           []*Group `yaml:"groups"`
	// DocumentTypes lists document type codes with special rules.
	DocumentTypes struct {
		ProfessionalSignature []string `yaml:"professional_signature"`
		Attachment            []string `yaml:"attachment"`
	} `yaml:"document_types"`
	// ImplementationProcesses are the service-process codes meaning the
	// implementation of the service, which requires the social service.
	ImplementationProcesses []string `yaml:"implementation_processes"`
	// DisplayFormats are the fileFormat codes of each media kind.
	DisplayFormats struct {
		XHTML []string `yaml:"xhtml"`
		PDF   []string `yaml:"pdf"`
	} `yaml:"display_formats"`
}

// KnownHeaderElement reports whether a localSocialHeader child of the local
// name belongs to the metadata model.
func (gs *Groups) KnownHeaderElement(local string) bool {
	return slices.Contains(gs.HeaderElements, local)
}

// Known reports whether k is one of the GroupKind constants.
func (k GroupKind) Known() bool {
	switch k {
	case KindClientRelation, KindCase, KindOld, KindPhase1, KindClientDocument, KindJournal:
		return true
	}
	return false
}

// LoadGroups parses a groups table and checks it: group codes are unique,
// every group's kind is a known GroupKind, and every code list the rules and
// the composer rely on (record and case statuses, operation service requests, the
// display formats of XHTML and PDF) is given.
func LoadGroups(data []byte) (*Groups, error) {
	var g Groups
	if err := datafile.Decode(data, &g); err != nil {
		return nil, fmt.Errorf("parse groups: %w", err)
	}
	seen := make(map[string]bool)
	for _, gr := range g.List {
		if seen[gr.Code] {
			return nil, fmt.Errorf("groups: duplicate group code %s", gr.Code)
		}
		seen[gr.Code] = true
		if !gr.Kind.Known() {
			return nil, fmt.Errorf("groups: group %s has unknown kind %q", gr.Code, gr.Kind)
		}
	}
	if g.RecordStatus.Ready == "" || g.RecordStatus.Annulled == "" {
		return nil, fmt.Errorf("groups: record_status ready and annulled are required")
	}
	if g.OperationServiceRequests.NewVersion == "" || g.OperationServiceRequests.Annul == "" {
		return nil, fmt.Errorf("groups: operation_service_requests new_version and annul are required")
	}
	if g.CaseStatus.Open == "" || g.CaseStatus.Closed == "" {
		return nil, fmt.Errorf("groups: case_status open and closed are required")
	}
	if len(g.DisplayFormats.XHTML) == 0 || len(g.DisplayFormats.PDF) == 0 {
		return nil, fmt.Errorf("groups: display_formats xhtml and pdf each need at least one fileFormat code")
	}
	return &g, nil
}

// DefaultGroups returns the embedded groups table.
func DefaultGroups() (*Groups, error) { return LoadGroups(groupsYAML) }

// ByCode returns the group with the code.
func (gs *Groups) ByCode(code string) (*Group, bool) {
	for _, g := range gs.List {
		if g.Code == code {
			return g, true
		}
	}
	return nil, false
}

// ByKind returns the first group of the kind.
func (gs *Groups) ByKind(k GroupKind) (*Group, bool) {
	for _, g := range gs.List {
		if g.Kind == k {
			return g, true
		}
	}
	return nil, false
}

// AllowsServiceRequest reports whether a message storing a document of the
// group may carry the service request.
func (g *Group) AllowsServiceRequest(code string) bool {
	return slices.Contains(g.ServiceRequests, code)
}
