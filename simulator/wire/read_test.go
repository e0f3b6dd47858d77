package wire_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/sharedtest"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// sample reads a sample file.
func sample(tb testing.TB, name string) []byte {
	tb.Helper()
	return sharedtest.ReadFile(tb, "samples", "kanta-sh-public", name)
}

// samplePairs are the frame and document files that travel together.
var samplePairs = []struct{ name, frame, document string }{
	{"client-relation", "client-relation-frame.xml", "client-relation-document.xml"},
	{"plan", "plan-frame.xml", "plan-document.xml"},
	{"plan-signed", "plan-frame.xml", "signature-restored/plan-document.xml"},
}

// frameInfo returns the frame's root namespace, local name and id/@extension,
// parsing it as a standalone document.
func frameInfo(tb testing.TB, frame []byte) (ns, local, id string) {
	tb.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(frame); err != nil {
		tb.Fatalf("frame does not parse on its own: %v", err)
	}
	root := doc.Root()
	for _, c := range root.ChildElements() {
		if c.Tag == "id" && c.NamespaceURI() == kanta.NamespaceHL7 {
			id = c.SelectAttrValue("extension", "")
			break
		}
	}
	return root.NamespaceURI(), root.Tag, id
}

func TestRoundTripSamples(t *testing.T) {
	wantFrom := map[wire.Packaging]string{
		wire.InlineBase64: wire.FromInlineBase64,
		wire.SwA:          wire.FromMIMEPart,
		wire.MTOM:         wire.FromXOP,
	}
	for _, s := range samplePairs {
		frame, document := sample(t, s.frame), sample(t, s.document)
		_, _, wantID := frameInfo(t, frame)
		for _, version := range []string{"1.1", "1.2"} {
			for _, pkg := range []wire.Packaging{wire.InlineBase64, wire.SwA, wire.MTOM} {
				t.Run(fmt.Sprintf("%s/soap%s/%s", s.name, version, pkg), func(t *testing.T) {
					var buf bytes.Buffer
					ct, err := wire.WriteRequest(&buf, version, pkg, frame, document)
					if err != nil {
						t.Fatalf("WriteRequest: %v", err)
					}
					msg, err := wire.Read(ct, &buf, wire.DefaultLimits())
					if err != nil {
						t.Fatalf("Read(%q): %v", ct, err)
					}
					if !bytes.Equal(msg.Document, document) {
						t.Errorf("Document: got %d bytes, want the %d bytes sent, byte-identical", len(msg.Document), len(document))
					}
					if got, want := msg.DocumentFrom, wantFrom[pkg]; got != want {
						t.Errorf("DocumentFrom: got %q, want %q", got, want)
					}
					if got := msg.SOAPVersion; got != version {
						t.Errorf("SOAPVersion: got %q, want %q", got, version)
					}
					if got, want := msg.Interaction, "RCMR_IN200002FI01"; got != want {
						t.Errorf("Interaction: got %q, want %q", got, want)
					}
					wantAction := ""
					if version == "1.2" {
						wantAction = wire.ActionFor("RCMR_IN200002FI01")
					}
					if got := msg.Action; got != wantAction {
						t.Errorf("Action: got %q, want %q", got, wantAction)
					}
					ns, local, id := frameInfo(t, msg.Frame)
					if ns != kanta.NamespaceHL7 || local != "RCMR_IN200002FI01" || id != wantID {
						t.Errorf("Frame root: got {%s}%s id %q, want {%s}RCMR_IN200002FI01 id %q", ns, local, id, kanta.NamespaceHL7, wantID)
					}
					if msg.FramePath == "" || msg.DocumentPath == "" {
						t.Errorf("paths: got FramePath %q DocumentPath %q, want both set", msg.FramePath, msg.DocumentPath)
					}
				})
			}
		}
	}
}

// envelope11 wraps a frame, verbatim, in a SOAP 1.1 envelope.
func envelope11(frame []byte) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/><soap:Body>` +
		string(frame) + `</soap:Body></soap:Envelope>`)
}

// mimePart is one part to build a multipart/related body from.
type mimePart struct {
	contentType, id, cte string
	body                 []byte
}

// multipartBody builds a multipart/related body and returns it with the
// boundary.
func multipartBody(tb testing.TB, parts ...mimePart) ([]byte, string) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		if p.id != "" {
			h.Set("Content-ID", "<"+p.id+">")
		}
		if p.cte != "" {
			h.Set("Content-Transfer-Encoding", p.cte)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(p.body)
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes(), mw.Boundary()
}

func TestReadSampleFrameWithDXSReference(t *testing.T) {
	for _, s := range samplePairs {
		t.Run(s.name, func(t *testing.T) {
			frame, document := sample(t, s.frame), sample(t, s.document)
			body, boundary := multipartBody(t,
				mimePart{contentType: "text/xml; charset=UTF-8", id: "frame@vendor", body: envelope11(frame)},
				mimePart{contentType: "application/pdf", id: "extra@vendor", cte: "base64", body: []byte("JVBERi0xLjQK")},
				mimePart{contentType: "text/xml", id: "1112120@vendor", cte: "binary", body: document},
			)
			ct := `multipart/related; type="text/xml"; start="<frame@vendor>"; boundary="` + boundary + `"`
			msg, err := wire.Read(ct, bytes.NewReader(body), wire.DefaultLimits())
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !bytes.Equal(msg.Document, document) {
				t.Errorf("Document: got %d bytes, want the sample's %d bytes", len(msg.Document), len(document))
			}
			if got, want := msg.DocumentFrom, wire.FromMIMEPart; got != want {
				t.Errorf("DocumentFrom: got %q, want %q", got, want)
			}
			if got, want := msg.DocumentPath, "MIME part <1112120@vendor>"; got != want {
				t.Errorf("DocumentPath: got %q, want %q", got, want)
			}
			if !bytes.Contains(msg.Frame, []byte("<DXS ")) {
				t.Errorf("Frame lost the vendor's DXS reference")
			}
			if got, want := msg.FramePath, "MIME part <frame@vendor> /Envelope/Body/RCMR_IN200002FI01"; got != want {
				t.Errorf("FramePath: got %q, want %q", got, want)
			}
		})
	}
}

func TestReadFileForms(t *testing.T) {
	frame, document := sample(t, "client-relation-frame.xml"), sample(t, "client-relation-document.xml")
	body, boundary := multipartBody(t,
		mimePart{contentType: "text/xml", id: "root", body: envelope11(frame)},
		mimePart{contentType: "application/xml", id: "doc", body: document},
	)
	mimeFile := []byte("MIME-Version: 1.0\r\nSOAPAction: \"urn:hl7-org:v3:RCMR_IN200002FI01\"\r\n" +
		`Content-Type: multipart/related; type="text/xml"; boundary="` + boundary + "\"\r\n\r\n" + string(body))
	httpFile := append([]byte("POST /archive HTTP/1.1\r\nHost: localhost\r\n"), mimeFile...)

	var soap12 bytes.Buffer
	if _, err := wire.WriteRequest(&soap12, "1.2", wire.InlineBase64, frame, document); err != nil {
		t.Fatal(err)
	}
	inline := inlineFrame(t, frame, document)

	tests := []struct {
		name        string
		data        []byte
		wantVersion string
		wantFrom    string
		wantAction  string
		frameSame   bool // Frame must be the file's bytes
	}{
		{"bare sample frame has no document", frame, "", wire.FromNone, "", true},
		{"bare frame with inline base64 document", inline, "", wire.FromInlineBase64, "", true},
		{"bare frame with a byte order mark", append([]byte("\ufeff"), inline...), "", wire.FromInlineBase64, "", true},
		{"SOAP 1.2 envelope file", soap12.Bytes(), "1.2", wire.FromInlineBase64, "", false},
		{"MIME message file", mimeFile, "1.1", wire.FromMIMEPart, "urn:hl7-org:v3:RCMR_IN200002FI01", false},
		{"raw HTTP request file", httpFile, "1.1", wire.FromMIMEPart, "urn:hl7-org:v3:RCMR_IN200002FI01", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := wire.ReadFile(tt.data, wire.DefaultLimits())
			if err != nil {
				t.Fatalf("ReadFile: %v", err)
			}
			if msg.SOAPVersion != tt.wantVersion || msg.DocumentFrom != tt.wantFrom || msg.Action != tt.wantAction {
				t.Errorf("got version %q from %q action %q, want %q %q %q",
					msg.SOAPVersion, msg.DocumentFrom, msg.Action, tt.wantVersion, tt.wantFrom, tt.wantAction)
			}
			if tt.wantFrom != wire.FromNone && !bytes.Equal(msg.Document, document) {
				t.Errorf("Document: got %d bytes, want the sample's %d bytes", len(msg.Document), len(document))
			}
			if tt.wantFrom == wire.FromNone && msg.Document != nil {
				t.Errorf("Document: got %d bytes, want nil", len(msg.Document))
			}
			if tt.frameSame && !bytes.Equal(msg.Frame, tt.data) {
				t.Errorf("Frame: got a changed copy, want the file's bytes unchanged")
			}
		})
	}
}

// inlineFrame replaces the sample frame's DXS text with the document as
// base64 the way real vendors write it: split into lines, with a comment in
// the middle.
func inlineFrame(tb testing.TB, frame, document []byte) []byte {
	tb.Helper()
	s := string(frame)
	start := strings.Index(s, `<text mediaType="multipart/related">`)
	end := strings.Index(s, "</text>")
	if start < 0 || end < 0 {
		tb.Fatal("sample frame has no multipart/related text")
	}
	enc := base64.StdEncoding.EncodeToString(document)
	var b strings.Builder
	b.WriteString(`<text mediaType="text/xml" representation="B64">` + "\r\n")
	for i := 0; i < len(enc); i += 64 {
		if i == 640 {
			b.WriteString("<!-- vendor comment inside base64 -->")
		}
		b.WriteString("\t\t\t\t\t" + enc[i:min(i+64, len(enc))] + "\r\n")
	}
	b.WriteString("\t\t\t\t")
	return []byte(s[:start] + b.String() + s[end:])
}

func TestFrameKeepsInheritedNamespaces(t *testing.T) {
	tests := []struct {
		name, contentType, body string
	}{
		{
			name:        "prefixes declared on Envelope and Body",
			contentType: "text/xml",
			body: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:h="urn:hl7-org:v3">` +
				`<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
				`<h:RCMR_IN200002FI01><h:id root="1.2.3" extension="42"/><h:value xsi:type="h:ST">x</h:value></h:RCMR_IN200002FI01>` +
				`</s:Body></s:Envelope>`,
		},
		{
			name:        "default namespace declared on Body",
			contentType: "application/soap+xml",
			body: `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
				`<env:Body xmlns="urn:hl7-org:v3"><RCMR_IN200002FI01><id root="1.2.3" extension="42"/><value xsi:type="ST">x</value></RCMR_IN200002FI01></env:Body></env:Envelope>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := wire.Read(tt.contentType, strings.NewReader(tt.body), wire.DefaultLimits())
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			ns, local, id := frameInfo(t, msg.Frame)
			if ns != kanta.NamespaceHL7 || local != "RCMR_IN200002FI01" || id != "42" {
				t.Errorf("Frame: got {%s}%s id %q, want {%s}RCMR_IN200002FI01 id 42\n%s", ns, local, id, kanta.NamespaceHL7, msg.Frame)
			}
			doc := etree.NewDocument()
			doc.ReadFromBytes(msg.Frame)
			v := doc.Root().ChildElements()[1]
			a := v.SelectAttr("type")
			if a == nil || a.NamespaceURI() != "http://www.w3.org/2001/XMLSchema-instance" {
				t.Errorf("xsi:type lost its namespace in the standalone frame:\n%s", msg.Frame)
			}
			if msg.DocumentFrom != wire.FromNone {
				t.Errorf("DocumentFrom: got %q, want %q", msg.DocumentFrom, wire.FromNone)
			}
		})
	}
}

// textFrame returns a minimal frame whose clinicalDocument/text is text.
func textFrame(text string) string {
	return `<RCMR_IN200002FI01 xmlns="urn:hl7-org:v3"><id root="1.2.3" extension="1"/><controlActProcess><subject><clinicalDocument>` +
		text + `</clinicalDocument></subject></controlActProcess></RCMR_IN200002FI01>`
}

func TestInlineBase64(t *testing.T) {
	doc := []byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1"/></ClinicalDocument>`)
	enc := base64.StdEncoding.EncodeToString(doc)
	half := len(enc) / 2
	tests := []struct {
		name     string
		text     string
		wantKind wire.Kind // KindOther: no error
	}{
		{"one line", `<text mediaType="text/xml" representation="B64">` + enc + `</text>`, wire.KindOther},
		{"split by whitespace and a comment", `<text mediaType="application/hl7-cda+xml" representation="B64">` + "\r\n  " + enc[:half] + "\r\n<!-- comment -->\n\t" + enc[half:] + "\n</text>", wire.KindOther},
		{"CDATA section", `<text mediaType="application/xml" representation="B64"><![CDATA[` + enc + `]]></text>`, wire.KindOther},
		{"no padding", `<text mediaType="text/xml" representation="B64">` + strings.TrimRight(enc, "=") + `</text>`, wire.KindOther},
		{"media type with parameters", `<text mediaType="text/xml; charset=UTF-8" representation="B64">` + enc + `</text>`, wire.KindOther},
		{"PDF media type is not a CDA", `<text mediaType="application/pdf" representation="B64">` + enc + `</text>`, wire.KindNoDocument},
		{"no media type means text/plain", `<text representation="B64">` + enc + `</text>`, wire.KindNoDocument},
		{"not base64", `<text mediaType="text/xml" representation="B64">!!not base64!!</text>`, wire.KindNoDocument},
		{"empty", `<text mediaType="text/xml" representation="B64"></text>`, wire.KindNoDocument},
		{"base64 of a DTD", `<text mediaType="text/xml" representation="B64">` + base64.StdEncoding.EncodeToString([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`)) + `</text>`, wire.KindDTD},
		{"base64 of non-XML", `<text mediaType="text/xml" representation="B64">` + base64.StdEncoding.EncodeToString([]byte("plain words")) + `</text>`, wire.KindXML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := wire.ReadFile([]byte(textFrame(tt.text)), wire.DefaultLimits())
			if got := wire.KindOf(err); got != tt.wantKind {
				t.Fatalf("error kind: got %v (%v), want %v", got, err, tt.wantKind)
			}
			if err != nil {
				return
			}
			if !bytes.Equal(msg.Document, doc) || msg.DocumentFrom != wire.FromInlineBase64 {
				t.Errorf("got %q from %q, want %q from %q", msg.Document, msg.DocumentFrom, doc, wire.FromInlineBase64)
			}
		})
	}
}

func TestReferencedParts(t *testing.T) {
	doc := []byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1"/></ClinicalDocument>`)
	other := []byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="2"/></ClinicalDocument>`)
	env := func(text string) []byte { return envelope11([]byte(textFrame(text))) }
	tests := []struct {
		name     string
		parts    []mimePart
		wantKind wire.Kind
		wantDoc  []byte
		wantFrom string
	}{
		{
			name: "reference by cid picks the named part among two documents",
			parts: []mimePart{
				{contentType: "text/xml", id: "r", body: env(`<text mediaType="text/xml"><reference value="cid:b%40x"/></text>`)},
				{contentType: "text/xml", id: "a@x", body: other},
				{contentType: "text/xml", id: "b@x", body: doc},
			},
			wantDoc: doc, wantFrom: wire.FromMIMEPart,
		},
		{
			name: "base64 transfer encoding is undone",
			parts: []mimePart{
				{contentType: "text/xml", id: "r", body: env(`<text mediaType="text/xml"><reference value="cid:d"/></text>`)},
				{contentType: "text/xml", id: "d", cte: "base64", body: []byte(base64.StdEncoding.EncodeToString(doc))},
			},
			wantDoc: doc, wantFrom: wire.FromMIMEPart,
		},
		{
			name: "quoted-printable transfer encoding is undone",
			parts: []mimePart{
				{contentType: "text/xml", id: "r", body: env(`<text mediaType="text/xml"><reference value="cid:d"/></text>`)},
				{contentType: "text/xml", id: "d", cte: "quoted-printable", body: []byte(strings.Replace(string(doc), "=", "=3D", -1))},
			},
			wantDoc: doc, wantFrom: wire.FromMIMEPart,
		},
		{
			name: "byte order mark and XML declaration are kept",
			parts: []mimePart{
				{contentType: "text/xml", id: "r", body: env(`<text mediaType="text/xml"><reference value="cid:d"/></text>`)},
				{contentType: "text/xml", id: "d", body: append([]byte("\ufeff<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"), doc...)},
			},
			wantDoc: append([]byte("\ufeff<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"), doc...), wantFrom: wire.FromMIMEPart,
		},
		{
			name: "no reference and no document part is not an error",
			parts: []mimePart{
				{contentType: "text/xml", id: "r", body: env(`<text mediaType="multipart/related"><mimeEncode><DXS dat="1" id="2"/></mimeEncode></text>`)},
				{contentType: "application/pdf", id: "p", body: []byte("%PDF-1.4")},
			},
			wantFrom: wire.FromNone,
		},
		{
			name: "reference to a missing part",
			parts: []mimePart{
				{contentType: "text/xml", id: "r", body: env(`<text mediaType="text/xml"><reference value="cid:nothere"/></text>`)},
				{contentType: "text/xml", id: "d", body: doc},
			},
			wantKind: wire.KindNoDocument,
		},
		{
			name: "reference that is not a cid URL",
			parts: []mimePart{
				{contentType: "text/xml", id: "r", body: env(`<text mediaType="text/xml"><reference value="http://example.org/doc.xml"/></text>`)},
				{contentType: "text/xml", id: "d", body: doc},
			},
			wantKind: wire.KindNoDocument,
		},
		{
			name: "vendor reference with two document parts is ambiguous",
			parts: []mimePart{
				{contentType: "text/xml", id: "r", body: env(`<text mediaType="multipart/related"><mimeEncode><DXS dat="1" id="2"/></mimeEncode></text>`)},
				{contentType: "text/xml", id: "a", body: doc},
				{contentType: "text/xml", id: "b", body: other},
			},
			wantKind: wire.KindNoDocument,
		},
		{
			name: "DTD in a part nobody references",
			parts: []mimePart{
				{contentType: "text/xml", id: "r", body: env(`<text mediaType="text/xml"><reference value="cid:d"/></text>`)},
				{contentType: "text/xml", id: "d", body: doc},
				{contentType: "application/xml", id: "evil", body: []byte(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`)},
			},
			wantKind: wire.KindDTD,
		},
		{
			name: "referenced part that is not XML",
			parts: []mimePart{
				{contentType: "text/xml", id: "r", body: env(`<text mediaType="text/xml"><reference value="cid:d"/></text>`)},
				{contentType: "application/octet-stream", id: "d", body: []byte("\x00\x01binary")},
			},
			wantKind: wire.KindXML,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, boundary := multipartBody(t, tt.parts...)
			msg, err := wire.Read(`multipart/related; type="text/xml"; boundary=`+boundary, bytes.NewReader(body), wire.Limits{})
			if got := wire.KindOf(err); got != tt.wantKind {
				t.Fatalf("error kind: got %v (%v), want %v", got, err, tt.wantKind)
			}
			if err != nil {
				return
			}
			if !bytes.Equal(msg.Document, tt.wantDoc) || msg.DocumentFrom != tt.wantFrom {
				t.Errorf("got %q from %q, want %q from %q", msg.Document, msg.DocumentFrom, tt.wantDoc, tt.wantFrom)
			}
		})
	}
}
