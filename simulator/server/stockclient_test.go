package server_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// inlineFrame writes the frame with the document inline as base64 (the
// packaging a stock client without attachments sends) to a file.
func inlineFrame(t *testing.T, frame, doc []byte) string {
	t.Helper()
	var body bytes.Buffer
	if _, err := wire.WriteRequest(&body, "1.1", wire.InlineBase64, frame, doc); err != nil {
		t.Fatal(err)
	}
	env := etree.NewDocument()
	if err := env.ReadFromBytes(body.Bytes()); err != nil {
		t.Fatal(err)
	}
	out := etree.NewDocument()
	out.SetRoot(env.FindElement("/Envelope/Body/RCMR_IN200002FI01").Copy())
	p := filepath.Join(t.TempDir(), "frame.xml")
	if err := out.WriteToFile(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// zeepPython returns a Python 3 that has zeep (Debian python3-zeep, which
// .ci/run installs), skipping the test when there is none.
func zeepPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if p, err := exec.LookPath(py); err == nil && exec.Command(p, "-c", "import zeep").Run() == nil {
			return p
		}
	}
	t.Skip("no python3 with zeep (Debian package python3-zeep, which .ci/run installs)")
	return ""
}

// A stock SOAP client that knows only our WSDL, zeep in strict mode, sends
// the restored sample pairs and a broken one over SOAP 1.1 and 1.2 and reads
// the acknowledgements: AA for the client relation document, AE for the
// plan (its client has no client relation document or case in the archive,
// so only archive rules) and AE with SIG-DIGEST for the plan whose signature is
// broken.
func TestStockSOAPClientZeep(t *testing.T) {
	py := zeepPython(t)
	s := startServer(t)
	crd := inlineFrame(t, sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml"))
	plan := inlineFrame(t, sample(t, "plan-frame.xml"), sample(t, "signature-restored/plan-document.xml"))
	broken := inlineFrame(t, sample(t, "plan-frame.xml"), sample(t, "plan-document.xml"))
	for _, tt := range []struct{ version, session string }{{"1.1", "zeep11"}, {"1.2", "zeep12"}} {
		t.Run("SOAP "+tt.version, func(t *testing.T) {
			wsdl := s.URL() + "/s/" + tt.session + "/soap?wsdl"
			cmd := exec.Command(py, filepath.Join("testdata", "zeep_client.py"), wsdl, tt.version, crd, plan, broken)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("zeep client: %v\n%s", err, out)
			}
			checkStockAnswers(t, "zeep", string(out))
			checkTransports(t, s, tt.session, "soap-"+tt.version+"/"+wire.FromInlineBase64)
		})
	}
}

// xopFrame writes the frame with its clinicalDocument/text referring to
// the MTOM part cid:document@yhteistestaus-test by an xop:Include.
func xopFrame(t *testing.T, frame []byte) string {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(frame); err != nil {
		t.Fatal(err)
	}
	text := doc.FindElement("/RCMR_IN200002FI01/controlActProcess/subject/clinicalDocument/text")
	if text == nil {
		t.Fatal("the frame has no clinicalDocument/text")
	}
	for _, c := range slices.Clone(text.Child) {
		text.RemoveChild(c)
	}
	text.Attr = nil
	text.CreateAttr("mediaType", "text/xml")
	inc := text.CreateElement("xop:Include")
	inc.CreateAttr("xmlns:xop", wire.NamespaceXOP)
	inc.CreateAttr("href", "cid:document@yhteistestaus-test")
	p := filepath.Join(t.TempDir(), "frame.xml")
	if err := doc.WriteToFile(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// nodeSOAP returns node and a NODE_PATH where the npm package soap is,
// skipping the test when there is none (.ci/run installs it).
func nodeSOAP(t *testing.T) (node, nodePath string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed (Debian nodejs, which .ci/run installs)")
	}
	nodePath = os.Getenv("NODE_PATH")
	cmd := exec.Command(node, "-e", "require('soap')")
	cmd.Env = append(os.Environ(), "NODE_PATH="+nodePath)
	if cmd.Run() != nil {
		t.Skip("the npm package soap is not on NODE_PATH (.ci/run installs it and sets NODE_PATH)")
	}
	return node, nodePath
}

// A second stock SOAP client, node-soap, loads our WSDL and sends the
// restored pairs and a broken one over SOAP 1.1 and 1.2 with the document
// inline, and over SOAP 1.1 as MTOM, and reads the acknowledgements.
func TestStockSOAPClientNodeSOAP(t *testing.T) {
	node, nodePath := nodeSOAP(t)
	s := startServer(t)
	crdFrame, crd := sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml")
	planFrame, plan := sample(t, "plan-frame.xml"), sample(t, "signature-restored/plan-document.xml")
	published := sample(t, "plan-document.xml")
	docFile := func(data []byte) string {
		p := filepath.Join(t.TempDir(), "document.xml")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, version, mode string
		args                []string
	}{
		{"SOAP 1.1 inline", "1.1", "inline", []string{inlineFrame(t, crdFrame, crd), inlineFrame(t, planFrame, plan), inlineFrame(t, planFrame, published)}},
		{"SOAP 1.2 inline", "1.2", "inline", []string{inlineFrame(t, crdFrame, crd), inlineFrame(t, planFrame, plan), inlineFrame(t, planFrame, published)}},
		{"SOAP 1.1 MTOM", "1.1", "mtom", []string{xopFrame(t, crdFrame), docFile(crd), xopFrame(t, planFrame), docFile(plan), xopFrame(t, planFrame), docFile(published)}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			session := fmt.Sprintf("node%d", i)
			args := append([]string{filepath.Join("testdata", "node_soap_client.js"), s.URL() + "/s/" + session + "/soap?wsdl", tt.version, tt.mode}, tt.args...)
			cmd := exec.Command(node, args...)
			cmd.Env = append(os.Environ(), "NODE_PATH="+nodePath)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node-soap client: %v\n%s%s", err, out, stderr.String())
			}
			checkStockAnswers(t, "node-soap", string(out))
			from := map[string]string{"inline": wire.FromInlineBase64, "mtom": wire.FromXOP}[tt.mode]
			checkTransports(t, s, session, "soap-"+tt.version+"/"+from)
		})
	}
}

// checkStockAnswers checks what a stock client printed for the client
// relation pair, the plan pair and the broken plan, in that order: AA
// without errors, AE with only archive rules (the plan's client has no
// client relation document or case in the session), AE with SIG-DIGEST.
func checkStockAnswers(t *testing.T, client, out string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%s printed %q, want three answers", client, out)
	}
	if lines[0] != "AA -" {
		t.Errorf("client relation document: %s read %q, want AA without errors", client, lines[0])
	}
	if code, rules, _ := strings.Cut(lines[1], " "); code != "AE" || !strings.Contains(rules, "ARC-ORDER-CRD") || strings.Contains(","+rules, ",SIG-") {
		t.Errorf("plan: %s read %q, want AE with ARC-ORDER-CRD and no signature error", client, lines[1])
	}
	if !strings.HasPrefix(lines[2], "AE ") || !strings.Contains(lines[2], "SIG-DIGEST") {
		t.Errorf("broken plan: %s read %q, want AE with SIG-DIGEST", client, lines[2])
	}
}

// checkTransports checks that the session logged three messages, each
// received as transport (e.g. "soap-1.1/xop").
func checkTransports(t *testing.T, s *server.Server, session, transport string) {
	t.Helper()
	ss, err := s.Sim.Lookup(session)
	if err != nil {
		t.Fatal(err)
	}
	exs, err := ss.Exchanges(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) != 3 {
		t.Fatalf("the session logged %d exchanges, want 3", len(exs))
	}
	for _, ex := range exs {
		if ex.Transport != transport {
			t.Errorf("message %s came as %s, want %s", ex.MessageID, ex.Transport, transport)
		}
	}
}
