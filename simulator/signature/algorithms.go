package signature

import (
	"crypto"
	// Register the hash functions the algorithm tables below name.
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha512"

	dsig "github.com/russellhaering/goxmldsig"
)

// Namespace URIs the package matches elements on. Prefixes are never
// significant.
const (
	nsDSig    = dsig.Namespace
	nsExcC14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
)

// Algorithm identifiers used when signing.
const (
	algExcC14N    = string(dsig.CanonicalXML10ExclusiveAlgorithmId)
	algEnveloped  = string(dsig.EnvelopedSignatureAltorithmId)
	algRSASHA256  = dsig.RSASHA256SignatureMethod
	algDigestSHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
	algSHA256     = "http://www.w3.org/2001/04/xmlenc#sha256"
	algSHA384     = "http://www.w3.org/2001/04/xmldsig-more#sha384"
	algSHA512     = "http://www.w3.org/2001/04/xmlenc#sha512"
)

// digestHash maps a DigestMethod algorithm URI to its hash function.
func digestHash(alg string) (crypto.Hash, bool) {
	switch alg {
	case algSHA256:
		return crypto.SHA256, true
	case algSHA384:
		return crypto.SHA384, true
	case algSHA512:
		return crypto.SHA512, true
	case algDigestSHA1:
		return crypto.SHA1, true
	}
	return 0, false
}

// rsaSignatureHash maps an RSA SignatureMethod algorithm URI to its hash
// function.
func rsaSignatureHash(alg string) (crypto.Hash, bool) {
	switch alg {
	case dsig.RSASHA256SignatureMethod:
		return crypto.SHA256, true
	case dsig.RSASHA384SignatureMethod:
		return crypto.SHA384, true
	case dsig.RSASHA512SignatureMethod:
		return crypto.SHA512, true
	case dsig.RSASHA1SignatureMethod:
		return crypto.SHA1, true
	}
	return 0, false
}

// isCanonicalization reports whether alg is a canonicalization algorithm the
// package can apply.
func isCanonicalization(alg string) bool {
	switch dsig.AlgorithmID(alg) {
	case dsig.CanonicalXML10ExclusiveAlgorithmId,
		dsig.CanonicalXML10ExclusiveWithCommentsAlgorithmId,
		dsig.CanonicalXML10RecAlgorithmId,
		dsig.CanonicalXML10WithCommentsAlgorithmId,
		dsig.CanonicalXML11AlgorithmId,
		dsig.CanonicalXML11WithCommentsAlgorithmId:
		return true
	}
	return false
}

// canonicalizer returns goxmldsig's canonicalizer for alg; prefixList is the
// InclusiveNamespaces PrefixList of the exclusive algorithms. alg must satisfy
// isCanonicalization.
func canonicalizer(alg, prefixList string) dsig.Canonicalizer {
	switch dsig.AlgorithmID(alg) {
	case dsig.CanonicalXML10ExclusiveWithCommentsAlgorithmId:
		return dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList(prefixList)
	case dsig.CanonicalXML10RecAlgorithmId:
		return dsig.MakeC14N10RecCanonicalizer()
	case dsig.CanonicalXML10WithCommentsAlgorithmId:
		return dsig.MakeC14N10WithCommentsCanonicalizer()
	case dsig.CanonicalXML11AlgorithmId:
		return dsig.MakeC14N11Canonicalizer()
	case dsig.CanonicalXML11WithCommentsAlgorithmId:
		return dsig.MakeC14N11WithCommentsCanonicalizer()
	}
	return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixList)
}
