//go:build !unix

package sut

import "os/exec"

// killProcessGroup leaves cmd as it is: without Unix process groups the
// context kills the command alone.
func killProcessGroup(cmd *exec.Cmd) {}
