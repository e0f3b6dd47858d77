//go:build !unix

package sut

import "os/exec"

// killProcessGroup leaves cmd as it is: without Unix process groups the
// context kills the command alone.
func killProcessGroup(cmd *exec.Cmd) {}

// endProcessGroup does nothing: without Unix process groups there is no
// group to end, and the command itself has exited.
func endProcessGroup(cmd *exec.Cmd) error { return nil }
