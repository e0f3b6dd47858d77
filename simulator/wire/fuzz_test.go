package wire_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// fuzzLimits keep fuzzing fast; the defaults are tested elsewhere.
var fuzzLimits = wire.Limits{MaxBytes: 1 << 20, MaxParts: 8, MaxDepth: 64}

// checkReadResult is what every successful or failed read must satisfy.
func checkReadResult(t *testing.T, msg *wire.Message, err error) {
	t.Helper()
	if err != nil {
		var e *wire.Error
		if !errors.As(err, &e) {
			t.Fatalf("error is not a *wire.Error: %v", err)
		}
		if msg != nil {
			t.Fatalf("got a message along with error %v", err)
		}
		return
	}
	if len(msg.Frame) == 0 || msg.Interaction == "" {
		t.Fatalf("message without a frame: %+v", msg)
	}
	switch msg.DocumentFrom {
	case wire.FromNone:
		if msg.Document != nil {
			t.Fatalf("DocumentFrom none with %d document bytes", len(msg.Document))
		}
	case wire.FromMIMEPart, wire.FromXOP, wire.FromInlineBase64:
		if msg.Document == nil {
			t.Fatalf("DocumentFrom %q without a document", msg.DocumentFrom)
		}
	default:
		t.Fatalf("DocumentFrom %q is not one of the documented values", msg.DocumentFrom)
	}
	// The frame must stand on its own.
	if _, err := wire.ReadFile(msg.Frame, wire.Limits{MaxBytes: 4 << 20, MaxDepth: 1 << 10}); err != nil && wire.KindOf(err) != wire.KindNoDocument {
		t.Fatalf("extracted frame does not read back as a bare frame: %v\n%s", err, msg.Frame)
	}
}

// smallDocument is a seed document: the samples' documents (25 kB, more as
// base64) make coverage-guided fuzzing spend its time minimising inputs.
const smallDocument = `<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1.2.3"/></ClinicalDocument>`

// requestSeeds returns WriteRequest outputs for the sample frames.
func requestSeeds(tb testing.TB) (cts []string, bodies [][]byte) {
	for _, s := range samplePairs[:2] {
		frame := sample(tb, s.frame)
		for _, v := range []string{"1.1", "1.2"} {
			for _, p := range []wire.Packaging{wire.InlineBase64, wire.SwA, wire.MTOM} {
				var buf bytes.Buffer
				ct, err := wire.WriteRequest(&buf, v, p, frame, []byte(smallDocument))
				if err != nil {
					tb.Fatal(err)
				}
				cts, bodies = append(cts, ct), append(bodies, buf.Bytes())
			}
		}
	}
	return cts, bodies
}

func FuzzRead(f *testing.F) {
	cts, bodies := requestSeeds(f)
	for i := range cts {
		f.Add(cts[i], bodies[i])
	}
	f.Add("text/xml", envelope11(sample(f, "client-relation-frame.xml")))
	f.Add("multipart/related; boundary=b", []byte("--b\r\nContent-Type: text/xml\r\n\r\n<a/>\r\n--b--\r\n"))
	f.Add("text/xml", []byte(billionLaughs()))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		msg, err := wire.Read(contentType, bytes.NewReader(body), fuzzLimits)
		checkReadResult(t, msg, err)
	})
}

func FuzzReadFile(f *testing.F) {
	for _, name := range []string{"client-relation-frame.xml", "plan-frame.xml"} {
		f.Add(sample(f, name))
	}
	f.Add([]byte(smallDocument))
	f.Add(inlineFrame(f, sample(f, "plan-frame.xml"), []byte(smallDocument)))
	cts, bodies := requestSeeds(f)
	for i := range cts {
		f.Add(append([]byte("Content-Type: "+cts[i]+"\r\n\r\n"), bodies[i]...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := wire.ReadFile(data, fuzzLimits)
		checkReadResult(t, msg, err)
	})
}

func FuzzReadAcknowledgement(f *testing.F) {
	for _, v := range []string{"1.1", "1.2"} {
		var buf bytes.Buffer
		ct, err := wire.WriteAcknowledgement(&buf, v, wire.Acknowledgement{
			ID: "1", CreationTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), TargetMessageID: "2", TargetMessageRoot: "1.2",
			Sender: kanta.OIDArchive, Receiver: "1.2.3", TypeCode: kanta.AckError, Operation: "store",
			Details: []yhteistestaus.Finding{{Rule: "R", Severity: yhteistestaus.SeverityWarning, Message: "m", Location: "/l", Source: "s"}},
		})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ct, buf.Bytes())
		buf.Reset()
		ct, err = wire.WriteFault(&buf, wire.Fault{SOAPVersion: v, Code: "Sender", Rule: "WIRE-SOAP", Reason: "reason"})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ct, buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		ack, err := wire.ReadAcknowledgement(contentType, bytes.NewReader(body))
		if err != nil {
			var e *wire.Error
			if !errors.As(err, &e) {
				t.Fatalf("error is not a *wire.Error: %v", err)
			}
			return
		}
		if ack == nil {
			t.Fatal("nil acknowledgement without an error")
		}
	})
}

// FuzzParseXML feeds the one XML reader anything: it never panics, every
// error is a *wire.Error with a rule, and what it accepts keeps to the
// limits and survives being written out and read again.
func FuzzParseXML(f *testing.F) {
	for _, s := range []string{
		`<a/>`, `<?xml version="1.0" encoding="UTF-8"?><a x="1"><b>t</b><!-- c --><?p i?></a>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><a>ä</a>`, `<!DOCTYPE a><a/>`, "<a>\xff</a>",
		`<p:a xmlns:p="urn:x" p:y="&amp;"><![CDATA[<x>]]></p:a>`, `<a><b></a>`, `<a/><b/>`, "\ufeff<a/>",
	} {
		f.Add([]byte(s))
	}
	lim := wire.Limits{MaxBytes: 1 << 16, MaxDepth: 32, MaxElements: 512, MaxAttributes: 16, MaxNamespaces: 4, MaxNamespacesTotal: 8}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := wire.ParseXML(data, lim, "input")
		if err != nil {
			var e *wire.Error
			if !errors.As(err, &e) || doc != nil {
				t.Fatalf("error %v (a *wire.Error: %v) with document %v", err, errors.As(err, &e), doc)
			}
			return
		}
		if doc.Root() == nil {
			t.Fatal("accepted a document without a root")
		}
		n, namespaces := 0, 0
		var walk func(e *etree.Element, depth int)
		walk = func(e *etree.Element, depth int) {
			n++
			ns := 0
			for _, a := range e.Attr {
				if a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
					ns++
				}
			}
			namespaces += ns
			if depth > lim.MaxDepth || len(e.Attr) > lim.MaxAttributes || ns > lim.MaxNamespaces {
				t.Fatalf("accepted depth %d, %d attributes or %d namespace declarations", depth, len(e.Attr), ns)
			}
			for _, c := range e.ChildElements() {
				walk(c, depth+1)
			}
		}
		walk(doc.Root(), 1)
		if n > lim.MaxElements || namespaces > lim.MaxNamespacesTotal {
			t.Fatalf("accepted %d elements, %d namespace declarations", n, namespaces)
		}
		// The byte scan that counts elements before the tree is built never
		// counts more than the tree has.
		// Comments, processing instructions and CDATA sections count as
		// elements in that scan, since each is a node of the tree too.
		var nodes func(ts []etree.Token) int
		nodes = func(ts []etree.Token) int {
			c := 0
			for _, tok := range ts {
				switch v := tok.(type) {
				case *etree.Element:
					c += 1 + nodes(v.Child)
				case *etree.Comment, *etree.ProcInst:
					c++
				}
			}
			return c
		}
		exact := lim
		// etree folds a CDATA section into the text around it, so the
		// sections are counted in the bytes: never fewer than the scan saw.
		exact.MaxElements = nodes(doc.Child) + bytes.Count(data, []byte("<![CDATA["))
		if _, err := wire.ParseXML(data, exact, "input"); err != nil {
			t.Fatalf("accepted %d nodes, but not with MaxElements %d: %v", exact.MaxElements, exact.MaxElements, err)
		}
		out, err := doc.WriteToBytes()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wire.ParseXML(out, wire.Limits{MaxBytes: 1 << 20, MaxDepth: 32, MaxElements: 512, MaxAttributes: 16}, "rewritten"); err != nil && wire.KindOf(err) != wire.KindEncoding {
			t.Fatalf("accepted %q, but not its rewrite %q: %v", data, out, err)
		}
	})
}
