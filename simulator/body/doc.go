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
// The bundled schemas in schemas/ are keyed by contentSpecificationId: a
// file is named <contentSpecificationId>.json. All of them are the
// simulator's own synthetic schemas written to mimic THL's Sosmeta
// conventions (draft 2020-12; code objects {system: "urn:oid:…", code,
// display}; identifier objects {system, value}; enum for internal code
// systems; patterns for dates and OIDs). They are not THL's official
// schemas. Two of them carry real Sosmeta ids seen in the public samples
// (1.2.246.537.6.1505.1.2023.6.1, 1.2.246.537.6.1506.15007.2024.11.28); the
// ids of the other three (case document, decision, journal entry) are the
// simulator's own as well, which each schema's description says.
package body
