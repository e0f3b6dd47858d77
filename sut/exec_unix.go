//go:build unix

package sut

import (
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
