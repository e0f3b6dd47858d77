// Package cputime reads the CPU time the process has used, for benchmarks
// that are compared on a machine shared with other work: a process's CPU
// time, unlike the wall time, does not grow while other processes run.
package cputime

import (
	"runtime"
	"testing"
	"time"
)

// Meter measures the CPU time a benchmark's loop uses, without what is done
// while the benchmark's timer is stopped (Pause and Resume bracket it).
type Meter struct {
	start, paused, excluded time.Duration
	ok                      bool
}

// Start starts a meter at the process's CPU time now. It collects the
// garbage first, so that the collector's work on what was allocated before
// is not counted.
func Start() *Meter {
	runtime.GC()
	t, ok := Process()
	return &Meter{start: t, ok: ok}
}

// Pause stops counting, as b.StopTimer stops the benchmark's timer.
func (m *Meter) Pause() {
	m.paused, _ = Process()
}

// Resume counts again.
func (m *Meter) Resume() {
	t, _ := Process()
	m.excluded += t - m.paused
}

// Report reports the CPU time per operation as the benchmark's cpu-µs/op
// metric. Where the platform does not give the process's CPU time it
// reports nothing.
func (m *Meter) Report(b *testing.B) {
	t, ok := Process()
	if !ok || !m.ok || b.N == 0 {
		return
	}
	used := t - m.start - m.excluded
	b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/op")
}
