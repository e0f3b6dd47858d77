package rules

import (
	"errors"
	"slices"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
)

// --- stage 8: signatures --------------------------------------------------

func (c *check) signatures() {
	d := c.r.Document
	if d == nil || d.Header == nil {
		return
	}
	g := c.r.Group
	h := d.Header
	if len(h.Signatures) == 0 {
		if g != nil && g.Signed {
			c.add("SIG-MISSING", message.Path(h.El)+"/signatureCollection", "the document has no signature, but documents of group %s (%s) must carry a professional or system signature", g.Code, g.Name)
		}
		return
	}
	results, err := signature.VerifyContext(c.ctx, d.XML)
	if ctxErr := c.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		c.r.Cancelled = ctxErr
		return
	}
	if err != nil {
		c.add("SIG-UNVERIFIABLE", message.Path(h.SignatureCollection), "signatures cannot be checked: %v", err)
		return
	}
	c.r.Signatures = results
	professional := 0
	for i, r := range results {
		where := r.Path
		if where == "" && i < len(h.Signatures) {
			where = message.Path(h.Signatures[i].El)
		}
		if r.Type == "" {
			c.add("SIG-TYPE", where, "signature %q names no type in signatureDescription", r.ID)
		}
		if r.Type == kanta.SignatureProfessional {
			professional++
		}
		if r.Problem != "" {
			c.add("SIG-UNVERIFIABLE", where, "signature %q cannot be checked: %s", r.ID, r.Problem)
		}
		coversBody := false
		for _, ref := range r.References {
			if d.Body.ID != "" && ref.URI == "#"+d.Body.ID {
				coversBody = true
			}
			switch {
			case ref.Problem != "":
				c.add("SIG-UNVERIFIABLE", where, "signature %q reference %s: %s", r.ID, ref.URI, ref.Problem)
			case !ref.DigestValid:
				c.add("SIG-DIGEST", where, "signature %q: the digest of reference %s (%s) does not match, the content changed after signing", r.ID, ref.URI, ref.Target)
			}
		}
		if r.Problem == "" && !r.SignatureValueValid {
			c.add("SIG-VALUE", where, "signature %q: the signature value does not verify with the certificate in KeyInfo", r.ID)
		}
		if !coversBody {
			c.add("SIG-BODY-REFERENCE", where, "signature %q does not reference the document body #%s", r.ID, d.Body.ID)
		}
	}
	if professional > 1 {
		c.add("SIG-ONE-PROFESSIONAL", message.Path(h.SignatureCollection), "%d professional signatures, the archived document is signed by one professional", professional)
	}
	if professional > 0 && !c.hasSignerMetadata() {
		c.add("SIG-SIGNER-METADATA", message.Path(h.El)+"/signature", "a professional signature needs the signer's name, registration number or identity code, authentication method and time in localSocialHeader/signature")
	}
	if professional == 0 && c.needsProfessionalSignature() && !c.r.Annulment {
		c.add("SIG-PROFESSIONAL-REQUIRED", message.Path(h.SignatureCollection), "document type %s/%s needs the professional's advanced electronic signature (Table 9.10.1)",
			d.Code.Code, h.SpecificDocumentType.Code)
	}
}

func (c *check) hasSignerMetadata() bool {
	for _, s := range c.r.Document.Header.Signers {
		if s.AssignedAuthorSigner.Value != "" && len(s.Given) > 0 && s.Family != "" && s.AuthenticationMethod.Code != "" && s.Time.Value != "" {
			return true
		}
	}
	return false
}

// needsProfessionalSignature reports whether the document's general or
// specific type is one that Table 9.10.1 reserves for the professional's
// signature.
func (c *check) needsProfessionalSignature() bool {
	d := c.r.Document
	ps := c.v.Groups.DocumentTypes.ProfessionalSignature
	return slices.Contains(ps, d.Code.Code) || slices.Contains(ps, d.Header.SpecificDocumentType.Code)
}
