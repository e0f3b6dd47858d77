package cputime

import (
	"testing"
	"time"
)

func TestProcessGrowsWithWork(t *testing.T) {
	before, ok := Process()
	if !ok {
		t.Skip("the platform does not give the process's CPU time")
	}
	// Spin until the process has used measurably more CPU time; the
	// deadline only keeps a broken clock from hanging the test.
	deadline := time.Now().Add(10 * time.Second)
	x := 0
	for time.Now().Before(deadline) {
		for i := 0; i < 1e6; i++ {
			x += i
		}
		if after, _ := Process(); after-before >= 10*time.Millisecond {
			return
		}
	}
	t.Fatalf("process CPU time did not grow by 10ms in 10s of spinning (%d)", x)
}
