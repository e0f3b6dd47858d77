package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// validate refuses a file over the size limit from its size alone: a
// sparse file of 1 TiB is refused at once, with its exact size, which only
// os.Stat can know without reading it.
func TestValidateRefusesALargeFileBySize(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.xml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	const size = 1 << 40
	if err := f.Truncate(size); err != nil {
		t.Skipf("no sparse files here: %v", err)
	}
	f.Close()
	tests := []struct {
		name string
		args []string
	}{
		{"message file", []string{"validate", "--format", "json", big}},
		{"frame file", []string{"validate", "--format", "json", "--frame", big, "--document", samplePath(t, "signature-restored/plan-document.xml")}},
		{"document file", []string{"validate", "--format", "json", "--frame", samplePath(t, "plan-frame.xml"), "--document", big}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, errs := run(t, tt.args...)
			var rep validateReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("status %d, not JSON: %v\n%s%s", status, err, out, errs)
			}
			if status != exitInvalid || len(rep.Findings) != 1 || rep.Findings[0].Rule != "XML-TOO-LARGE" ||
				!strings.Contains(rep.Findings[0].Message, strconv.Itoa(size)+" bytes") {
				t.Errorf("status %d, findings %+v, want 1 and one XML-TOO-LARGE finding giving the size %d", status, rep.Findings, size)
			}
		})
	}
}

// startServeProcess runs `yhteistestaus serve` in another process (the test
// binary standing in for the command) and returns its URL and process id.
func startServeProcess(t *testing.T, args ...string) (string, int) {
	url, cmd, _ := startServeCmd(t, args...)
	return url, cmd.Process.Pid
}

// startServeCmd is startServeProcess returning the command, whose process
// the test may signal, and a channel that gives the process's exit.
func startServeCmd(t *testing.T, args ...string) (string, *exec.Cmd, <-chan error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "YHTEISTESTAUS_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	exited := make(chan error, 1)
	waited := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		exited <- err
		waited <- err
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-waited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
		}
	})
	urls := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`url=(http://[0-9.:]+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	select {
	case u := <-urls:
		return u, cmd, exited
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return "", nil, nil
}

// peakRSS returns the process's peak resident set size (VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// A 16 MB body of 4M empty elements is refused, by the server process,
// within 200 MB of peak memory, and 8 of them at once within 1 GB; the
// server then still answers every input of the hostile corpus with its
// rule, and archives a real message.
func TestServeBoundsMemoryUnderHostileBodies(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak memory is read from /proc (Linux)")
	}
	if raceDetector {
		t.Skip("the race detector multiplies memory use")
	}
	url, pid := startServeProcess(t)
	body := []byte(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		strings.Repeat("<a/>", 4<<20) + `</soap:Body></soap:Envelope>`)
	refuse := func() (time.Duration, error) {
		start := time.Now()
		resp, err := http.Post(url+"/soap", "text/xml", bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		f, err := wire.ReadFault(resp.Header.Get("Content-Type"), resp.Body)
		if err != nil {
			return 0, err
		}
		if f.Rule != "XML-TOO-LARGE" {
			t.Errorf("fault names %s (%s), want XML-TOO-LARGE", f.Rule, f.Reason)
		}
		return time.Since(start), nil
	}
	const mb = 1 << 20
	idle := peakRSS(t, pid)
	d, err := refuse()
	if err != nil {
		t.Fatal(err)
	}
	one := peakRSS(t, pid)
	t.Logf("16 MB of 4M empty elements: refused in %v, peak RSS %d MB (%d MB before)", d, one/mb, idle/mb)
	if one > 200*mb {
		t.Errorf("peak RSS %d MB after one body, want under 200 MB", one/mb)
	}
	// Nothing large is built before the limit trips: the refusal costs
	// the body and little more.
	if grew := one - idle; grew > 3*int64(len(body)) {
		t.Errorf("peak RSS grew by %d MB for a body of %d MB, want at most 3 times the body", grew/mb, len(body)/mb)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := refuse(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	eight := peakRSS(t, pid)
	t.Logf("8 at once: peak RSS %d MB", eight/mb)
	if eight > 1<<30 {
		t.Errorf("peak RSS %d MB after 8 bodies at once, want under 1 GB", eight/mb)
	}

	for _, tt := range hostileMessages() {
		resp, err := http.Post(url+"/s/hostile/soap", tt.contentType, strings.NewReader(tt.body))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		f, err := wire.ReadFault(resp.Header.Get("Content-Type"), resp.Body)
		resp.Body.Close()
		if err != nil || f.Rule != tt.rule {
			t.Errorf("%s: fault %+v (%v), want one naming %s", tt.name, f, err, tt.rule)
		}
	}
	var req bytes.Buffer
	frame, err := os.ReadFile(samplePath(t, "client-relation-frame.xml"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(samplePath(t, "signature-restored/client-relation-document.xml"))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := wire.WriteRequest(&req, "1.1", wire.SwA, frame, doc)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url+"/s/after/soap", ct, &req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	ack, err := wire.ReadAcknowledgement(resp.Header.Get("Content-Type"), resp.Body)
	if err != nil || ack.TypeCode != kanta.AckAccepted {
		t.Fatalf("a real message after the hostile ones: %+v (%v), want AA", ack, err)
	}
}

// serve refuses flags out of range before it listens.
func TestServeRefusesBadBoundsFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no request in flight", []string{"--max-inflight", "0"}},
		{"negative drain", []string{"--drain", "-1s"}},
		{"unknown log format", []string{"--log-format", "xml"}},
		{"unknown log level", []string{"--log-level", "loud"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, errs := run(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, tt.args...)...)
			if status != exitUsage || !strings.Contains(errs, tt.args[0]) {
				t.Errorf("status %d, stderr %q, want 2 and a message naming %s", status, errs, tt.args[0])
			}
		})
	}
}

// On SIGTERM, serve --drain waits for a request under way and then answers
// it with a SOAP Fault naming WIRE-SHUTDOWN, not a cut connection, and
// exits 0.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM")
	}
	url, cmd, exited := startServeCmd(t, "--drain", "300ms", "--max-inflight", "1")
	host := strings.TrimPrefix(url, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The body is declared but only half sent: the handler waits on it.
	const env = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x/></soap:Body></soap:Envelope>`
	fmt.Fprintf(conn, "POST /soap HTTP/1.1\r\nHost: %s\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s", host, len(env), env[:len(env)/2])
	// The request is in its handler once the server, taking one at a
	// time, refuses another.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		resp, err := http.Get(url + "/api/sessions")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the held request never reached its handler")
		}
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer, the connection was cut: %v", err)
	}
	defer resp.Body.Close()
	f, err := wire.ReadFault(resp.Header.Get("Content-Type"), resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable || err != nil || f.Rule != "WIRE-SHUTDOWN" {
		t.Errorf("request held past the drain: %d, fault %+v (%v), want 503 naming WIRE-SHUTDOWN", resp.StatusCode, f, err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("answered %v after SIGTERM, before the 300ms drain ended", d)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v, want exit status 0", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("serve did not exit after SIGTERM")
	}
}
