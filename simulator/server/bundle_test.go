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

// A session's evidence bundle holds every message as received, the
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
	status, h, data := roundTrip(t, http.MethodGet, s.URL()+"/api/sessions/evidence/bundle", "", nil)
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
