package inspector_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
)

// BenchmarkPages measures the inspector's pages for a session whose log
// holds 1,000 messages (the client relation document, then the plan,
// rejected with findings, 999 times): the page a coordinator opens, the
// poll an open log makes every two seconds when nothing has arrived and
// when one message has, the session list and one message with its
// fragments.
func BenchmarkPages(b *testing.B) {
	const messages = 1000
	sim, err := simulator.New()
	if err != nil {
		b.Fatal(err)
	}
	ss, err := sim.Session("bench")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := ss.Receive(ctx, sample(b, "client-relation-frame.xml"), sample(b, "signature-restored/client-relation-document.xml"), "bench"); err != nil {
		b.Fatal(err)
	}
	planFrame, plan := sample(b, "plan-frame.xml"), sample(b, "signature-restored/plan-document.xml")
	for range messages - 1 {
		if _, err := ss.Receive(ctx, planFrame, plan, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer((&server.Server{Sim: sim}).Handler())
	b.Cleanup(srv.Close)
	for _, bb := range []struct{ name, path string }{
		{"log", "/ui/s/bench"},
		{"poll-nothing-new", fmt.Sprintf("/ui/s/bench/rows?after=%d", messages)},
		{"poll-one-new", fmt.Sprintf("/ui/s/bench/rows?after=%d", messages-1)},
		{"sessions", "/ui/"},
		{"message", "/ui/s/bench/m/2"},
		{"archive", "/ui/s/bench/archive"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			var n int64
			for b.Loop() {
				resp, err := http.Get(srv.URL + bb.path)
				if err != nil {
					b.Fatal(err)
				}
				n, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
					b.Fatalf("%s: status %d", bb.path, resp.StatusCode)
				}
			}
			b.ReportMetric(float64(n), "page-bytes")
		})
	}
}
