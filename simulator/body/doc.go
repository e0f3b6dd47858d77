// Package body checks the content of a CDA document's component/nonXMLBody
// in Kanta's social-welfare archive: the XHTML display form
// (näyttömuoto, text mediaType="application/xhtml+xml"), the structured JSON
// form (rakenteinen muoto, hl7fi:json) validated against Sosmeta-style JSON
// Schemas, and PDF/A display documents (mediaType="application/pdf").
//
// Every function here takes outside input and is built to fail with a clear
// error, never a panic or a hang: inputs are size- and depth-limited, XML
// DTDs are refused, and JSON duplicates and trailing data are rejected.
//
// # Schemas
//
// The embedded fallback schemas in schemas/ (DefaultSchemas) are keyed by
// contentSpecificationId: a file is named <contentSpecificationId>.json,
// and package sosmeta loads them as it loads THL's export. All of them are
// the simulator's own synthetic schemas written to mimic THL's Sosmeta
// conventions (code objects {system: "urn:oid:…", code, display};
// identifier objects {system, value}; patterns for dates). They are not
// THL's official schemas and they are open: they never refuse what THL's
// structure of the same OID allows. All carry THL's OIDs: the client
// relation document 1.2.246.537.6.1505.1.2023.6.1, the case document
// 1.2.246.537.6.1505.2.2022.6.28, the plan
// 1.2.246.537.6.1506.15007.2024.11.28, the decision
// 1.2.246.537.6.1506.11001.2023.9.8 and the journal entry
// 1.2.246.537.6.1506.19013.2022.1.10.
package body
