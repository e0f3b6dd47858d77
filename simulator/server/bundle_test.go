package server_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/bundle"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// A session's raw evidence bundle holds every message as received, the
// acknowledgement exactly as the vendor received it and the findings,
// and verifies against its manifest.
func TestSessionBundle(t *testing.T) {
	s := startServer(t)
	frame, doc := sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml")
	url := s.URL() + "/s/evidence/soap"
	var acks [][]byte
	for range 2 { // AA, then AE for the duplicate
		status, _, body := rawPost(t, url, "1.2", wire.SwA, frame, doc)
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, body)
		}
		acks = append(acks, body)
	}
	// Raw (everyone is the coordinator on a server without tokens): the
	// parts byte for byte as received.
	status, h, data := roundTrip(t, http.MethodGet, s.URL()+"/api/sessions/evidence/bundle?raw=1", "", nil)
	if status != http.StatusOK || h.Get("Content-Type") != "application/zip" {
		t.Fatalf("bundle: %d %s: %.300s", status, h.Get("Content-Type"), data)
	}
	if cd := h.Get("Content-Disposition"); cd != `attachment; filename=yhteistestaus-evidence.zip` {
		t.Errorf("Content-Disposition = %q", cd)
	}
	m, err := bundle.Verify(bytes.NewReader(data), int64(len(data)), bundle.Limits{})
	if err != nil {
		t.Fatalf("the session's bundle does not verify: %v", err)
	}
	if len(m.Files) != 12 {
		t.Errorf("manifest lists %d files, want 12 (configuration, index, 2 × 5 per message)", len(m.Files))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		rc, err := zr.Open(name)
		if err != nil {
			t.Fatalf("bundle has no %s: %v", name, err)
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return b
	}
	for i, dir := range []string{"messages/000001/", "messages/000002/"} {
		if got := read(dir + "acknowledgement.xml"); !bytes.Equal(got, acks[i]) {
			t.Errorf("%sacknowledgement.xml differs from the answer sent:\n%.300s\nsent:\n%.300s", dir, got, acks[i])
		}
		if f, d := read(dir+"frame.xml"), read(dir+"document.xml"); len(f) == 0 || !bytes.Equal(d, doc) {
			t.Errorf("%s: the frame is empty or the document differs from the one sent", dir)
		}
	}
	var ex api.Exchange
	if err := json.Unmarshal(read("messages/000002/exchange.json"), &ex); err != nil || ex.AckType != "AE" || len(ex.Findings) == 0 {
		t.Errorf("message 2 = %+v (%v), want AE with findings", ex, err)
	}
	var cfg struct {
		Session string `json:"session"`
		Build   struct {
			GoVersion string `json:"goVersion"`
		} `json:"build"`
	}
	if err := json.Unmarshal(read("configuration.json"), &cfg); err != nil || cfg.Session != "evidence" || cfg.Build.GoVersion == "" {
		t.Errorf("configuration = %+v (%v)", cfg, err)
	}

	// The acknowledgement is in the control API's message too.
	var msg api.Message
	getJSON(t, s.URL()+"/api/sessions/evidence/messages/1", &msg)
	if msg.AckXML != string(acks[0]) {
		t.Errorf("GET messages/1 ackXml = %.200q, want the answer sent", msg.AckXML)
	}
	// Reading never creates a session.
	if status, _ := do(t, http.MethodGet, s.URL()+"/api/sessions/nobody/bundle", ""); status != http.StatusNotFound {
		t.Errorf("bundle of an unknown session: %d, want 404", status)
	}
}

// The bundle masks a real-format identity code as GET …/messages/{seq}
// does; a vendor reads only its own session's bundle, and only the
// coordinator reads it raw.
func TestSessionBundleMasksAndGuards(t *testing.T) {
	const real = "200111A304B" // right format and check character, not a test identity
	frame := bytes.ReplaceAll(sample(t, "client-relation-frame.xml"), []byte("200111A904P"), []byte(real))
	doc := bytes.ReplaceAll(sample(t, "signature-restored/client-relation-document.xml"), []byte("200111A904P"), []byte(real))
	var body bytes.Buffer
	ct, err := wire.WriteRequest(&body, "1.1", wire.SwA, frame, doc)
	if err != nil {
		t.Fatal(err)
	}
	s := startWithTokens(t)
	if status, _, b := call(t, http.MethodPost, s.URL()+"/s/run-1/soap", acmeToken, ct, bytes.NewReader(body.Bytes())); status != http.StatusOK {
		t.Fatalf("post: %d %s", status, b)
	}
	get := func(token, query string) (int, []byte) {
		t.Helper()
		status, _, b := call(t, http.MethodGet, s.URL()+"/api/sessions/run-1/bundle"+query, token, "", nil)
		return status, b
	}
	holds := func(data []byte, s string) bool {
		t.Helper()
		if _, err := bundle.Verify(bytes.NewReader(data), int64(len(data)), bundle.Limits{}); err != nil {
			t.Fatalf("bundle does not verify: %v", err)
		}
		zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		for _, zf := range zr.File {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if bytes.Contains(b, []byte(s)) {
				return true
			}
		}
		return false
	}
	status, data := get(acmeToken, "")
	if status != http.StatusOK || holds(data, real) || !holds(data, "***********") {
		t.Errorf("the vendor's bundle: %d, the real-format code must be masked", status)
	}
	if status, _ := get(acmeToken, "?raw=1"); status != http.StatusForbidden {
		t.Errorf("a vendor's ?raw=1: %d, want 403", status)
	}
	if status, _ := get(betaToken, ""); status == http.StatusOK {
		t.Errorf("another vendor reads acme's bundle: %d", status)
	}
	if status, _ := get("", ""); status == http.StatusOK {
		t.Errorf("no token reads acme's bundle: %d", status)
	}
	if status, data := get(coordinatorToken, "?raw=1"); status != http.StatusOK || !holds(data, real) {
		t.Errorf("the coordinator's raw bundle: %d, want the code in clear", status)
	}
}
