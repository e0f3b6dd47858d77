package sut

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// Exec adapter limits.
const (
	// stderrTail is how much of the end of a command's standard error an
	// error quotes.
	stderrTail = 4096
	// execWaitDelay is how long the exec adapter waits, after the command
	// exits or is killed, for processes it left behind to close its
	// standard output and error.
	execWaitDelay = 500 * time.Millisecond
)

// execDriver is the exec adapter: see NewExec.
type execDriver struct {
	command string
}

var _ Driver = (*execDriver)(nil)

// NewExec returns a Driver that runs command once per request with
// "sh -c command" (so quoting, pipes and environment assignments work as
// in a shell script), writes the Request JSON to its standard input and
// reads one Answer JSON, at most MaxAnswerBytes, from its standard output.
// The environment is the harness's plus YHTEISTESTAUS_PROTOCOL,
// YHTEISTESTAUS_ACTION, YHTEISTESTAUS_REQUEST_ID and YHTEISTESTAUS_ARCHIVE
// (the request's fields), for scripts that dispatch on the action without
// parsing JSON.
//
// The command's standard error is for its logs: when the command exits
// with a non-zero status, is killed, or answers with something that is not
// one JSON answer to the request, the error quotes the end of it.
//
// On Unix the command runs in a process group of its own, and every
// process still in it is killed when the command returns, whether it
// answered or failed, and when the context is done: a child the script
// left in the background (a sleep, a curl) never outlives the request.
// Elsewhere the context's end kills the command alone.
func NewExec(command string) Driver {
	return &execDriver{command: command}
}

// Do implements Driver.
func (d *execDriver) Do(ctx context.Context, req Request) (*Answer, error) {
	a, err := d.do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s request %q to exec:%s: %w", req.Action, req.ID, d.command, err)
	}
	return a, nil
}

func (d *execDriver) do(ctx context.Context, req Request) (*Answer, error) {
	in, err := json.Marshal(withTimeout(ctx, req))
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(runCtx, "sh", "-c", d.command)
	killProcessGroup(cmd)
	cmd.WaitDelay = execWaitDelay
	cmd.Env = append(os.Environ(),
		"YHTEISTESTAUS_PROTOCOL="+Protocol,
		"YHTEISTESTAUS_ACTION="+string(req.Action),
		"YHTEISTESTAUS_REQUEST_ID="+req.ID,
		"YHTEISTESTAUS_ARCHIVE="+req.Archive)
	cmd.Stdin = bytes.NewReader(append(in, '\n'))
	stdout := &limitBuffer{max: MaxAnswerBytes, overflow: cancel}
	stderr := &tailBuffer{max: stderrTail}
	cmd.Stdout, cmd.Stderr = stdout, stderr

	runErr := cmd.Run()
	groupErr := endProcessGroup(cmd)
	withStderr := func(err error) error {
		if s := stderr.String(); s != "" {
			return fmt.Errorf("%w; standard error: %s", err, s)
		}
		if runErr != nil {
			return fmt.Errorf("%w; standard error was empty", err)
		}
		return err
	}
	var exitErr *exec.ExitError
	switch {
	case stdout.over:
		return nil, withStderr(fmt.Errorf("%w: answer larger than %d bytes", ErrProtocol, MaxAnswerBytes))
	case ctx.Err() != nil:
		return nil, withStderr(fmt.Errorf("command killed: %w", context.Cause(ctx)))
	case errors.As(runErr, &exitErr):
		return nil, withStderr(fmt.Errorf("command failed: %s", exitErr.ProcessState))
	case runErr != nil && !errors.Is(runErr, exec.ErrWaitDelay):
		// ErrWaitDelay: the command succeeded but left a process holding
		// its output; what it wrote before exiting still counts.
		return nil, withStderr(fmt.Errorf("run command: %w", runErr))
	case groupErr != nil:
		return nil, withStderr(groupErr)
	}
	a, err := unmarshalAnswer(stdout.buf.Bytes())
	if err != nil {
		return nil, withStderr(err)
	}
	if err := CheckAnswer(req, a); err != nil {
		return nil, withStderr(err)
	}
	return a, nil
}
