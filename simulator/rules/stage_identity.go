package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
)

// --- stage 5: identity ----------------------------------------------------

func (c *check) identity() {
	d := c.r.Document
	seen := make(map[string]bool)
	checkHetu := func(value, where, who string, client bool) (hetu.Code, bool) {
		code, err := hetu.Parse(value)
		if err != nil {
			c.add(hetuRule(err), where, "%s's personal identity code: %v", who, err)
			return code, false
		}
		if !code.Test && !seen[value] {
			seen[value] = true
			c.add("ID-TEST-IDENTITY", where, "%s's personal identity code is not a test identity (individual number 900-999), only test identities are accepted", who)
			return code, false
		}
		return code, true
	}
	checkPerson := func(p message.Person, who string, client bool) {
		id := p.ID
		switch {
		case id.Root == kanta.OIDHetu:
			code, ok := checkHetu(id.Extension, message.AttrPath(id.El, "extension"), who, client)
			if ok && client && p.BirthTime.Value != "" {
				bt, err := message.ParseTS(p.BirthTime.Value)
				if err != nil || bt.Format("20060102") != code.BirthDate.Format("20060102") {
					c.add("ID-BIRTH-DATE", message.Path(p.BirthTime.El), "birth time %q does not match the identity code's birth date %s",
						p.BirthTime.Value, code.BirthDate.Format(time.DateOnly))
				}
			}
		case client && id.Null():
			c.add("ID-CLIENT-MISSING", loc(id.El, message.Path(p.El)+"/id"), "the client has neither a personal identity code nor a temporary identifier")
		case client:
			if !isOID(id.Root) || id.Extension == "" {
				c.add("ID-TEMP-ID", loc(id.El, message.Path(p.El)), "temporary identifier %q needs an OID root and a value", id.String())
			}
		case !client && id.Root == kanta.OIDRegistrationNumber:
			if id.Extension == "" {
				c.add("ID-PROFESSIONAL", message.Path(id.El), "registration number without a value")
			}
		case !client && id.NullFlavor == "":
			c.add("ID-PROFESSIONAL", loc(id.El, message.Path(p.El)), "professional id root %q is neither %s nor %s", id.Root, kanta.OIDHetu, kanta.OIDRegistrationNumber)
		}
	}
	if f := c.r.Frame; f != nil {
		if f.Performer.ID.Root == kanta.OIDHetu {
			checkPerson(f.Performer, "the sender", false)
		}
		if f.Document != nil {
			for _, p := range f.Document.Patients {
				checkPerson(p, "the frame's client", true)
			}
			for _, p := range f.Document.Authors {
				if p.ID.Root == kanta.OIDHetu {
					checkPerson(p, "the frame's author", false)
				}
			}
		}
	}
	if d == nil {
		return
	}
	for _, p := range d.Patients {
		checkPerson(p, "the client", true)
		c.r.Clients = append(c.r.Clients, p.ID)
	}
	for _, p := range d.Authors {
		if !p.ID.Null() {
			checkPerson(p, "the author", false)
		}
	}
	// Clients in the structured content.
	if d.Body.JSON != nil {
		if v, err := c.content(); err == nil {
			docHetus := make(map[string]bool)
			for _, p := range d.Patients {
				if p.ID.Root == kanta.OIDHetu {
					docHetus[p.ID.Extension] = true
				}
			}
			for _, jc := range jsonClients(v) {
				where := message.Path(d.Body.JSONEl) + "#" + jc.ptr
				if _, ok := checkHetu(jc.hetu, where, "the content's client", true); !ok {
					continue
				}
				if !docHetus[jc.hetu] {
					c.add("ID-SAME-CLIENT", where, "the content names client %s, who is not a client in the metadata (recordTarget)", hetu.Mask(jc.hetu))
				}
			}
		}
	}
	c.minors(d)
}

// minors checks that a minor client's documents say whether they may be
// shown to the guardian.
func (c *check) minors(d *message.Document) {
	g := c.r.Group
	if g == nil || g.Kind == kanta.KindCase || g.Kind == kanta.KindOld || c.r.Annulment {
		return
	}
	at, err := message.ParseTS(d.EffectiveTime.Value)
	if err != nil {
		at = c.now
	}
	for _, p := range d.Patients {
		if p.ID.Root != kanta.OIDHetu {
			continue
		}
		code, err := hetu.Parse(p.ID.Extension)
		if err != nil || !at.Before(code.BirthDate.AddDate(18, 0, 0)) {
			continue
		}
		has := false
		for _, cs := range d.Consents {
			if message.SameCodeSystem(cs.CodeSystem, kanta.OIDGuardianConsent) && cs.Code != "" {
				has = true
			}
		}
		if !has {
			c.add("ID-MINOR-GUARDIAN", "/ClinicalDocument/authorization/consent/code",
				"the client is under 18 on %s and the document does not say whether it may be shown to the guardian (%s)",
				at.Format(time.DateOnly), kanta.OIDGuardianConsent)
		}
	}
}

type jsonClient struct{ ptr, hetu string }

// jsonClients finds the identity codes of clients in structured content:
// objects under an "asiakas" key holding henkilotunnus {system, value}.
func jsonClients(v any) []jsonClient {
	var out []jsonClient
	var walk func(v any, ptr string, inClient bool)
	walk = func(v any, ptr string, inClient bool) {
		switch x := v.(type) {
		case map[string]any:
			if inClient {
				if ht, ok := x["henkilotunnus"].(map[string]any); ok {
					sys, _ := ht["system"].(string)
					val, _ := ht["value"].(string)
					if strings.TrimPrefix(sys, "urn:oid:") == kanta.OIDHetu && val != "" {
						out = append(out, jsonClient{ptr + "/henkilotunnus/value", val})
					}
				}
			}
			for k, e := range x {
				walk(e, ptr+"/"+k, k == "asiakas")
			}
		case []any:
			for i, e := range x {
				walk(e, fmt.Sprintf("%s/%d", ptr, i), inClient)
			}
		}
	}
	walk(v, "", false)
	slices.SortFunc(out, func(a, b jsonClient) int { return strings.Compare(a.ptr, b.ptr) })
	return out
}
