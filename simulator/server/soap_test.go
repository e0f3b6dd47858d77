package server_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// rawPost sends an archiving message and returns the answer's status,
// Content-Type and body.
func rawPost(t *testing.T, url, soapVersion string, pkg wire.Packaging, frame, doc []byte) (int, string, []byte) {
	t.Helper()
	var body bytes.Buffer
	ct, err := wire.WriteRequest(&body, soapVersion, pkg, frame, doc)
	if err != nil {
		t.Fatal(err)
	}
	status, h, b := roundTrip(t, http.MethodPost, url, ct, &body)
	return status, h.Get("Content-Type"), b
}

// The server answers in the HL7 V3 NE2008 form unless told otherwise
// (AckForm, serve --ack-form attribute), and its acknowledgement ids are
// unique across sessions.
func TestAcknowledgementFormsAndIDs(t *testing.T) {
	frame, doc := sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml")
	for _, form := range []wire.AckForm{wire.AckFormNE2008, wire.AckFormAttribute} {
		t.Run(form.String(), func(t *testing.T) {
			s := startConfigured(t, func(s *server.Server) { s.AckForm = form })
			ids := map[string]string{}
			for _, session := range []string{"a", "b", "c"} {
				status, ct, body := rawPost(t, s.URL()+"/s/"+session+"/soap", "1.2", wire.SwA, frame, doc)
				if status != http.StatusOK {
					t.Fatalf("status %d: %s", status, body)
				}
				x := etree.NewDocument()
				if err := x.ReadFromBytes(body); err != nil {
					t.Fatal(err)
				}
				a := x.FindElement("//acknowledgement")
				el, attr := a.FindElement("typeCode"), a.SelectAttr("typeCode")
				switch {
				case form == wire.AckFormNE2008 && (el == nil || el.SelectAttrValue("code", "") != "AA" || attr != nil):
					t.Errorf("NE2008 form: want <typeCode code=\"AA\"/> and no attribute:\n%s", body)
				case form == wire.AckFormAttribute && (el != nil || attr == nil || attr.Value != "AA"):
					t.Errorf("attribute form: want typeCode=\"AA\" and no element:\n%s", body)
				}
				ack, err := wire.ReadAcknowledgement(ct, bytes.NewReader(body))
				if err != nil || ack.TypeCode != kanta.AckAccepted {
					t.Fatalf("read acknowledgement: %+v %v", ack, err)
				}
				if other, dup := ids[ack.ID]; dup {
					t.Errorf("sessions %s and %s got the same acknowledgement id %s", other, session, ack.ID)
				}
				ids[ack.ID] = session
			}
		})
	}
}

// GET /soap?wsdl and /s/{session}/soap?wsdl serve the simulator's own WSDL:
// document/literal, SOAP 1.1 and 1.2 bindings of the archiving operation,
// addressed to the request's own host and session, saying it is not
// Kanta's. Reading it creates no session.
func TestWSDL(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		name, path, wantAddress string
	}{
		{"default session", "/soap?wsdl", s.URL() + "/soap"},
		{"named session", "/s/vendor-1/soap?wsdl", s.URL() + "/s/vendor-1/soap"},
		{"upper-case query", "/s/vendor-1/soap?WSDL", s.URL() + "/s/vendor-1/soap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(s.URL() + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
				t.Fatalf("status %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			x := etree.NewDocument()
			if err := x.ReadFromBytes(body); err != nil {
				t.Fatalf("WSDL is not XML: %v", err)
			}
			var addrs, styles, uses []string
			for _, e := range x.FindElements("//address") {
				addrs = append(addrs, e.Space+" "+e.SelectAttrValue("location", ""))
			}
			for _, e := range x.FindElements("//binding") {
				if s := e.SelectAttrValue("style", ""); s != "" {
					styles = append(styles, e.Space+" "+s)
				}
			}
			for _, e := range x.FindElements("//body") {
				uses = append(uses, e.SelectAttrValue("use", ""))
			}
			wantAddrs := []string{"soap " + tt.wantAddress, "soap12 " + tt.wantAddress}
			if strings.Join(addrs, ",") != strings.Join(wantAddrs, ",") {
				t.Errorf("addresses %v, want %v", addrs, wantAddrs)
			}
			if strings.Join(styles, ",") != "soap document,soap12 document" {
				t.Errorf("binding styles %v, want document for soap and soap12", styles)
			}
			if strings.Join(uses, ",") != "literal,literal,literal,literal" {
				t.Errorf("body uses %v, want literal in and out of both bindings", uses)
			}
			if op := x.FindElement("//portType/operation"); op == nil || op.SelectAttrValue("name", "") != "RCMR_IN200002FI01" {
				t.Errorf("operation %v, want RCMR_IN200002FI01", op)
			}
			for _, el := range []string{"RCMR_IN200002FI01", "MCCI_IN000002UV01"} {
				if x.FindElement("//types/schema/element[@name='"+el+"']") == nil {
					t.Errorf("types declare no element %s", el)
				}
			}
			if !strings.Contains(string(body), "not Kanta's") {
				t.Errorf("the WSDL does not say it is the simulator's own, not Kanta's")
			}
		})
	}
	if got := sessions(t, s); len(got) != 0 {
		t.Errorf("reading the WSDL created sessions %v", got)
	}
	for _, path := range []string{"/soap", "/s/bad name/soap?wsdl"} {
		resp, err := http.Get(s.URL() + strings.ReplaceAll(path, " ", "%20"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("GET %s: 200, want an error", path)
		}
	}
}
