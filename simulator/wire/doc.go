// Package wire reads and writes the messages the mock Kanta archive
// exchanges with a client data system: SOAP envelopes, MIME
// multipart/related packages (SOAP with Attachments and MTOM/XOP), the HL7 V3
// archiving frame (siirtokehys) RCMR_IN200002FI01 that carries a CDA R2
// document, and the archive's answers: HL7 V3 acknowledgements
// (MCCI_IN000002UV01) and SOAP faults.
//
// The package splits a message into its frame and its document and checks
// only what any XML consumer must: size, MIME structure, well-formedness,
// UTF-8, nesting depth, no DTDs. Everything about the content (header
// metadata, codes, signatures) is for the validator.
//
// # What is Kanta's and what is ours
//
// Observed in real messages (../shared/samples/kanta-sh-public) and public
// material (domain/wire-facts.md):
//
//   - the frame: RCMR_IN200002FI01 in namespace urn:hl7-org:v3, receiver
//     device 1.2.246.556.18007.2 (ArchiveDevice), the document's header
//     metadata repeated in controlActProcess/subject/clinicalDocument;
//   - the document travels as a separate MIME part: the frame's
//     clinicalDocument/text has mediaType="multipart/related" and a
//     vendor-internal reference (Epic's <mimeEncode><DXS/></mimeEncode>);
//   - the accept acknowledgement interaction MCCI_IN000002UV01 (Finnish HL7
//     V3 transmission wrapper guide).
//
// Kanta's SOAP profile (WSDL, WS-Addressing, WS-Security) is not public, so
// the following are our own choices, made to accept what vendors plausibly
// send and to be easy to change:
//
//   - Transport: SOAP 1.1 (text/xml) or SOAP 1.2 (application/soap+xml),
//     either alone or as the root of multipart/related. The root is the part
//     the start parameter names, else the first part. The SOAP version
//     follows the media type; an envelope of the other version is an error.
//   - The SOAP Body holds exactly one element, the HL7 V3 interaction (any
//     element of urn:hl7-org:v3 whose name has the shape of an interaction
//     id, such as RCMR_IN200002FI01). There is no wrapper element. The SOAP
//     Header is ignored except for a WS-Addressing Action.
//   - The action is ActionFor(interaction), "urn:hl7-org:v3:" plus the
//     interaction id; the archive records it (Message.Action) but does not
//     dispatch on it.
//   - The document is found from the frame's
//     controlActProcess/subject/clinicalDocument/text, in this order: an
//     xop:Include href="cid:..." (MTOM); a <reference value="cid:..."/> (SwA);
//     representation="B64" with mediaType text/xml, application/xml or
//     application/hl7-cda+xml (inline base64, which may be split by
//     whitespace and interrupted by XML comments); otherwise, as with the
//     samples' DXS reference, the one non-root MIME part whose root element
//     is a ClinicalDocument. Only cid: references are resolved.
//   - The document part's own Content-Type is not checked (any XML part will
//     do); its Content-Transfer-Encoding (binary, 8bit, 7bit, base64,
//     quoted-printable) is undone, nothing else is changed.
//   - Files (ReadFile, for the command line): a SOAP envelope, a bare frame
//     whose document can only be inline base64, or a MIME message (header
//     lines with Content-Type, optionally after an HTTP request line, then
//     the body); a SOAPAction header there fills Message.Action.
//   - Writing, WriteRequest sets text/@mediaType to text/xml in every
//     packaging and names the document part by a generated Content-ID.
//   - Limits (DefaultLimits): 20 MiB per body, 16 MIME parts, 256 levels of
//     XML nesting, 200,000 elements per XML part, 256 attributes and 64
//     namespace declarations per element, 4,096 namespace declarations per
//     XML part. The elements and each tag's attributes are counted by a
//     scan of the bytes before any tree is built, the rest while ParseXML
//     reads (one pass, before a large tree exists). Only UTF-8 is accepted, and an encoding declaration
//     must say UTF-8 (or US-ASCII): ISO-8859-1 or UTF-16 declared on UTF-8
//     bytes is KindEncoding. A DOCTYPE or any other <!...> declaration is
//     rejected in every XML part, so no entity is ever expanded.
//   - The WSDL (served by simulator/server at ?wsdl) is the simulator's
//     own: document/literal, SOAP 1.1 and 1.2 bindings of the operation
//     RCMR_IN200002FI01 answered by MCCI_IN000002UV01, loosely typed
//     (xs:any) because the HL7 V3 schemas are not ours to publish.
//   - The acknowledgement: MCCI_IN000002UV01 with interactionId root
//     2.16.840.1.113883.1.6, processingCode P, processingModeCode T,
//     acceptAckCode NE, sender the archive's device, receiver the vendor's,
//     acknowledgement/typeCode/@code AA, AE or AR (the HL7 V3 Normative
//     Edition 2008 form, AckFormNE2008, which validates against that
//     edition's MCCI_IN000002UV01.xsd; AckFormAttribute writes
//     acknowledgement/@typeCode instead, for clients of other editions),
//     targetMessage/id the frame's id. Each finding is one acknowledgementDetail: typeCode E, W or I from
//     the severity; code/@code the rule id with codeSystemName
//     "yhteistestaus-rules" (no OID exists) and the handbook source in
//     code/originalText; text the message; location the location. What the
//     archive did (store, new version, annulment) is in an attentionLine
//     with keyWordText "operation" and an ST value.
//   - Faults: a SOAP 1.1 faultcode Client or Server, or a SOAP 1.2 Code
//     Sender or Receiver, with the reason in English, led by the id of the
//     rule broken, which is also in the detail as
//     <rule xmlns="urn:yhteistestaus:fault">. Every Kind names its rule
//     (Kind.Rule): the transport rules are catalogue/rules/wire.yaml,
//     the XML ones xml.yaml.
//
// # Errors
//
// Every reader error is an *Error whose Kind says what went wrong (KindOf
// extracts it): KindTooLarge, KindContentType, KindMIME, KindXML,
// KindEncoding, KindDTD, KindTooDeep, KindSOAP, KindNoFrame,
// KindNoDocument; ReadAcknowledgement also gives KindFault,
// which wraps the *Fault. A frame that carries no document is not an error:
// Message.DocumentFrom is then FromNone.
package wire
