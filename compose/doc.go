// Package compose builds archiving messages for Kanta's social-welfare
// client data archive (Sosiaalihuollon asiakastiedon arkisto) in the format
// real client data systems send: the HL7 V3 archiving frame
// RCMR_IN200002FI01 (siirtokehys) and the CDA R2 document (asiakirja) it
// carries, with the urn:hl7finland localSocialHeader, a display form (XHTML
// with the structured JSON beside it, or PDF/A) in nonXMLBody, and the
// XMLDSig signatures of signatureCollection.
//
// The reference vendor system and the tests use it. A Document holds
// everything the archive needs for a document of any group; Build renders
// and signs the CDA document and Frame renders the frame that carries it.
// The output depends only on the Document and FrameOptions (ids, times,
// keys), so the same input gives the same bytes.
//
// Element names and codes that public material does not show are the mock
// archive's own (simulator/rules and simulator/codes), so a real archive
// will not accept every document built here: case documents, new versions,
// annulments, journal entries and PDF/A documents carry SIM-* codes.
//
// Typical use:
//
//	d := &compose.Document{Group: kanta.KindClientRelation, ID: id, SetID: id, Version: 1, ...}
//	cda, err := d.Build()
//	if err != nil {
//		return err
//	}
//	frame, err := compose.Frame(d, compose.FrameOptions{MessageID: "1"})
package compose
