package wire_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

func TestAcknowledgementRoundTrip(t *testing.T) {
	helsinki := time.FixedZone("EEST", 3*60*60)
	full := wire.Acknowledgement{
		ID:                "ack-1",
		IDRoot:            "1.2.246.556.18007.2.10",
		CreationTime:      time.Date(2026, 7, 17, 13, 6, 55, 0, helsinki),
		TargetMessageID:   "10037140046",
		TargetMessageRoot: "1.2.246.10.27489432.10.0",
		Sender:            kanta.OIDArchive,
		Receiver:          "1.2.246.10.32213561.10.0",
		TypeCode:          kanta.AckError,
		Details: []yhteistestaus.Finding{
			{Rule: "ID-HETU-CHECK", Severity: yhteistestaus.SeverityError, Message: `check character of "010111A998W" is wrong; want "X" & not <Y>`, Location: "/ClinicalDocument/recordTarget/patientRole/id/@extension", Source: "handbook 9.2 (lines 100-120)"},
			{Rule: "DOC-LANG", Severity: yhteistestaus.SeverityWarning, Message: "languageCode FI is upper case", Location: "/ClinicalDocument/languageCode"},
			{Rule: "INFO-NOTE", Severity: yhteistestaus.SeverityInfo, Message: "stored as version 2"},
		},
		Operation: "new-version",
	}
	accepted := wire.Acknowledgement{
		ID: "ack-2", CreationTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		TargetMessageID: "1", TargetMessageRoot: "1.2.3",
		Sender: kanta.OIDArchive, Receiver: "1.2.3.4", TypeCode: kanta.AckAccepted,
	}
	for _, version := range []string{"1.1", "1.2"} {
		for name, ack := range map[string]wire.Acknowledgement{"with details": full, "accepted": accepted} {
			t.Run(version+"/"+name, func(t *testing.T) {
				var buf bytes.Buffer
				ct, err := wire.WriteAcknowledgement(&buf, version, ack)
				if err != nil {
					t.Fatalf("WriteAcknowledgement: %v", err)
				}
				got, err := wire.ReadAcknowledgement(ct, bytes.NewReader(buf.Bytes()))
				if err != nil {
					t.Fatalf("ReadAcknowledgement: %v\n%s", err, buf.Bytes())
				}
				want := ack
				if want.IDRoot == "" {
					want.IDRoot = want.Sender
				}
				if !got.CreationTime.Equal(want.CreationTime) {
					t.Errorf("CreationTime: got %v, want %v", got.CreationTime, want.CreationTime)
				}
				got.CreationTime, want.CreationTime = time.Time{}, time.Time{}
				if !reflect.DeepEqual(*got, want) {
					t.Errorf("round trip:\n got %+v\nwant %+v", *got, want)
				}
			})
		}
	}
}

func TestAcknowledgementShape(t *testing.T) {
	var buf bytes.Buffer
	_, err := wire.WriteAcknowledgement(&buf, "1.1", wire.Acknowledgement{
		ID: "a", CreationTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), TargetMessageID: "42", TargetMessageRoot: "1.2.3",
		Sender: kanta.OIDArchive, Receiver: "1.2.3.4", TypeCode: kanta.AckRejected,
		Details: []yhteistestaus.Finding{{Rule: "R1", Severity: yhteistestaus.SeverityError, Message: "m", Location: "/x", Source: "s"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	checks := []struct{ path, want string }{
		{"/Envelope/Body/MCCI_IN000002UV01/interactionId/@root", "2.16.840.1.113883.1.6"},
		{"/Envelope/Body/MCCI_IN000002UV01/interactionId/@extension", "MCCI_IN000002UV01"},
		{"/Envelope/Body/MCCI_IN000002UV01/creationTime/@value", "20260102030405+0000"},
		{"/Envelope/Body/MCCI_IN000002UV01/sender/device/id/@root", "1.2.246.556.18007.2"},
		{"/Envelope/Body/MCCI_IN000002UV01/acknowledgement/typeCode/@code", "AR"},
		{"/Envelope/Body/MCCI_IN000002UV01/acknowledgement/@typeCode", ""},
		{"/Envelope/Body/MCCI_IN000002UV01/acknowledgement/targetMessage/id/@extension", "42"},
		{"/Envelope/Body/MCCI_IN000002UV01/acknowledgement/acknowledgementDetail/@typeCode", "E"},
		{"/Envelope/Body/MCCI_IN000002UV01/acknowledgement/acknowledgementDetail/code/@code", "R1"},
		{"/Envelope/Body/MCCI_IN000002UV01/acknowledgement/acknowledgementDetail/text", "m"},
		{"/Envelope/Body/MCCI_IN000002UV01/acknowledgement/acknowledgementDetail/location", "/x"},
	}
	for _, c := range checks {
		if got := valueAt(doc, c.path); got != c.want {
			t.Errorf("%s: got %q, want %q", c.path, got, c.want)
		}
	}
	if ns := doc.Root().ChildElements()[0].ChildElements()[0].NamespaceURI(); ns != kanta.NamespaceHL7 {
		t.Errorf("acknowledgement namespace: got %q, want %q", ns, kanta.NamespaceHL7)
	}
	kids := doc.FindElement("//acknowledgement").ChildElements()
	if len(kids) < 2 || kids[0].Tag != "typeCode" || kids[1].Tag != "targetMessage" {
		t.Errorf("NE2008 acknowledgement: want typeCode then targetMessage first, got %v", kids)
	}
}

// The attribute form, for clients of other editions, carries the type code
// as acknowledgement/@typeCode; ReadAcknowledgement reads both forms.
func TestAcknowledgementAttributeForm(t *testing.T) {
	ack := wire.Acknowledgement{
		ID: "a", CreationTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), TargetMessageID: "42", TargetMessageRoot: "1.2.3",
		Sender: kanta.OIDArchive, Receiver: "1.2.3.4", TypeCode: kanta.AckError, Form: wire.AckFormAttribute,
	}
	var buf bytes.Buffer
	ct, err := wire.WriteAcknowledgement(&buf, "1.2", ack)
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	if got := valueAt(doc, "/Envelope/Body/MCCI_IN000002UV01/acknowledgement/@typeCode"); got != "AE" {
		t.Errorf("acknowledgement/@typeCode: got %q, want AE", got)
	}
	if doc.FindElement("//acknowledgement/typeCode") != nil {
		t.Errorf("attribute form has a typeCode element too")
	}
	got, err := wire.ReadAcknowledgement(ct, bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if got.TypeCode != kanta.AckError || got.Form != wire.AckFormAttribute {
		t.Errorf("read back: typeCode %q form %v, want AE attribute", got.TypeCode, got.Form)
	}
}

// valueAt follows /a/b/c by local names and returns the text of the last
// element, or the value of a final @attribute.
func valueAt(doc *etree.Document, path string) string {
	steps := strings.Split(strings.TrimPrefix(path, "/"), "/")
	e := &doc.Element
	for _, s := range steps {
		if a, ok := strings.CutPrefix(s, "@"); ok {
			return e.SelectAttrValue(a, "")
		}
		var next *etree.Element
		for _, c := range e.ChildElements() {
			if c.Tag == s {
				next = c
				break
			}
		}
		if next == nil {
			return ""
		}
		e = next
	}
	return e.Text()
}

func TestWriteAcknowledgementRefusesIncompleteAcks(t *testing.T) {
	ok := wire.Acknowledgement{CreationTime: time.Now(), TypeCode: kanta.AckAccepted}
	tests := []struct {
		name    string
		version string
		mutate  func(*wire.Acknowledgement)
	}{
		{"unknown typeCode", "1.1", func(a *wire.Acknowledgement) { a.TypeCode = "OK" }},
		{"no creation time", "1.1", func(a *wire.Acknowledgement) { a.CreationTime = time.Time{} }},
		{"unknown SOAP version", "1.3", func(*wire.Acknowledgement) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			tt.mutate(&a)
			var buf bytes.Buffer
			if _, err := wire.WriteAcknowledgement(&buf, tt.version, a); err == nil {
				t.Errorf("WriteAcknowledgement: got no error, want one")
			}
		})
	}
}

func TestFaultRoundTrip(t *testing.T) {
	tests := []struct {
		version, code string
		wantCode      string
		wantSender    bool
	}{
		{"1.1", "Client", "Client", true},
		{"1.1", "Sender", "Client", true},
		{"1.1", "Server", "Server", false},
		{"1.1", "Receiver", "Server", false},
		{"1.2", "Client", "Sender", true},
		{"1.2", "Sender", "Sender", true},
		{"1.2", "server", "Receiver", false},
		{"1.2", "VersionMismatch", "VersionMismatch", false},
		{"1.1", "MustUnderstand", "MustUnderstand", false},
	}
	const reason = `body is larger than 20971520 bytes & "quoted" <tags>`
	for _, tt := range tests {
		t.Run(tt.version+"/"+tt.code, func(t *testing.T) {
			var buf bytes.Buffer
			ct, err := wire.WriteFault(&buf, wire.Fault{SOAPVersion: tt.version, Code: tt.code, Rule: "XML-ENCODING", Reason: reason})
			if err != nil {
				t.Fatalf("WriteFault: %v", err)
			}
			f, err := wire.ReadFault(ct, bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("ReadFault: %v\n%s", err, buf.Bytes())
			}
			want := wire.Fault{SOAPVersion: tt.version, Code: tt.wantCode, Rule: "XML-ENCODING", Reason: reason}
			if *f != want {
				t.Errorf("got %+v, want %+v", *f, want)
			}
			if got := f.Sender(); got != tt.wantSender {
				t.Errorf("Sender(): got %v, want %v", got, tt.wantSender)
			}

			_, err = wire.ReadAcknowledgement(ct, bytes.NewReader(buf.Bytes()))
			var fault *wire.Fault
			if wire.KindOf(err) != wire.KindFault || !errors.As(err, &fault) || fault.Reason != reason {
				t.Errorf("ReadAcknowledgement of a fault: got %v, want KindFault wrapping the *Fault", err)
			}
		})
	}
}

func TestWriteFaultRefusesUnknownCodes(t *testing.T) {
	for _, tt := range []struct{ version, code string }{{"1.1", "Teapot"}, {"1.1", "DataEncodingUnknown"}, {"2.0", "Client"}} {
		if _, err := wire.WriteFault(&bytes.Buffer{}, wire.Fault{SOAPVersion: tt.version, Code: tt.code, Reason: "r"}); err == nil {
			t.Errorf("WriteFault(%s, %s): got no error, want one", tt.version, tt.code)
		}
	}
}

func TestReadResponseErrors(t *testing.T) {
	var ack bytes.Buffer
	ackCT, err := wire.WriteAcknowledgement(&ack, "1.2", wire.Acknowledgement{CreationTime: time.Now(), TypeCode: kanta.AckAccepted})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wire.ReadFault(ackCT, bytes.NewReader(ack.Bytes())); wire.KindOf(err) != wire.KindSOAP {
		t.Errorf("ReadFault of an acknowledgement: got %v, want kind %v", err, wire.KindSOAP)
	}
	tests := []struct {
		name, contentType, body string
		want                    wire.Kind
	}{
		{"acknowledgement as the wrong SOAP version", "text/xml", ack.String(), wire.KindSOAP},
		{"not SOAP", "application/json", "{}", wire.KindContentType},
		{"request instead of acknowledgement", "text/xml", envOpen + textFrame("") + envClose, wire.KindNoFrame},
		{"DTD", "text/xml", billionLaughs(), wire.KindDTD},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wire.ReadAcknowledgement(tt.contentType, strings.NewReader(tt.body))
			if got := wire.KindOf(err); got != tt.want {
				t.Errorf("got kind %v (%v), want %v", got, err, tt.want)
			}
		})
	}
}
