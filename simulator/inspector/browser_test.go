package inspector_test

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

var update = flag.Bool("update", false, "write the screenshot docs/inspector.png")

// chromium returns Debian's chromium (or $CHROMIUM), skipping the test
// when there is none.
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	for _, b := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if b == "" {
			continue
		}
		if p, err := exec.LookPath(b); err == nil {
			return p
		}
	}
	t.Skip("no chromium (/usr/bin/chromium) to test the inspector in: apt-get install chromium; CI installs it")
	return ""
}

// send posts an archiving message over SOAP 1.1 with the document inline,
// as a vendor system does, and returns the acknowledgement's type.
func send(t *testing.T, url string, frame, doc []byte) string {
	t.Helper()
	var body bytes.Buffer
	ct, err := wire.WriteRequest(&body, "1.1", wire.InlineBase64, frame, doc)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url, ct, &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: status %d: %s", url, resp.StatusCode, b)
	}
	ack, err := wire.ReadAcknowledgement(resp.Header.Get("Content-Type"), resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return ack.TypeCode
}

// TestInspectorInChromium opens the inspector of a running server in
// headless Chromium as a coordinator would: a session's log opened before
// its first message shows the message when it arrives, without being
// reloaded; the session list shows the session and its summary; the
// session's log, left open, shows the next message sent meanwhile, again
// without a reload; the message's page shows its
// acknowledgement and findings with the fragment of the message; the
// archive page shows the client relation document. With -update it saves
// the log as docs/inspector.png.
func TestInspectorInChromium(t *testing.T) {
	browser := chromium(t)
	sim, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := &server.Server{Addr: "127.0.0.1:0", Sim: sim}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	soap := srv.URL() + "/s/esittely/soap"

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 860))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	// A vendor opens its session's log before sending anything.
	do(t, bctx, "the empty session list",
		chromedp.Navigate(srv.URL()+"/ui/"),
		chromedp.WaitVisible(`.empty`),
		chromedp.Navigate(srv.URL()+"/ui/s/esittely"),
		chromedp.WaitVisible(`#waiting`),
		chromedp.WaitVisible(`#live`),
		chromedp.Evaluate[chromedp.Void](`window.inspectorTestMark = "not reloaded"`, chromedp.EvalIgnoreExceptions))
	if ack := send(t, soap, sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml")); ack != kanta.AckAccepted {
		t.Fatalf("client relation document: ack %s, want AA", ack)
	}
	do(t, bctx, "the first message in the waiting log",
		chromedp.WaitVisible(`tr[data-seq="1"]`),
		chromedp.WaitNotPresent(`#waiting`))
	if mark := value(t, bctx, "the mark", chromedp.Evaluate[string](`window.inspectorTestMark || "reloaded"`)); mark != "not reloaded" {
		t.Error("the waiting log was reloaded to show the first message; it should add it in place")
	}

	do(t, bctx, "the session list",
		chromedp.Navigate(srv.URL()+"/ui/"),
		chromedp.WaitVisible(`tr[data-session="esittely"]`))
	// Session, messages, AA, AE, AR, archived documents, ...
	sessionRow := value(t, bctx, "the session's row",
		chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('tr[data-session="esittely"] td'), td => td.innerText.trim())`))
	if len(sessionRow) < 6 || sessionRow[1] != "1" || sessionRow[2] != "1" || sessionRow[3] != "0" || sessionRow[5] != "1" {
		t.Errorf("session row %q: want 1 message, 1 AA, no AE and 1 archived document", sessionRow)
	}
	do(t, bctx, "the session's log",
		chromedp.Click(`tr[data-session="esittely"] a[href="/ui/s/esittely"]`),
		chromedp.WaitVisible(`tr[data-seq="1"]`),
		chromedp.WaitVisible(`#live`),
		// A mark a reload would lose.
		chromedp.Evaluate[chromedp.Void](`window.inspectorTestMark = "not reloaded"`, chromedp.EvalIgnoreExceptions))
	if rows := value(t, bctx, "the log's rows", chromedp.Text(`#log tbody`)); !strings.Contains(rows, "AA hyväksytty") || !strings.Contains(rows, "Asiakkuusasiakirja") {
		t.Errorf("log %q: want the client relation document accepted (AA)", rows)
	}

	// The plan, for a client without a client relation document: AE.
	if ack := send(t, soap, sample(t, "plan-frame.xml"), sample(t, "signature-restored/plan-document.xml")); ack != kanta.AckError {
		t.Fatalf("plan: ack %s, want AE", ack)
	}
	do(t, bctx, "the log after a new message", chromedp.WaitVisible(`tr[data-seq="2"]`))
	if mark := value(t, bctx, "the mark", chromedp.Evaluate[string](`window.inspectorTestMark || "reloaded"`)); mark != "not reloaded" {
		t.Error("the log page was reloaded to show the new message; it should add it in place")
	}
	if row := value(t, bctx, "the new row", chromedp.Text(`tr[data-seq="2"]`)); !strings.Contains(row, "AE virhe") || !strings.Contains(row, "ARC-ORDER-CRD") {
		t.Errorf("new row %q: want AE with ARC-ORDER-CRD", row)
	}
	if summary := value(t, bctx, "the summary", chromedp.Text(`#summary`)); !strings.HasPrefix(strings.TrimSpace(summary), "2") {
		t.Errorf("summary %q: want 2 messages", summary)
	}
	if *update {
		do(t, bctx, "waiting for the highlight to fade", chromedp.Sleep(3200*time.Millisecond))
		png := value(t, bctx, "the screenshot", chromedp.CaptureScreenshot())
		out := filepath.Join("..", "..", "docs", "inspector.png")
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", out, len(png))
	}

	do(t, bctx, "the message page",
		chromedp.Click(`tr[data-seq="2"] a`),
		chromedp.WaitVisible(`#findings`))
	if title := value(t, bctx, "the title", chromedp.Text(`h1`)); !strings.Contains(title, "Sanoma 2") || !strings.Contains(title, "AE") {
		t.Errorf("message page title %q: want Sanoma 2 with AE", title)
	}
	if ack := value(t, bctx, "the acknowledgement", chromedp.Evaluate[string](`(document.querySelector("#ack pre") || {}).textContent || ""`)); !strings.Contains(ack, "MCCI_IN000002UV01") {
		t.Errorf("the message page does not show the acknowledgement sent: %.200q", ack)
	}
	if findings := value(t, bctx, "the findings", chromedp.Text(`#findings`)); !strings.Contains(findings, "ARC-ORDER-CRD") || !strings.Contains(findings, "Ote sanomasta") {
		t.Errorf("findings %q: want ARC-ORDER-CRD with its fragment", findings)
	}
	if hits := value(t, bctx, "the marked lines", chromedp.Evaluate[int](`document.querySelectorAll("pre.excerpt .hit").length`)); hits == 0 {
		t.Error("no fragment marks the offending element")
	}

	do(t, bctx, "the archive page",
		chromedp.Click(`a[href="/ui/s/esittely/archive"]`),
		chromedp.WaitVisible(`.node.crd`))
	if tree := value(t, bctx, "the archive tree", chromedp.Text(`main`)); !strings.Contains(tree, "Asiakkuusasiakirja") || !strings.Contains(tree, "v1") {
		t.Errorf("archive page %q: want the client relation document, version 1", tree)
	}
}

// do runs the browser actions, failing the test with what it was doing.
func do(t *testing.T, ctx context.Context, doing string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", doing, err)
	}
}

// value runs a browser action that reads something, failing the test with
// what it was reading.
func value[T any](t *testing.T, ctx context.Context, reading string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", reading, err)
	}
	return v
}
