package rules

import (
	"slices"
	"strings"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
)

// --- stage 2: frame -------------------------------------------------------

func (c *check) frame() {
	f := c.r.Frame
	if f == nil {
		return
	}
	if f.Interaction != kanta.InteractionArchiving || f.InteractionID.Extension != kanta.InteractionArchiving || f.InteractionID.Root != kanta.OIDInteraction {
		c.add("FRAME-INTERACTION", loc(f.InteractionID.El, "/"+f.Interaction+"/interactionId"),
			"interaction is %s with interactionId %s, want %s with interactionId %s^%s",
			f.Interaction, f.InteractionID, kanta.InteractionArchiving, kanta.OIDInteraction, kanta.InteractionArchiving)
	}
	if f.ID.Root == "" || f.ID.Extension == "" || !isOID(f.ID.Root) {
		c.add("FRAME-ID", loc(f.ID.El, "/"+f.Interaction+"/id"), "message id %q needs an OID root and an extension", f.ID.String())
	}
	if _, err := message.ParseTS(f.CreationTime.Value); err != nil {
		c.add("FRAME-CREATION-TIME", loc(f.CreationTime.El, "/"+f.Interaction+"/creationTime"), "creationTime: %v", err)
	}
	for _, pc := range []struct {
		name string
		code message.Code
		ok   []string
	}{
		{"processingCode", f.Processing, []string{"D", "P", "T"}},
		{"processingModeCode", f.ProcessingMode, []string{"A", "I", "R", "T"}},
		{"acceptAckCode", f.AcceptAck, []string{"AL", "ER", "NE"}},
	} {
		if !slices.Contains(pc.ok, pc.code.Code) {
			c.add("FRAME-PROCESSING", loc(pc.code.El, "/"+f.Interaction+"/"+pc.name),
				"%s is %q, want one of %s", pc.name, pc.code.Code, strings.Join(pc.ok, ", "))
		}
	}
	if len(f.Receivers) != 1 || f.Receivers[0].Root != kanta.OIDArchive {
		var got []string
		for _, r := range f.Receivers {
			got = append(got, r.Root)
		}
		c.add("FRAME-RECEIVER", "/"+f.Interaction+"/receiver/device/id", "receiver device is %q, want the archive %s", strings.Join(got, ", "), kanta.OIDArchive)
	}
	if len(f.Senders) != 1 || !isOID(f.Senders[0].Root) {
		c.add("FRAME-SENDER", "/"+f.Interaction+"/sender/device/id", "the message needs exactly one sender device with an organisation OID")
	}
	if f.ControlAct == nil {
		c.add("FRAME-SUBJECT", "/"+f.Interaction+"/controlActProcess", "the message has no controlActProcess")
		return
	}
	// plan-frame.xml, from a production system, names the code system
	// without a code: that is accepted as it stands.
	sampleForm := f.TriggerEvent.Code == "" && f.TriggerEvent.CodeSystem == kanta.OIDTriggerEvent
	if !sampleForm && (f.TriggerEvent.Code != kanta.TriggerArchiving || f.TriggerEvent.CodeSystem != kanta.OIDTriggerEvent) {
		c.add("FRAME-TRIGGER", loc(f.TriggerEvent.El, message.Path(f.ControlAct)+"/code"),
			"trigger event is %q in %q, want %s in %s", f.TriggerEvent.Code, f.TriggerEvent.CodeSystem, kanta.TriggerArchiving, kanta.OIDTriggerEvent)
	}
	var srs []message.Code
	for _, rc := range f.ReasonCodes {
		switch {
		case message.SameCodeSystem(rc.CodeSystem, kanta.OIDServiceRequest):
			srs = append(srs, rc)
		case message.SameCodeSystem(rc.CodeSystem, kanta.OIDUsageSituation):
			c.r.Usage = rc.Code
		}
	}
	caLoc := message.Path(f.ControlAct) + "/reasonCode"
	switch {
	case len(srs) != 1:
		c.add("FRAME-SERVICE-REQUEST", caLoc, "found %d service-request reasonCodes in %s, want exactly one", len(srs), kanta.OIDServiceRequest)
	default:
		c.r.ServiceRequest = srs[0].Code
		c.serviceRequestLoc = message.Path(srs[0].El)
		if sys, ok := c.v.Codes.System(kanta.OIDServiceRequest); ok {
			if _, ok := sys.Lookup(srs[0].Code); !ok {
				c.add("FRAME-SERVICE-REQUEST", message.Path(srs[0].El), "service request %q is not a known service request", srs[0].Code)
			}
		}
	}
	usage := f.ReasonCode(kanta.OIDUsageSituation)
	switch {
	case usage.El == nil:
		c.add("FRAME-USAGE-SITUATION", caLoc, "the control act declares no usage situation (%s)", kanta.OIDUsageSituation)
	case !slices.Contains([]string{"1", "2", "3", "4"}, usage.Code):
		c.add("FRAME-USAGE-SITUATION", message.Path(usage.El), "usage situation %q is not one of 1-4", usage.Code)
	case usage.Code == "3":
		c.add("FRAME-USAGE-STORE", message.Path(usage.El), "usage situation 3 (another controller's register) allows searching only, not archiving")
	}
	p := f.Performer
	if p.El == nil || p.ID.Extension == "" || (p.ID.Root != kanta.OIDHetu && p.ID.Root != kanta.OIDRegistrationNumber) {
		c.add("FRAME-PERFORMER", loc(p.El, message.Path(f.ControlAct)+"/authorOrPerformer"),
			"authorOrPerformer/assignedPerson/id must give the sender's identity code (%s) or registration number (%s)", kanta.OIDHetu, kanta.OIDRegistrationNumber)
	}
	if f.Document == nil {
		c.add("FRAME-SUBJECT", message.Path(f.ControlAct)+"/subject/clinicalDocument", "the control act carries no subject/clinicalDocument")
	}
}
