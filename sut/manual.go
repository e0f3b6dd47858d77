package sut

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// Manual adapter defaults.
const (
	// DefaultManualTimeout is how long the manual adapter waits for the
	// operator or the archive when ManualOptions.Timeout is zero.
	DefaultManualTimeout = 2 * time.Minute
	// DefaultWatchInterval is how often the manual adapter calls
	// ManualOptions.Watch when WatchInterval is zero.
	DefaultWatchInterval = 500 * time.Millisecond
	// maxOperatorLine is the longest operator line read.
	maxOperatorLine = 64 << 10
)

// ErrNoAnswer is wrapped by the manual adapter's error when neither the
// operator nor the archive answered in time.
var ErrNoAnswer = errors.New("no answer from the operator")

// ManualOptions configure NewManual.
type ManualOptions struct {
	// Lang is the language of the instructions: "fi", "sv" or "en"
	// (ManualLanguages); empty means "fi".
	Lang string
	// System, Vendor and Version describe the operator's system in the
	// answer to describe.
	System, Vendor, Version string
	// Actions are the actions the operator's system supports, for
	// describe; nil means every action of protocol version 1.
	Actions []Action
	// Out receives the instructions; nil discards them.
	Out io.Writer
	// In is where the operator answers, one line per action: "ok",
	// "unsupported [why]" or "failed [why]", optionally with identifiers
	// such as "setId=1.2.246.10... messageId=... caseId=...". Nil means
	// only Watch can answer.
	In io.Reader
	// Watch, when set, reports whether the archive has received the
	// message req should cause, with the identifiers found; the adapter
	// calls it every WatchInterval until it reports true or fails, and
	// answers ok without waiting for the operator. Calls never overlap,
	// and none is made after Do returns; Watch must return promptly when
	// ctx is done.
	Watch func(ctx context.Context, req Request) (*Result, bool, error)
	// WatchInterval is the pause between Watch calls; zero means
	// DefaultWatchInterval.
	WatchInterval time.Duration
	// Timeout bounds the wait for each action; zero means
	// DefaultManualTimeout. When it passes, Do fails with an error that
	// wraps ErrNoAnswer.
	Timeout time.Duration
}

// manualDriver is the manual adapter: see NewManual.
type manualDriver struct {
	opts   ManualOptions
	ins    *instructions
	insErr error

	// mu serialises Do: one operator does one action at a time.
	mu sync.Mutex
	// What earlier actions told about the harness's refs, to name
	// clients, cases and documents in later instructions.
	clients map[string]RegisterClientParams
	cases   map[string]caseMemo
	docs    map[string]docMemo
	// unanswered is true when the last action ended without an operator
	// line; lines read before the next instruction are then its late
	// answers and are ignored.
	unanswered bool

	readOnce sync.Once
	lines    chan operatorLine
	closed   bool // lines was closed: In ended
}

type caseMemo struct {
	name    string
	clients []string
	caseID  string
}

type docMemo struct {
	typ   string
	setID string
}

// operatorLine is one line the operator typed and when it was read.
type operatorLine struct {
	text string
	at   time.Time
}

var _ Driver = (*manualDriver)(nil)

// NewManual returns a Driver for a co-testing session with a human
// operator. For each action it prints an instruction in opts.Lang (the
// texts are data: instructions.yaml) and waits until the operator answers
// on opts.In or opts.Watch reports that the archive received the matching
// message, whichever comes first; after opts.Timeout it fails the action
// with an error wrapping ErrNoAnswer, e.g. "no answer from the operator
// and no matching message in the archive within 2m0s". It answers
// describe at once from opts, and unsupported to actions it has no
// instruction for.
//
// One goroutine reads opts.In line by line for the driver's lifetime; it
// ends when In reports EOF or an error.
func NewManual(opts ManualOptions) Driver {
	if opts.Lang == "" {
		opts.Lang = "fi"
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultManualTimeout
	}
	if opts.WatchInterval <= 0 {
		opts.WatchInterval = DefaultWatchInterval
	}
	ins, err := loadInstructions()
	return &manualDriver{
		opts: opts, ins: ins, insErr: err,
		clients: map[string]RegisterClientParams{},
		cases:   map[string]caseMemo{},
		docs:    map[string]docMemo{},
	}
}

// Do implements Driver.
func (d *manualDriver) Do(ctx context.Context, req Request) (*Answer, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, err := d.do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s request %q to the operator: %w", req.Action, req.ID, err)
	}
	return a, nil
}

func (d *manualDriver) do(ctx context.Context, req Request) (*Answer, error) {
	if d.insErr != nil {
		return nil, d.insErr
	}
	if !slices.Contains(ManualLanguages(), d.opts.Lang) {
		return nil, fmt.Errorf("no instructions in language %q (want one of %s)", d.opts.Lang, strings.Join(ManualLanguages(), ", "))
	}
	if !slices.Contains(Actions(), req.Action) {
		return Unsupported(req, fmt.Sprintf("the manual adapter has no instruction for action %q", req.Action)), nil
	}
	data, err := d.data(req)
	if err != nil {
		return nil, err
	}
	heading, err := d.ins.render(d.opts.Lang, "message/heading", data)
	if err != nil {
		return nil, err
	}
	text, err := d.ins.render(d.opts.Lang, "action/"+string(req.Action), data)
	if err != nil {
		return nil, err
	}
	if req.Action == ActionDescribe {
		if _, err := fmt.Fprintf(d.opts.Out, "\n== %s ==\n%s\n", heading, text); err != nil {
			return nil, fmt.Errorf("print instruction: %w", err)
		}
		return OK(req, Result{System: d.systemInfo()}), nil
	}
	hint, err := d.ins.render(d.opts.Lang, "message/hint", data)
	if err != nil {
		return nil, err
	}
	if _, err := fmt.Fprintf(d.opts.Out, "\n== %s ==\n%s\n\n%s\n", heading, text, hint); err != nil {
		return nil, fmt.Errorf("print instruction: %w", err)
	}
	a, byOperator, err := d.wait(ctx, req, time.Now())
	d.unanswered = !byOperator
	if err != nil {
		return nil, err
	}
	if a.Status == StatusOK {
		d.remember(req, a.Result)
	}
	return a, nil
}

// systemInfo is the describe answer.
func (d *manualDriver) systemInfo() *SystemInfo {
	info := &SystemInfo{Name: d.opts.System, Vendor: d.opts.Vendor, Version: d.opts.Version, Actions: d.opts.Actions}
	if info.Name == "" {
		info.Name = "system operated by hand"
	}
	if info.Actions == nil {
		info.Actions = Actions()
	}
	return info
}
