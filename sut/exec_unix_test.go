//go:build unix

package sut_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/sut"
)

func TestExecKillsLeftoverChildren(t *testing.T) {
	needShell(t)
	tests := []struct {
		name   string
		args   string
		answer bool // Do returns an answer, not an error
	}{
		{"a command that answers and leaves a background child", "ok", true},
		{"a command that answers and leaves a child holding its output", "ok keep-output", true},
		{"a command that fails and leaves a background child", "crash", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "child.pid")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			a, err := sut.NewExec("sh testdata/leave-child.sh "+pidFile+" "+tt.args).Do(ctx, mustRequest(t, "r-6", sut.ActionReset, nil))
			if tt.answer && err != nil {
				t.Fatalf("got error %v, want an answer", err)
			}
			if !tt.answer && err == nil {
				t.Fatalf("got answer %+v, want an error", a)
			}
			b, err := os.ReadFile(pidFile)
			if err != nil {
				t.Fatalf("the script wrote no pid file: %v", err)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil || pid <= 0 {
				t.Fatalf("pid file holds %q, want a process id", b)
			}
			t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
			waitGone(t, pid)
		})
	}
}

// waitGone fails the test unless process pid is gone soon: kill -0 finds
// no such process, or it is a zombie its new parent has not reaped yet.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		err := syscall.Kill(pid, 0)
		if errors.Is(err, syscall.ESRCH) {
			return
		}
		if stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil && strings.Contains(string(stat), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the script's child %d still runs after Do returned (kill -0: %v)", pid, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
