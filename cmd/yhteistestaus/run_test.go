package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/reports"
	"github.com/yhteistestaus/yhteistestaus/simulator"
)

// TestMain lets the test binary stand in for the command, so that a test
// can start `yhteistestaus reference-sut` in another process.
func TestMain(m *testing.M) {
	if os.Getenv("YHTEISTESTAUS_TEST_MAIN") == "1" {
		ctx, stop := signalContext()
		defer stop()
		os.Exit((&Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}).Run(ctx, os.Args[1:]))
	}
	// serve keeps its store in the user's data folder by default: the
	// tests' servers keep theirs in a folder of their own.
	data, err := os.MkdirTemp("", "yhteistestaus-test-data")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_DATA_HOME", data)
	code := m.Run()
	os.RemoveAll(data)
	os.Exit(code)
}

// startReferenceSUT runs `yhteistestaus reference-sut` in another process
// and returns its URL.
func startReferenceSUT(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "reference-sut", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "YHTEISTESTAUS_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
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
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("reference-sut did not start")
	}
	return ""
}

func readRun(t *testing.T, dir string) *yhteistestaus.Run {
	t.Helper()
	for _, f := range reports.Files() {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Fatalf("report %s missing or empty: %v", f, err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, reports.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	var r yhteistestaus.Run
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func scenarioStatuses(r *yhteistestaus.Run) map[string]yhteistestaus.Status {
	out := make(map[string]yhteistestaus.Status)
	for _, s := range r.Scenarios {
		out[s.FeatureFile+": "+s.Name] = s.Status
	}
	return out
}

// The same scenarios pass against the in-process reference system, against
// the reference system as an HTTP adapter in another process, and through
// an exec adapter (a script hook forwarding to it).
func TestRunAdapters(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is needed for the exec adapter test (apt-get install curl)")
	}
	dir := t.TempDir()
	status, out, errs := run(t, "run", "--profile", "vaihe2-kasittely", "--out", filepath.Join(dir, "reference"))
	if status != 0 {
		t.Fatalf("run against the reference system: status %d\n%s\n%s", status, out, errs)
	}
	want := scenarioStatuses(readRun(t, filepath.Join(dir, "reference")))
	url := startReferenceSUT(t)
	adapters := []struct{ name, sut string }{
		{"http", url},
		{"exec", "exec:curl -sS --fail-with-body -H 'Content-Type: application/json' --data-binary @- " + url},
	}
	for _, a := range adapters {
		t.Run(a.name, func(t *testing.T) {
			out := filepath.Join(dir, a.name)
			status, stdout, stderr := run(t, "run", "--profile", "vaihe2-kasittely", "--sut", a.sut, "--out", out)
			if status != 0 {
				t.Fatalf("status %d\n%s\n%s", status, stdout, stderr)
			}
			got := scenarioStatuses(readRun(t, out))
			if len(got) != len(want) {
				t.Errorf("%d scenarios, want %d", len(got), len(want))
			}
			for name, st := range want {
				if got[name] != st {
					t.Errorf("scenario %s: %s, want %s", name, got[name], st)
				}
			}
		})
	}
}

// A fault makes the run fail with exit status 1, and the report says which
// rule caught it.
func TestRunWithFaultFails(t *testing.T) {
	dir := t.TempDir()
	status, out, _ := run(t, "run", "--profile", "vaihe2-kasittely", "--fault", "missing-service-task", "--out", dir)
	if status != 1 {
		t.Fatalf("status %d, want 1\n%s", status, out)
	}
	if !strings.Contains(out, "HDR-SERVICE-TASK") {
		t.Errorf("console does not name the rule HDR-SERVICE-TASK:\n%s", out)
	}
	html, err := os.ReadFile(filepath.Join(dir, reports.HTMLFile))
	if err != nil || !strings.Contains(string(html), "HDR-SERVICE-TASK") {
		t.Errorf("report.html does not name the rule HDR-SERVICE-TASK (err %v)", err)
	}
	// The report links the offending message to files saved beside it,
	// which stay when the embedded archive has stopped: they hold the
	// element the finding points at, and no identity code in clear.
	links := regexp.MustCompile(`href="(`+reports.MessagesDir+`/[^"]+)"`).FindAllStringSubmatch(string(html), -1)
	if len(links) == 0 {
		t.Fatal("report.html links no saved message")
	}
	if strings.Contains(string(html), "/api/sessions/") {
		t.Error("report.html links the control API of an archive that stopped with the run")
	}
	holds := false
	for _, l := range links {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(l[1])))
		if err != nil {
			t.Errorf("link %s: %v", l[1], err)
			continue
		}
		if strings.Contains(string(data), "localSocialHeader") {
			holds = true
		}
	}
	if !holds {
		t.Error("no linked message holds localSocialHeader, where the missing functionCode belongs")
	}
	saved, err := filepath.Glob(filepath.Join(dir, reports.MessagesDir, "*.xml"))
	if err != nil || len(saved) == 0 {
		t.Fatalf("no message saved (%v)", err)
	}
	identity := regexp.MustCompile(`\b[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Z]\b`)
	for _, name := range saved {
		data, _ := os.ReadFile(name)
		for _, code := range identity.FindAllString(string(data), -1) {
			if hetu.Mask(code) != code {
				t.Errorf("%s shows identity code %s in clear", name, code)
			}
		}
	}
}

func TestRunUsage(t *testing.T) {
	for _, args := range [][]string{
		{"run"},
		{"run", "--profile", "no-such-profile"},
		{"run", "--profile", "vaihe2-kasittely", "--sut", "carrier-pigeon"},
		{"run", "--profile", "vaihe2-kasittely", "--sut", "http://127.0.0.1:1", "--fault", "x"},
	} {
		if status, _, _ := run(t, args...); status != 2 {
			t.Errorf("%v: status %d, want 2", args, status)
		}
	}
}

func signalContext() (context.Context, context.CancelFunc) {
	return signalNotify(context.Background())
}

// A run can use a simulator that is already running (a shared co-testing
// service) instead of the embedded one; its messages stay in the run's own
// session.
func TestRunAgainstRunningArchive(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	var sout, serr strings.Builder
	srv := &Main{Stdout: &sout, Stderr: &serr, Ready: func(url string) { ready <- url }}
	done := make(chan int, 1)
	go func() { done <- srv.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}) }()
	var url string
	select {
	case url = <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	dir := t.TempDir()
	status, out, errs := run(t, "run", "--profile", "vaihe2-kasittely", "--archive", url, "--session", "shared-1", "--out", dir)
	if status != 0 {
		t.Fatalf("status %d\n%s\n%s", status, out, errs)
	}
	if r := readRun(t, dir); !strings.Contains(r.Archive, url+"/s/shared-1/soap") {
		t.Errorf("run used archive %s, want the running one's session shared-1", r.Archive)
	}
	cancel()
	<-done
}

// A run that cannot reach the system under test is not tested: exit 2, a
// one-line cause, and results that fail no requirement.
func TestRunNotReached(t *testing.T) {
	for _, tt := range []struct{ name, sut string }{
		{"nothing listening", "http://127.0.0.1:1"},
		{"no such hook", "exec:/nonexistent"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			status, out, errs := run(t, "run", "--profile", "vaihe2-kasittely", "--sut", tt.sut, "--out", dir)
			if status != 2 {
				t.Fatalf("status %d, want 2\n%s\n%s", status, out, errs)
			}
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], "not tested: the harness could not reach your system: ") {
				t.Errorf("standard error %q, want one line saying not tested and why", errs)
			}
			r := readRun(t, dir)
			if r.NotTested == "" || r.Verdict != yhteistestaus.StatusNotTested {
				t.Errorf("results: verdict %s, notTested %q; want not-tested with the cause", r.Verdict, r.NotTested)
			}
			if n := r.Summary[yhteistestaus.StatusFailed]; n > 0 || len(r.RootCauses) > 0 {
				t.Errorf("results fail %d requirements with %d root causes; want none", n, len(r.RootCauses))
			}
		})
	}
}

// Flags are checked before anything runs: a bad value is a usage error (exit
// 2, one line naming the flag), and no report is written.
func TestRunChecksFlagsFirst(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		flag string
		args []string
	}{
		{"--timeout", []string{"--timeout", "-5s"}},
		{"--timeout", []string{"--timeout", "0s"}},
		{"--lang", []string{"--lang", "xx"}},
		{"--out", []string{"--out", filepath.Join(file, "reports")}},
		{"--tags", []string{"--tags", "@area:case-management &&"}},
		{"--tags", []string{"--tags", "not @negative"}},
		{"--attestations", []string{"--attestations", filepath.Join(t.TempDir(), "missing.yaml")}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"run", "--profile", "vaihe2-kasittely", "--out", dir}, tt.args...)
			status, out, errs := run(t, args...)
			if status != 2 {
				t.Fatalf("status %d, want 2\n%s\n%s", status, out, errs)
			}
			if !strings.Contains(errs, tt.flag) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
				t.Errorf("standard error %q, want one line naming %s", errs, tt.flag)
			}
			if _, err := os.Stat(filepath.Join(dir, reports.ResultsFile)); err == nil {
				t.Errorf("a report was written")
			}
			if strings.Contains(out, "PASS") || strings.Contains(out, "FAIL") {
				t.Errorf("scenarios ran:\n%s", out)
			}
		})
	}
}

// A tag-filtered run judges only the requirements its scenarios verify: the
// reference system passes a functional area on its own, and an expression
// that selects nothing is a usage error naming it.
func TestRunPartial(t *testing.T) {
	dir := t.TempDir()
	status, out, errs := run(t, "run", "--profile", "vaihe2-kasittely", "--tags", "@area:case-management", "--out", dir)
	if status != 0 {
		t.Fatalf("status %d, want 0\n%s\n%s", status, out, errs)
	}
	r := readRun(t, dir)
	if !r.Partial || r.Verdict != yhteistestaus.StatusPassed {
		t.Errorf("partial %v, verdict %s; want a passed partial run", r.Partial, r.Verdict)
	}
	if !strings.Contains(out, "the profile verdict needs a full run") {
		t.Errorf("console does not say the verdict is partial:\n%s", out)
	}
	status, _, errs = run(t, "run", "--profile", "vaihe2-kasittely", "--tags", "@area:nope", "--out", t.TempDir())
	if status != 2 || !strings.Contains(errs, "@area:nope") {
		t.Errorf("--tags @area:nope: status %d, %q; want 2 naming the expression", status, errs)
	}
}

// One defect is one root cause in the console and in results.json, and the
// console shows progress, the failing step's rule and location, and the
// report's path.
func TestRunOneDefectOneRootCause(t *testing.T) {
	dir := t.TempDir()
	status, out, _ := run(t, "run", "--profile", "vaihe2-kasittely", "--fault", "missing-service-task", "--out", dir)
	if status != 1 {
		t.Fatalf("status %d, want 1\n%s", status, out)
	}
	r := readRun(t, dir)
	if len(r.RootCauses) != 1 || r.RootCauses[0].Rule != "HDR-SERVICE-TASK" {
		t.Fatalf("root causes %+v, want HDR-SERVICE-TASK alone", r.RootCauses)
	}
	// The scenarios about structure status run their actions only on THL's
	// structures (CI's second pass sets the variable).
	scenarios := 21
	if os.Getenv(simulator.EnvSosmeta) != "" {
		scenarios += 2
	}
	for _, want := range []string{
		"1 root cause:", fmt.Sprintf("HDR-SERVICE-TASK in %d scenarios", scenarios),
		"error HDR-SERVICE-TASK at localSocialHeader/functionCode", "(line ", filepath.Join(dir, "report.html"),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^\[ ?1/\d+\] `).MatchString(out) {
		t.Errorf("console shows no [n/N] progress:\n%s", out)
	}
}

// Every command prints its flags with their defaults for -h and for help
// CMD, and exits 0; version names the module.
func TestHelpAndVersion(t *testing.T) {
	for _, cmd := range []string{"run", "validate", "serve", "rules", "reference-sut", "steps", "profiles", "requirements", "version", "bundle"} {
		for _, args := range [][]string{{cmd, "-h"}, {"help", cmd}} {
			status, out, errs := run(t, args...)
			if status != 0 || !strings.HasPrefix(out, "usage: yhteistestaus "+cmd) || errs != "" {
				t.Errorf("%v: status %d, stdout %.60q, stderr %q; want 0 and the command's usage", args, status, out, errs)
			}
		}
	}
	_, out, _ := run(t, "run", "-h")
	for _, flag := range []string{"-profile", "-sut", "-tags", "-out", "-archive", "-session", "-attestations", "-lang", "-timeout", "-fault", "-organisation", `(default "reports")`, "Exit status"} {
		if !strings.Contains(out, flag) {
			t.Errorf("run -h does not describe %s", flag)
		}
	}
	if status, out, _ := run(t, "version"); status != 0 || !strings.HasPrefix(out, "yhteistestaus ") {
		t.Errorf("version: status %d, %q", status, out)
	}
}
