package sut_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/sut"
)

// needShell skips tests that run testdata scripts where there is no sh.
func needShell(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh on this system")
	}
}

func TestExecAnswers(t *testing.T) {
	needShell(t)
	req := mustRequest(t, "r-3", sut.ActionOpenCase, sut.CaseParams{CaseRef: "case-1", ClientRefs: []string{"c1", "c2"}})
	tests := []struct {
		name    string
		command string
		want    *sut.Answer
	}{
		{"ok, with the identifiers (the script read the request on standard input)", "sh testdata/answer.sh ok",
			&sut.Answer{Protocol: sut.Protocol, ID: "r-3", Status: sut.StatusOK,
				Result: sut.Result{MessageIDs: []string{"1.2.246.10.99999991.10.0^open-case"}}}},
		{"unsupported is an answer", "sh testdata/answer.sh unsupported",
			&sut.Answer{Protocol: sut.Protocol, ID: "r-3", Status: sut.StatusUnsupported, Message: "no joint cases"}},
		{"failed is an answer", "sh testdata/answer.sh failed",
			&sut.Answer{Protocol: sut.Protocol, ID: "r-3", Status: sut.StatusFailed, Message: "archive answered AE"}},
		{"the command is a shell command line, with the request's fields in the environment",
			`test "$YHTEISTESTAUS_ARCHIVE" = http://127.0.0.1:41234/s/run-1/soap && test "$YHTEISTESTAUS_REQUEST_ID" = r-3 && X=1 sh testdata/answer.sh ok | cat`,
			&sut.Answer{Protocol: sut.Protocol, ID: "r-3", Status: sut.StatusOK,
				Result: sut.Result{MessageIDs: []string{"1.2.246.10.99999991.10.0^open-case"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sut.NewExec(tt.command).Do(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("answer:\ngot  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestExecErrors(t *testing.T) {
	needShell(t)
	req := mustRequest(t, "r-4", sut.ActionStoreDocument, sut.DocumentParams{DocRef: "d1", CaseRef: "case-1", Type: "decision"})
	tests := []struct {
		name     string
		command  string
		protocol bool     // the error wraps sut.ErrProtocol
		want     []string // the error contains these
	}{
		{"garbage on standard output", "sh testdata/garbage.sh", true,
			[]string{"answer is not JSON", `"Done! Case opened."`}},
		{"two answers", "sh testdata/two-answers.sh", true, []string{"data after the answer"}},
		{"an answer to another request", "sh testdata/answer.sh wrong-id", true,
			[]string{`answer id "x-r-4" to request "r-4"`, "answer.sh: store-document request r-4"}},
		{"no answer at all", "true", true, []string{"empty answer"}},
		{"a crash quotes the end of standard error", "sh testdata/crash.sh", false,
			[]string{"command failed: exit status 3", "fatal: database connection refused"}},
		{"a silent crash says standard error was empty", "exit 4", false,
			[]string{"command failed: exit status 4; standard error was empty"}},
		{"a command that does not exist", "./testdata/no-such-command", false, []string{"command failed: exit status 127"}},
		{"an answer larger than the limit", "sh testdata/huge.sh", true, []string{"answer larger than 4194304 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := sut.NewExec(tt.command).Do(context.Background(), req)
			if err == nil {
				t.Fatalf("got answer %+v, want an error", a)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\ngot  %v\nwant it to contain %s", err, w)
				}
			}
			if !strings.Contains(err.Error(), `store-document request "r-4" to exec:`+tt.command) {
				t.Errorf("error %q does not name the action, the request and the command", err)
			}
			if got := errors.Is(err, sut.ErrProtocol); got != tt.protocol {
				t.Errorf("errors.Is(err, ErrProtocol): got %v, want %v", got, tt.protocol)
			}
		})
	}
}

func TestExecHangKilledAtDeadline(t *testing.T) {
	needShell(t)
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	a, err := sut.NewExec("sh testdata/hang.sh "+pidFile).Do(ctx, mustRequest(t, "r-5", sut.ActionReset, nil))
	if err == nil {
		t.Fatalf("got answer %+v, want an error", a)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "command killed") {
		t.Errorf("got %v, want a killed command and context.DeadlineExceeded", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("returned after %v, want soon after the 200ms deadline", el)
	}
	// The script's child died with it (process group), where we can tell.
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Skipf("no pid file: %v", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if _, err := os.Stat("/proc/self/stat"); err != nil || pid == 0 {
		return
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		// Gone, or a zombie not yet reaped by its new parent.
		if err != nil || strings.Contains(string(stat), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the script's child %d still runs: %s", pid, stat)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
