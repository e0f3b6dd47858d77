package rules

import (
	"slices"
	"strings"

	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
)

// --- stage 6: frame and document consistency ------------------------------

func (c *check) consistency() {
	f, d := c.r.Frame, c.r.Document
	if f == nil || f.Document == nil || d == nil {
		return
	}
	fd := f.Document
	if fd.ID.Root != d.ID.Root || fd.ID.Extension != d.ID.Extension {
		c.add("CONS-ID", loc(fd.ID.El, message.Path(fd.El)+"/id"), "frame says document id %q, the document is %q", fd.ID.String(), d.ID.String())
	}
	if fd.SetID.Root != d.SetID.Root || fd.SetID.Extension != d.SetID.Extension {
		c.add("CONS-SETID", loc(fd.SetID.El, message.Path(fd.El)+"/setId"), "frame says setId %q, the document has %q", fd.SetID.String(), d.SetID.String())
	}
	if fd.Version.Value != d.Version.Value {
		c.add("CONS-VERSION", loc(fd.Version.El, message.Path(fd.El)+"/versionNumber"), "frame says version %q, the document has %q", fd.Version.Value, d.Version.Value)
	}
	ids := func(ps []message.Person) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ID.String())
		}
		slices.Sort(out)
		return out
	}
	if fa, da := ids(fd.Patients), ids(d.Patients); !slices.Equal(fa, da) {
		c.add("CONS-CLIENT", message.Path(fd.El)+"/recordTarget", "frame names clients %v, the document %v", maskAll(fa), maskAll(da))
	}
	if fd.Custodian.Root != d.Custodian.Root {
		c.add("CONS-CUSTODIAN", loc(fd.Custodian.El, message.Path(fd.El)+"/custodian"), "frame says custodian %q, the document %q", fd.Custodian.Root, d.Custodian.Root)
	}
	if h := d.Header; h != nil && fd.Code.Code != "" && h.RegistryType.Code != "" && fd.Code.Code != h.RegistryType.Code {
		c.add("CONS-REGISTRY", message.Path(fd.Code.El), "frame's clinicalDocument/code is register %q, the document's registryType %q", fd.Code.Code, h.RegistryType.Code)
	}
	if fd.EffectiveTime.Value != "" && fd.EffectiveTime.Value != d.EffectiveTime.Value {
		c.add("CONS-EFFECTIVE-TIME", message.Path(fd.EffectiveTime.El), "frame says effectiveTime %q, the document %q", fd.EffectiveTime.Value, d.EffectiveTime.Value)
	}
	if len(f.Senders) == 1 {
		s := f.Senders[0].Root
		ok := s == d.Custodian.Root
		if h := d.Header; h != nil {
			ok = ok || s == h.OutsourcingServiceCustomer.Root || s == h.ServiceProvider.Root
		}
		if !ok {
			c.add("CONS-SENDER", message.Path(f.Senders[0].El), "sender %s is neither the document's custodian, organiser nor provider", s)
		}
	}
}

func maskAll(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if root, ext, ok := strings.Cut(id, "^"); ok && root == kanta.OIDHetu {
			id = root + "^" + hetu.Mask(ext)
		}
		out[i] = id
	}
	return out
}
