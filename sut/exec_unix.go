//go:build unix

package sut

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"
)

// killProcessGroup makes cmd start its own process group and, when its
// context is done, kills the whole group, so that a script's children
// (a hanging curl, a sleep) die with it.
func killProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// endProcessGroup kills what is left of cmd's process group after cmd
// returned, whether it succeeded or not: a background child the script
// did not wait for must not outlive the request. A group with no process
// left (ESRCH) is not an error. The group id stays reserved while any
// process of the group lives, so the signal cannot reach another
// program's group.
func endProcessGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil // never started
	}
	err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill process group %d: %w", cmd.Process.Pid, err)
	}
	return nil
}
