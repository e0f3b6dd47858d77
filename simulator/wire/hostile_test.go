package wire_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// quickly is how long any hostile input may take to be refused, even under
// the race detector.
const quickly = 5 * time.Second

// billionLaughs is the classic entity-expansion attack inside a SOAP envelope.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">`)
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, `<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString(`]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>&lol9;</soap:Body></soap:Envelope>`)
	return strings.Replace(b.String(), "&lol0;", "&lol;", -1)
}

// deep returns an envelope whose Body nests n elements.
func deep(n int) string {
	return `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		strings.Repeat("<a>", n) + strings.Repeat("</a>", n) + `</soap:Body></soap:Envelope>`
}

// endless is a reader of n bytes of plausible XML text, generated as it is
// read from one small block; it counts what was read.
type endless struct {
	n, read int64
	block   string
}

func (e *endless) Read(p []byte) (int, error) {
	if e.read >= e.n {
		return 0, io.EOF
	}
	if e.block == "" {
		e.block = strings.Repeat("<a>padding</a>", 4096)
	}
	p = p[:min(int64(len(p)), e.n-e.read)]
	n, off := 0, int(e.read%int64(len(e.block)))
	for n < len(p) {
		n += copy(p[n:], e.block[off:])
		off = 0
	}
	e.read += int64(n)
	return n, nil
}

const envOpen = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>`
const envClose = `</soap:Body></soap:Envelope>`

func TestReadRefusesHostileInput(t *testing.T) {
	frame := textFrame("")
	doc := `<ClinicalDocument xmlns="urn:hl7-org:v3"/>`
	swa := func(parts ...mimePart) (string, string) {
		body, boundary := multipartBody(t, parts...)
		return `multipart/related; type="text/xml"; boundary="` + boundary + `"`, string(body)
	}
	refFrame := envOpen + textFrame(`<text><reference value="cid:d"/></text>`) + envClose
	tooManyParts := []mimePart{{contentType: "text/xml", id: "r", body: []byte(envOpen + frame + envClose)}}
	for i := range 16 {
		tooManyParts = append(tooManyParts, mimePart{contentType: "text/plain", id: fmt.Sprint(i), body: []byte("x")})
	}

	manyCT, manyBody := swa(tooManyParts...)
	dtdCT, dtdBody := swa(
		mimePart{contentType: "text/xml", id: "r", body: []byte(refFrame)},
		mimePart{contentType: "text/xml", id: "d", body: []byte(`<!DOCTYPE ClinicalDocument [<!ENTITY x "y">]>` + doc)},
	)

	tests := []struct {
		name        string
		contentType string
		body        string
		want        wire.Kind
	}{
		{"billion laughs", "text/xml", billionLaughs(), wire.KindDTD},
		{"external entity", "text/xml", `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + envOpen + "&e;" + envClose, wire.KindDTD},
		{"10,000-deep nesting", "text/xml", deep(10000), wire.KindTooDeep},
		{"invalid UTF-8", "text/xml", envOpen + "\xff\xfe" + frame + envClose, wire.KindEncoding},
		{"ISO-8859-1 declaration", "text/xml", `<?xml version="1.0" encoding="ISO-8859-1"?>` + envOpen + frame + envClose, wire.KindEncoding},
		{"empty body", "text/xml", "", wire.KindXML},
		{"garbage", "text/xml", "\x00\x01\x02 this is not XML \x7f", wire.KindXML},
		{"unclosed element", "text/xml", envOpen + frame, wire.KindXML},
		{"two root elements", "text/xml", envOpen + frame + envClose + "<again/>", wire.KindXML},
		{"wrong content type", "application/json", `{"siirtokehysXml": "..."}`, wire.KindContentType},
		{"missing content type", "", envOpen + frame + envClose, wire.KindContentType},
		{"malformed content type", "text/xml; charset", envOpen + frame + envClose, wire.KindContentType},
		{"charset other than UTF-8", "text/xml; charset=ISO-8859-1", envOpen + frame + envClose, wire.KindContentType},
		{"SOAP 1.2 envelope sent as text/xml", "text/xml", `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>` + frame + `</e:Body></e:Envelope>`, wire.KindSOAP},
		{"SOAP 1.1 envelope sent as application/soap+xml", "application/soap+xml", envOpen + frame + envClose, wire.KindSOAP},
		{"bare frame over HTTP", "text/xml", frame, wire.KindSOAP},
		{"envelope without Body", "text/xml", `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"/>`, wire.KindSOAP},
		{"Envelope in no namespace", "text/xml", `<Envelope><Body>` + frame + `</Body></Envelope>`, wire.KindSOAP},
		{"Fault in a request", "text/xml", envOpen + `<soap:Fault><faultcode>soap:Client</faultcode></soap:Fault>` + envClose, wire.KindSOAP},
		{"empty Body", "text/xml", envOpen + envClose, wire.KindNoFrame},
		{"CDA document directly in Body", "text/xml", envOpen + doc + envClose, wire.KindNoFrame},
		{"frame in the wrong namespace", "text/xml", envOpen + `<RCMR_IN200002FI01 xmlns="urn:other"/>` + envClose, wire.KindNoFrame},
		{"two elements in Body", "text/xml", envOpen + frame + frame + envClose, wire.KindNoFrame},
		{"cid reference without MIME", "text/xml", refFrame, wire.KindNoDocument},
		{"multipart without boundary", "multipart/related; type=\"text/xml\"", "--x\r\n\r\n" + envOpen + frame + envClose + "\r\n--x--\r\n", wire.KindMIME},
		{"boundary not in body", "multipart/related; boundary=nothere", envOpen + frame + envClose, wire.KindMIME},
		{"truncated multipart", "multipart/related; type=\"text/xml\"; boundary=b", "--b\r\nContent-Type: text/xml\r\n\r\n" + envOpen + frame, wire.KindMIME},
		{"truncated part header", "multipart/related; boundary=b", "--b\r\nContent-Type: text/x", wire.KindMIME},
		{"start part missing", "multipart/related; type=\"text/xml\"; start=\"<nothere>\"; boundary=b", "--b\r\nContent-Type: text/xml\r\nContent-ID: <root>\r\n\r\n" + envOpen + frame + envClose + "\r\n--b--\r\n", wire.KindMIME},
		{"type parameter disagrees with root", "multipart/related; type=\"application/soap+xml\"; boundary=b", "--b\r\nContent-Type: text/xml\r\n\r\n" + envOpen + frame + envClose + "\r\n--b--\r\n", wire.KindMIME},
		{"unknown transfer encoding", "multipart/related; boundary=b", "--b\r\nContent-Type: text/xml\r\nContent-Transfer-Encoding: x-rot13\r\n\r\n" + envOpen + frame + envClose + "\r\n--b--\r\n", wire.KindMIME},
		{"root part of wrong type", "multipart/related; boundary=b", "--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b--\r\n", wire.KindContentType},
		{"too many parts", manyCT, manyBody, wire.KindTooLarge},
		{"DTD in the document part", dtdCT, dtdBody, wire.KindDTD},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			msg, err := wire.Read(tt.contentType, strings.NewReader(tt.body), wire.DefaultLimits())
			if got := wire.KindOf(err); got != tt.want {
				t.Fatalf("Read: got kind %v (err %v, msg %+v), want %v", got, err, msg, tt.want)
			}
			if msg != nil {
				t.Errorf("Read: got a message with the error, want nil")
			}
			if !strings.HasPrefix(err.Error(), "wire: "+tt.want.String()+": ") {
				t.Errorf("Error(): got %q, want it to start with %q", err, "wire: "+tt.want.String()+": ")
			}
			if d := time.Since(start); d > quickly {
				t.Errorf("Read took %v, want under %v", d, quickly)
			}
		})
	}
}

// TestReadStopsAtMaxBytes sends a 50 MB body generated as it is read and
// checks that Read gives up at the limit without reading the rest.
func TestReadStopsAtMaxBytes(t *testing.T) {
	for _, lim := range []wire.Limits{wire.DefaultLimits(), {MaxBytes: 1 << 20}} {
		t.Run(fmt.Sprint(lim.MaxBytes), func(t *testing.T) {
			body := &endless{n: 50 << 20}
			start := time.Now()
			_, err := wire.Read("text/xml", io.MultiReader(strings.NewReader(envOpen), body), lim)
			if got, want := wire.KindOf(err), wire.KindTooLarge; got != want {
				t.Fatalf("got kind %v (%v), want %v", got, err, want)
			}
			if body.read > lim.MaxBytes+1 {
				t.Errorf("read %d bytes of the body, want at most MaxBytes+1 = %d", body.read, lim.MaxBytes+1)
			}
			if d := time.Since(start); d > quickly {
				t.Errorf("Read took %v, want under %v", d, quickly)
			}
		})
	}
}

func TestLimitsAreConfigurable(t *testing.T) {
	frame := envOpen + textFrame("") + envClose
	tests := []struct {
		name string
		lim  wire.Limits
		body string
		want wire.Kind
	}{
		{"zero limits take the defaults", wire.Limits{}, frame, wire.KindOther},
		{"MaxDepth counts from the root", wire.Limits{MaxDepth: 6}, frame, wire.KindOther},
		{"one level less is refused", wire.Limits{MaxDepth: 5}, frame, wire.KindTooDeep},
		{"MaxBytes is inclusive", wire.Limits{MaxBytes: int64(len(frame))}, frame, wire.KindOther},
		{"one byte over MaxBytes", wire.Limits{MaxBytes: int64(len(frame) - 1)}, frame, wire.KindTooLarge},
		{"MaxElements counts every element", wire.Limits{MaxElements: elementsIn(frame)}, frame, wire.KindOther},
		{"one element over MaxElements", wire.Limits{MaxElements: elementsIn(frame) - 1}, frame, wire.KindTooLarge},
		{"tags in comments and instructions are not elements, each comment and instruction is one node", wire.Limits{MaxElements: elementsIn(frame) + 3},
			strings.Replace(frame, "<soap:Body>", "<soap:Body><!-- <a><b/></a> --><?pi <c/>?>", 1) + "<!-- <d/> -->", wire.KindOther},
		{"a comment past MaxElements", wire.Limits{MaxElements: elementsIn(frame)},
			strings.Replace(frame, "<soap:Body>", "<soap:Body><!---->", 1), wire.KindTooLarge},
		{"MaxNamespaces is per element", wire.Limits{MaxNamespaces: 2}, nsDecls(2, 1), wire.KindOther},
		{"one declaration over MaxNamespaces", wire.Limits{MaxNamespaces: 2}, nsDecls(3, 1), wire.KindTooLarge},
		{"MaxNamespacesTotal counts every element", wire.Limits{MaxNamespacesTotal: 11}, nsDecls(3, 3), wire.KindOther},
		{"one declaration over MaxNamespacesTotal", wire.Limits{MaxNamespacesTotal: 10}, nsDecls(3, 3), wire.KindTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wire.Read("text/xml", strings.NewReader(tt.body), tt.lim)
			if got := wire.KindOf(err); got != tt.want {
				t.Errorf("got kind %v (%v), want %v", got, err, tt.want)
			}
		})
	}
}

// elementsIn counts the elements of a well-formed XML text that has no
// comment, CDATA section or processing instruction.
func elementsIn(xml string) int {
	return strings.Count(xml, "<") - strings.Count(xml, "</")
}

// nsDecls returns an envelope whose frame holds, in its clinicalDocument,
// the given number of nested elements that each declare perElement
// namespaces. The envelope and the frame declare one namespace each, so the
// whole declares 2 + perElement*elements.
func nsDecls(perElement, elements int) string {
	var b strings.Builder
	for i := range elements {
		b.WriteString("<x")
		for j := range perElement {
			fmt.Fprintf(&b, ` xmlns:n%d="urn:n%d"`, j, i)
		}
		b.WriteString(">")
	}
	b.WriteString(strings.Repeat("</x>", elements))
	return envOpen + textFrame(b.String()) + envClose
}

func TestReadFileRefusesHostileInput(t *testing.T) {
	tests := []struct {
		name string
		data string
		lim  wire.Limits
		want wire.Kind
	}{
		{"empty file", "", wire.Limits{}, wire.KindXML},
		{"only whitespace", " \r\n\t", wire.Limits{}, wire.KindXML},
		{"garbage", "\x89PNG\r\n\x1a\n\x00\x00", wire.Limits{}, wire.KindXML},
		{"billion laughs", billionLaughs(), wire.Limits{}, wire.KindDTD},
		{"10,000-deep nesting", strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000), wire.Limits{}, wire.KindTooDeep},
		{"invalid UTF-8", "<a>\xc3\x28</a>", wire.Limits{}, wire.KindEncoding},
		{"CDA document instead of a frame", `<ClinicalDocument xmlns="urn:hl7-org:v3"/>`, wire.Limits{}, wire.KindNoFrame},
		{"unknown root", `<html><body/></html>`, wire.Limits{}, wire.KindNoFrame},
		{"MIME headers without Content-Type", "MIME-Version: 1.0\r\n\r\n<x/>", wire.Limits{}, wire.KindContentType},
		{"MIME message of the wrong type", "Content-Type: application/pdf\r\n\r\n%PDF", wire.Limits{}, wire.KindContentType},
		{"MIME message with truncated body", "Content-Type: multipart/related; boundary=b\r\n\r\n--b\r\nContent-Type: text/xml\r\n\r\n<soap:Env", wire.Limits{}, wire.KindMIME},
		{"file over MaxBytes", textFrame(""), wire.Limits{MaxBytes: 10}, wire.KindTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := wire.ReadFile([]byte(tt.data), tt.lim)
			if got := wire.KindOf(err); got != tt.want {
				t.Fatalf("ReadFile: got kind %v (%v), want %v", got, err, tt.want)
			}
			if d := time.Since(start); d > quickly {
				t.Errorf("ReadFile took %v, want under %v", d, quickly)
			}
		})
	}
}

func TestKindOf(t *testing.T) {
	_, err := wire.Read("text/xml", strings.NewReader(""), wire.Limits{})
	wrapped := fmt.Errorf("handle request: %w", err)
	if got, want := wire.KindOf(wrapped), wire.KindXML; got != want {
		t.Errorf("KindOf(wrapped): got %v, want %v", got, want)
	}
	if got, want := wire.KindOf(io.EOF), wire.KindOther; got != want {
		t.Errorf("KindOf(io.EOF): got %v, want %v", got, want)
	}
	if got, want := wire.KindOf(nil), wire.KindOther; got != want {
		t.Errorf("KindOf(nil): got %v, want %v", got, want)
	}
	if !bytes.Contains([]byte(err.Error()), []byte("empty")) {
		t.Errorf("Error(): got %q, want it to say the body is empty", err)
	}
}

// ReadSized reads a body of declared length, growing its buffer past the
// first 64 KiB; it refuses a body declared over the limit before reading
// any of it, and a body that does not keep to its declared length.
func TestReadSized(t *testing.T) {
	env := envOpen + textFrame("") + envClose
	big := envOpen + textFrame("<text>"+strings.Repeat("x", 200<<10)+"</text>") + envClose
	tests := []struct {
		name string
		body string
		size int64
		ok   bool
		want wire.Kind
	}{
		{"declared length", env, int64(len(env)), true, wire.KindOther},
		{"unknown length", env, -1, true, wire.KindOther},
		{"declared length over 64 KiB", big, int64(len(big)), true, wire.KindOther},
		{"shorter than declared", env, int64(len(env) + 1), false, wire.KindOther},
		{"longer than declared", env + " ", int64(len(env)), false, wire.KindOther},
		{"declared over MaxBytes", env, 21 << 20, false, wire.KindTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &countingReader{r: strings.NewReader(tt.body)}
			msg, err := wire.ReadSized("text/xml", body, tt.size, wire.Limits{})
			if ok := err == nil && msg != nil; ok != tt.ok || wire.KindOf(err) != tt.want {
				t.Fatalf("ReadSized: message %v, error %v (kind %v), want a message %v and kind %v", msg != nil, err, wire.KindOf(err), tt.ok, tt.want)
			}
			if tt.want == wire.KindTooLarge && body.n > 0 {
				t.Errorf("read %d bytes of a body declared over the limit, want none", body.n)
			}
		})
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
