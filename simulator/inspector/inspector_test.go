package inspector_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/sharedtest"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
)

// realCode is an identity code of the real format outside the test series:
// the inspector must never show it.
const realCode = "010101-123N"

func sample(tb testing.TB, name string) []byte {
	tb.Helper()
	return sharedtest.ReadFile(tb, "samples", "kanta-sh-public", name)
}

// fixture is a simulator whose session "demo" received the real client
// relation document (AA) and the plan for the same client with its
// identity code swapped for a real-format code outside the test series
// (AE), served over HTTP as serve serves it.
func fixture(t *testing.T) (*simulator.Simulator, *httptest.Server) {
	t.Helper()
	sim, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	ss, err := sim.Session("demo")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ex, err := ss.Receive(ctx, sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml"), "test")
	if err != nil || ex.AckType != kanta.AckAccepted {
		t.Fatalf("client relation document: %v, ack %v %v", err, ex.AckType, ex.Findings)
	}
	plan := bytes.ReplaceAll(sample(t, "signature-restored/plan-document.xml"), []byte("180418A903L"), []byte(realCode))
	planFrame := bytes.ReplaceAll(sample(t, "plan-frame.xml"), []byte("180418A903L"), []byte(realCode))
	if !bytes.Contains(plan, []byte(realCode)) {
		t.Fatal("the plan sample no longer names 180418A903L; pick another code to replace")
	}
	if ex, err = ss.Receive(ctx, planFrame, plan, "test"); err != nil || ex.AckType != kanta.AckError {
		t.Fatalf("plan with a real identity code: %v, ack %v", err, ex.AckType)
	}
	srv := httptest.NewServer((&server.Server{Sim: sim, Logger: slog.New(slog.NewTextHandler(tlog{t}, nil))}).Handler())
	t.Cleanup(srv.Close)
	return sim, srv
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

// Every page answers with the status and shows what a coordinator needs,
// in Finnish, and never an identity code outside the test series.
func TestPages(t *testing.T) {
	_, srv := fixture(t)
	tests := []struct {
		path   string
		status int
		want   []string
	}{
		{"/ui/", 200, []string{"Istunnot", `data-session="demo"`, "Lähettäjäjärjestelmät", ">2<", ">1<"}},
		{"/ui/s/demo", 200, []string{"Sanomat", `data-seq="2"`, `data-seq="1"`, "AA hyväksytty", "AE virhe", "tallennus", "Asiakkuusasiakirja", "ID-TEST-IDENTITY", "virhe"}},
		{"/ui/s/demo/rows?after=1", 200, []string{`id="new-rows"`, `data-last="2"`, `data-seq="2"`, `id="summary"`}},
		{"/ui/s/demo/m/2", 200, []string{"Sanoma 2", "AE virhe", "Havainnot", "ID-TEST-IDENTITY", "Ote sanomasta", `class="hit"`, "Siirtokehys", "Asiakirja (CDA)", "***********"}},
		{"/ui/s/demo/m/1", 200, []string{"Sanoma 1", "AA hyväksytty", "arkistoi asiakirjan", "Asiakkuusasiakirja"}},
		{"/ui/s/demo/archive", 200, []string{"Arkisto", "Asiakas", "1.2.246.21^200111A904P", "Asiakkuusasiakirja", "v1", "tallennus", "1 asiakirja, 1 versio"}},
		{"/ui/s/later", 200, []string{"Istuntoa ei vielä ole", "/s/later/soap", "Ei vielä sanomia"}},
		{"/ui/s/later/rows?after=0", 204, nil},
		{"/ui/s/demo/rows?after=2", 204, nil},
		{"/ui/s/later/archive", 404, []string{"Istuntoa later ei ole"}},
		{"/ui/s/demo/m/99", 404, []string{"ei ole sanomaa 99"}},
		{"/ui/s/demo/m/x", 404, []string{"ei ole sanomaa x"}},
		{"/ui/s/bad%20name/archive", 400, []string{"ei kelpaa"}},
		{"/ui/nothing", 404, []string{"Sivua /ui/nothing ei ole"}},
		{"/ui/static/inspector.css", 200, []string{".tiles"}},
		{"/ui/static/inspector.js", 200, []string{"new-rows"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, body, h := get(t, srv.URL+tt.path)
			if status != tt.status {
				t.Errorf("status %d, want %d\n%.600s", status, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page does not show %q", w)
				}
			}
			if strings.Contains(tt.path, "after=1") && strings.Contains(body, `data-seq="1"`) {
				t.Error("the rows after message 1 include message 1")
			}
			if strings.Contains(body, realCode) {
				t.Errorf("page shows the identity code %s in clear", realCode)
			}
			if csp := h.Get("Content-Security-Policy"); status != http.StatusNoContent && !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy %q, want scripts from the inspector only", csp)
			}
		})
	}
}

// Only GET reaches the inspector: it never changes anything.
func TestInspectorOnlyReads(t *testing.T) {
	_, srv := fixture(t)
	resp, err := http.Post(srv.URL+"/ui/s/demo", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /ui/s/demo: status %d, want 405", resp.StatusCode)
	}
	status, _, _ := get(t, srv.URL+"/ui")
	if status != http.StatusOK {
		t.Errorf("GET /ui (redirected): status %d, want 200", status)
	}
}

// tlog writes the server's log lines to the test's log.
type tlog struct{ t *testing.T }

func (l tlog) Write(p []byte) (int, error) {
	l.t.Helper()
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
