package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/internal/cputime"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/sqlstore"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// soapRequest is a prepared archiving request: SOAP 1.1 with the document
// as a MIME part (SwA), as the samples' vendor sends it.
type soapRequest struct {
	contentType string
	body        []byte
}

func newSOAPRequest(b *testing.B, frame, doc []byte) soapRequest {
	var buf bytes.Buffer
	ct, err := wire.WriteRequest(&buf, "1.1", wire.SwA, frame, doc)
	if err != nil {
		b.Fatal(err)
	}
	return soapRequest{ct, buf.Bytes()}
}

// send posts the request and reads the acknowledgement's type code.
func (r soapRequest) send(client *http.Client, url string) (string, error) {
	resp, err := client.Post(url, r.contentType, bytes.NewReader(r.body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	ack, err := wire.ReadAcknowledgement(resp.Header.Get("Content-Type"), resp.Body)
	if err != nil {
		return "", fmt.Errorf("status %d: %w", resp.StatusCode, err)
	}
	return ack.TypeCode, nil
}

// BenchmarkReceive compares, in one run and for the same messages, the
// in-process validation (validate/...: what BenchmarkValidatePlan in
// simulator/rules measures) with the whole receive path over HTTP
// (receive/...: the SOAP request in over loopback, read once, validated,
// judged against the archive, logged, the acknowledgement written and read
// by the client).
//
// receive/client-relation is the archiving path proper: the client
// relation pair is answered AA and archived (its session is reset, outside
// the timer, between messages). The plan pair cannot be archived first in a
// session (its client has no client relation document in the samples), so
// receive/plan is answered AE after the same validation and archive rules.
func BenchmarkReceive(b *testing.B) {
	s := startServer(b)
	sim := s.Sim
	pairs := []struct {
		name, frame, doc, want string
	}{
		{"plan", "plan-frame.xml", "signature-restored/plan-document.xml", kanta.AckError},
		{"client-relation", "client-relation-frame.xml", "signature-restored/client-relation-document.xml", kanta.AckAccepted},
	}
	ctx := context.Background()
	for _, p := range pairs {
		frame, doc := sample(b, p.frame), sample(b, p.doc)
		b.Run("validate/"+p.name, func(b *testing.B) {
			if res := sim.Validate(ctx, frame, doc); res.Findings.HasErrors() {
				b.Fatalf("errors %v", res.Findings.Errors().Rules())
			}
			b.ReportAllocs()
			cpu := cputime.Start()
			for b.Loop() {
				sim.Validate(ctx, frame, doc)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			cpu.Report(b)
		})
		b.Run("receive/"+p.name, func(b *testing.B) {
			req := newSOAPRequest(b, frame, doc)
			session := "bench-" + p.name
			ss, err := sim.Session(session)
			if err != nil {
				b.Fatal(err)
			}
			url := s.URL() + "/s/" + session + "/soap"
			client := &http.Client{}
			b.ReportAllocs()
			cpu := cputime.Start()
			for b.Loop() {
				if p.want == kanta.AckAccepted {
					cpu.Pause() // before StopTimer, which reads the memory statistics
					b.StopTimer()
					if err := ss.Reset(ctx); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					cpu.Resume()
				}
				got, err := req.send(client, url)
				if err != nil || got != p.want {
					b.Fatalf("answer %s %v, want %s", got, err, p.want)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			cpu.Report(b)
		})
	}
}

// BenchmarkServerLoad sends the plan pair (answered AE, nothing stored, so
// the archive does not grow) over 1, 8 and 32 concurrent connections and
// reports the server's messages/s and the 50th and 99th percentile
// latency. b.N messages are shared among the connections. It runs over
// the in-memory store and over SQLite (serve's default), where every
// exchange is committed to the log before it is answered.
func BenchmarkServerLoad(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) []simulator.Option
	}{
		{"memory", func(*testing.B) []simulator.Option { return nil }},
		{"sqlite", func(b *testing.B) []simulator.Option {
			db, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(b.TempDir(), "store.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return []simulator.Option{simulator.WithStore(db)}
		}},
	}
	for _, st := range stores {
		for _, conns := range []int{1, 8, 32} {
			b.Run(fmt.Sprintf("store=%s/conns=%d", st.name, conns), func(b *testing.B) {
				serverLoad(b, conns, st.open(b))
			})
		}
	}
}

// serverLoad is one run of BenchmarkServerLoad: conns connections to a
// server built with opts.
func serverLoad(b *testing.B, conns int, opts []simulator.Option) {
	s := startServer(b, opts...)
	req := newSOAPRequest(b, sample(b, "plan-frame.xml"), sample(b, "signature-restored/plan-document.xml"))
	url := s.URL() + "/s/load/soap"
	transport := &http.Transport{MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns}
	client := &http.Client{Transport: transport}
	defer transport.CloseIdleConnections()
	if _, err := req.send(client, url); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	latencies := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				if got, err := req.send(client, url); err != nil || got != kanta.AckError {
					failed.Store(fmt.Sprintf("answer %s %v", got, err))
					return
				}
				latencies[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatal(f)
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}
