package sut

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Size limits of the transports. An answer carries identifiers, not
// documents, so a few megabytes are plenty; anything bigger is a broken
// adapter, and reading it whole would only waste memory.
const (
	// MaxAnswerBytes is the largest answer the HTTP and exec adapters read.
	MaxAnswerBytes = 4 << 20
	// MaxRequestBytes is the largest request Handler reads.
	MaxRequestBytes = 1 << 20
)

// snippetBytes is how much of an unexpected body or of a command's
// standard error an error message quotes.
const snippetBytes = 2048

// errorBody is the JSON an adapter sends with a non-200 HTTP status, and
// what Handler sends: {"protocol": "...", "error": "..."}.
type errorBody struct {
	Protocol string `json:"protocol,omitempty"`
	Error    string `json:"error"`
}

// withTimeout returns req with TimeoutMs filled from ctx's deadline when
// the caller left it zero.
func withTimeout(ctx context.Context, req Request) Request {
	if req.TimeoutMs != 0 {
		return req
	}
	if dl, ok := ctx.Deadline(); ok {
		if ms := time.Until(dl).Milliseconds(); ms > 0 {
			req.TimeoutMs = ms
		} else {
			req.TimeoutMs = 1
		}
	}
	return req
}

// decodeAnswer reads one Answer from r: exactly one JSON value, optionally
// surrounded by white space, at most limit bytes. Fields the harness does
// not know are ignored (a newer system may send them); CheckAnswer checks
// the rest.
func decodeAnswer(r io.Reader, limit int64) (*Answer, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: answer larger than %d bytes", ErrProtocol, limit)
	}
	return unmarshalAnswer(data)
}

// unmarshalAnswer decodes an answer held in memory; see decodeAnswer.
func unmarshalAnswer(data []byte) (*Answer, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: empty answer, want one JSON object", ErrProtocol)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var a *Answer
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("%w: answer is not JSON: %v (begins %s)", ErrProtocol, err, snippet(data))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the answer's JSON object (one answer only, logs go to standard error)", ErrProtocol)
	}
	return a, nil
}

// snippet quotes the start of b for an error message; see clean.
func snippet(b []byte) string { return fmt.Sprintf("%q", clean(b)) }

// clean returns the start of b fit for a one-line error message: valid
// UTF-8, white space collapsed, at most snippetBytes.
func clean(b []byte) string {
	truncated := false
	if len(b) > snippetBytes {
		b, truncated = b[:snippetBytes], true
	}
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "\uFFFD")), " ")
	if truncated {
		s += " …"
	}
	return s
}

// tailBuffer keeps the last max bytes written to it: a command's standard
// error, of which the end usually says what went wrong.
type tailBuffer struct {
	max int
	buf []byte
	cut bool
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
		t.cut = true
	}
	return n, nil
}

// String returns the tail, trimmed, marked when earlier output was cut.
func (t *tailBuffer) String() string {
	s := strings.TrimSpace(strings.ToValidUTF8(string(t.buf), "\uFFFD"))
	if t.cut {
		s = "… " + s
	}
	return s
}

// limitBuffer collects up to max bytes; one byte more and it calls
// overflow once and refuses further writes.
type limitBuffer struct {
	max      int
	buf      bytes.Buffer
	over     bool
	overflow func()
}

func (l *limitBuffer) Write(p []byte) (int, error) {
	if l.over {
		return 0, errAnswerTooLarge
	}
	if l.buf.Len()+len(p) > l.max {
		l.over = true
		if l.overflow != nil {
			l.overflow()
		}
		return 0, errAnswerTooLarge
	}
	return l.buf.Write(p)
}

var errAnswerTooLarge = errors.New("answer too large")
