//go:build !unix

package cputime

import "time"

// Process returns the user and system CPU time the process has used so
// far; on this platform the package does not read it, so ok is false.
func Process() (d time.Duration, ok bool) { return 0, false }
