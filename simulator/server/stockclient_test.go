package server_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"

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
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != 3 {
				t.Fatalf("zeep printed %q, want three answers", out)
			}
			if lines[0] != "AA -" {
				t.Errorf("client relation document: zeep read %q, want AA without errors", lines[0])
			}
			if code, rules, _ := strings.Cut(lines[1], " "); code != "AE" || !strings.Contains(rules, "ARC-ORDER-CRD") || strings.Contains(","+rules, ",SIG-") {
				t.Errorf("plan: zeep read %q, want AE with ARC-ORDER-CRD and no signature error", lines[1])
			}
			if !strings.HasPrefix(lines[2], "AE ") || !strings.Contains(lines[2], "SIG-DIGEST") {
				t.Errorf("broken plan: zeep read %q, want AE with SIG-DIGEST", lines[2])
			}
			ss, err := s.Sim.Lookup(tt.session)
			if err != nil {
				t.Fatal(err)
			}
			exs := ss.Exchanges()
			if len(exs) != 3 || !strings.HasPrefix(exs[0].Transport, "soap-"+tt.version+"/") {
				t.Errorf("the session logged %d exchanges (first %+v), want 3 over SOAP %s", len(exs), exs, tt.version)
			}
		})
	}
}
