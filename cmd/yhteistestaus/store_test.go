package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// killRequest is one valid archiving request: the client relation
// document of a client of its own, with its document id.
type killRequest struct {
	documentID, contentType string
	body                    []byte
}

// clientRelationRequests builds n valid client relation documents, each
// for another test identity, signed with a test certificate.
func clientRelationRequests(t *testing.T, n int) []killRequest {
	t.Helper()
	now := time.Now()
	key, cert, err := signature.NewTestCertificate("Yhteistestaus store test", now)
	if err != nil {
		t.Fatal(err)
	}
	org := compose.Organisation{
		OID: "1.2.246.10.32213561.10.0", Name: "Vantaan ja Keravan hyvinvointialue",
		ServiceUnitOID: "1.2.246.10.1246109.10.2001213", ServiceUnitName: "Lapsiperheiden palvelutarpeen arviointi",
	}
	performer := &compose.Professional{Hetu: "010714-9983", Given: "Holger", Family: "Ovaskainen"}
	out := make([]killRequest, n)
	for i := range out {
		code, err := hetu.TestCode(time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/100), 900+i%100)
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("1.2.246.10.32213561.95778.2026.%d", i+1)
		d := &compose.Document{
			Group: kanta.KindClientRelation, ID: id, SetID: id, Version: 1,
			Clients:   []compose.Person{{Hetu: code, Given: "Testi", Family: fmt.Sprintf("Asiakas%d", i)}},
			Custodian: org, EffectiveTime: now.Add(-time.Hour), GuardianConsent: "1", ServiceTask: "24",
			Signers: []compose.Signer{{Key: key, Cert: cert}},
		}
		doc, err := d.Build()
		if err != nil {
			t.Fatal(err)
		}
		frame, err := compose.Frame(d, compose.FrameOptions{MessageID: fmt.Sprint(i + 1), Performer: performer})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		ct, err := wire.WriteRequest(&buf, "1.1", wire.SwA, frame, doc)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = killRequest{documentID: id, contentType: ct, body: buf.Bytes()}
	}
	return out
}

// getJSON reads the control API's answer at url into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// TestKilledServeLosesNoAcknowledgedDocument kills `serve --data DIR`
// (SIGKILL) in the middle of a concurrent load of valid messages, starts
// it again on the same folder and checks that every document the archive
// acknowledged with AA is archived and logged: an AA is sent only after
// the document is committed.
func TestKilledServeLosesNoAcknowledgedDocument(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server twice")
	}
	const conns, total = 8, 600
	reqs := clientRelationRequests(t, total)
	dir := t.TempDir()
	url, cmd, exited := startServeCmd(t, "--data", dir)
	soap := url + "/s/kill/soap"

	var mu sync.Mutex
	var acked []string
	var next, answered atomic.Int64
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for range conns {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= total {
					return
				}
				r := reqs[i]
				resp, err := client.Post(soap, r.contentType, bytes.NewReader(r.body))
				if err != nil {
					return // the server is gone
				}
				ack, err := wire.ReadAcknowledgement(resp.Header.Get("Content-Type"), resp.Body)
				resp.Body.Close()
				if err != nil {
					return
				}
				answered.Add(1)
				switch ack.TypeCode {
				case kanta.AckAccepted:
					mu.Lock()
					acked = append(acked, r.documentID)
					mu.Unlock()
				default:
					t.Errorf("message %s answered %s, want AA", r.documentID, ack.TypeCode)
				}
			}
		})
	}
	// Kill in the middle of the load: once a third has been answered.
	for answered.Load() < total/3 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	wg.Wait()
	if len(acked) == 0 || len(acked) == total {
		t.Fatalf("%d of %d messages acknowledged before the kill, want some but not all", len(acked), total)
	}

	url, _, _ = startServeCmd(t, "--data", dir)
	var archived api.Archive
	getJSON(t, url+"/api/sessions/kill/archive", &archived)
	stored := make(map[string]bool)
	for _, s := range archived.Sets {
		stored[s.Latest.DocumentID] = true
	}
	var log api.Messages
	getJSON(t, url+"/api/sessions/kill/messages", &log)
	logged := make(map[string]bool)
	for _, m := range log.Messages {
		if m.AckType == kanta.AckAccepted {
			logged[m.DocumentID] = true
		}
	}
	lost := 0
	for _, id := range acked {
		if !stored[id] || !logged[id] {
			lost++
			t.Errorf("document %s was acknowledged AA but after the restart is archived %t, logged %t", id, stored[id], logged[id])
		}
	}
	t.Logf("%d acknowledged before SIGKILL, %d archived after the restart, %d lost", len(acked), len(stored), lost)
}
