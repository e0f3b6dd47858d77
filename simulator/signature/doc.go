// Package signature verifies and creates the XML signatures (sähköinen
// allekirjoitus) that Kanta social-welfare CDA documents carry in
// localSocialHeader/signatureCollection/signature elements of the
// urn:hl7finland namespace.
//
// Each such signature element holds a signatureDescription (the signature
// type, code system 1.2.246.537.5.40127.2006), a signatureTimestamp and an
// XMLDSig ds:Signature whose References point by ID to the document's
// nonXMLBody and to the signatureTimestamp. The package canonicalizes with
// github.com/russellhaering/goxmldsig and checks digests and RSA signature
// values with the standard library. It does not check the certificate's
// trust chain; callers get the certificate to judge for themselves.
//
// Typical use:
//
//	results, err := signature.Verify(doc)
//	if err != nil {
//		return err
//	}
//	for _, r := range results {
//		if !r.Valid() {
//			fmt.Println(r.Path, r.Problem)
//		}
//	}
package signature
