package sut

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// watchResult is what the Watch goroutine reports.
type watchResult struct {
	res *Result
	err error
}

// wait waits for the operator's line, the archive watch, the timeout or
// ctx; byOperator tells whether an operator line decided.
func (d *manualDriver) wait(ctx context.Context, req Request, promptAt time.Time) (a *Answer, byOperator bool, err error) {
	var discardBefore time.Time
	if d.unanswered {
		discardBefore = promptAt
	}
	lines := d.operatorLines()
	if lines == nil && d.opts.Watch == nil {
		if d.closed {
			return nil, false, fmt.Errorf("%w: the operator's input ended", ErrNoAnswer)
		}
		return nil, false, fmt.Errorf("%w: no operator input and no archive watch", ErrNoAnswer)
	}

	var watched chan watchResult
	if d.opts.Watch != nil {
		watched = make(chan watchResult, 1)
		wctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.watch(wctx, req, watched)
		}()
		defer wg.Wait()
		defer cancel()
	}
	timer := time.NewTimer(d.opts.Timeout)
	defer timer.Stop()

	say := func(name string, data any) {
		if s, err := d.ins.render(d.opts.Lang, "message/"+name, data); err == nil {
			_, _ = fmt.Fprintln(d.opts.Out, s)
		}
	}
	noAnswer := func() error {
		if d.opts.Watch != nil {
			return fmt.Errorf("%w and no matching message in the archive", ErrNoAnswer)
		}
		return ErrNoAnswer
	}
	for {
		select {
		case <-ctx.Done():
			return nil, false, fmt.Errorf("%w before the step's deadline: %w", noAnswer(), context.Cause(ctx))
		case <-timer.C:
			return nil, false, fmt.Errorf("%w within %s", noAnswer(), d.opts.Timeout)
		case w := <-watched:
			if w.err != nil {
				return nil, false, fmt.Errorf("watch the archive: %w", w.err)
			}
			say("arrived", nil)
			res := Result{}
			if w.res != nil {
				res = *w.res
			}
			a := OK(req, res)
			a.Message = "the archive received the matching message"
			return a, false, nil
		case l, ok := <-lines:
			if !ok {
				d.closed, lines = true, nil
				if d.opts.Watch == nil {
					return nil, false, fmt.Errorf("%w: the operator's input ended", ErrNoAnswer)
				}
				say("input-closed", nil)
				continue
			}
			text := strings.TrimSpace(l.text)
			view := struct{ Line string }{strconv.Quote(text)}
			switch {
			case text == "":
				continue
			case l.at.Before(discardBefore):
				say("ignored", view)
				continue
			}
			a, ok := parseOperatorLine(req, text)
			if !ok {
				say("not-understood", view)
				continue
			}
			say("recorded", view)
			return a, true, nil
		}
	}
}

// watch calls Watch until it reports the message or fails, pausing
// WatchInterval between calls, and sends the outcome unless ctx ended.
func (d *manualDriver) watch(ctx context.Context, req Request, out chan<- watchResult) {
	for {
		res, found, err := d.opts.Watch(ctx, req)
		if ctx.Err() != nil {
			return
		}
		if err != nil || found {
			out <- watchResult{res: res, err: err}
			return
		}
		t := time.NewTimer(d.opts.WatchInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// operatorLines returns the channel of operator lines, starting the
// reader on first use; nil when there is no input or it has ended.
func (d *manualDriver) operatorLines() <-chan operatorLine {
	if d.opts.In == nil || d.closed {
		return nil
	}
	d.readOnce.Do(func() {
		d.lines = make(chan operatorLine)
		go func() {
			defer close(d.lines)
			sc := bufio.NewScanner(d.opts.In)
			sc.Buffer(make([]byte, 0, 4096), maxOperatorLine)
			for sc.Scan() {
				d.lines <- operatorLine{text: sc.Text(), at: time.Now()}
			}
		}()
	})
	return d.lines
}

// parseOperatorLine reads an operator's answer: a status word (ok,
// unsupported, failed; any case) followed by free text and identifiers
// written key=value: messageId (repeatable), documentId, setId, version,
// caseId, hetu, tempId and found (a document id a search found,
// repeatable). Other words make the answer's message.
func parseOperatorLine(req Request, line string) (*Answer, bool) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil, false
	}
	var status AnswerStatus
	switch strings.ToLower(fields[0]) {
	case "ok":
		status = StatusOK
	case "unsupported":
		status = StatusUnsupported
	case "failed":
		status = StatusFailed
	default:
		return nil, false
	}
	var (
		res    Result
		doc    DocumentRef
		client ClientIDs
		words  []string
	)
	for _, f := range fields[1:] {
		k, v, found := strings.Cut(f, "=")
		if !found || v == "" {
			words = append(words, f)
			continue
		}
		switch strings.ToLower(k) {
		case "messageid":
			res.MessageIDs = append(res.MessageIDs, v)
		case "documentid":
			doc.DocumentID = v
		case "setid":
			doc.SetID = v
		case "version":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				words = append(words, f)
				continue
			}
			doc.Version = n
		case "caseid":
			res.CaseID = v
		case "hetu":
			client.Hetu = v
		case "tempid":
			client.TempID = v
		case "found":
			res.Found = append(res.Found, DocumentRef{DocumentID: v})
		default:
			words = append(words, f)
		}
	}
	if doc != (DocumentRef{}) {
		doc.Ref = docRefOf(req)
		res.Documents = []DocumentRef{doc}
	}
	if req.Action == ActionRegisterClient && status == StatusOK {
		var p RegisterClientParams
		if req.DecodeParams(&p) == nil {
			client.Ref = p.Ref
			if client.Hetu == "" {
				client.Hetu = p.Hetu
			}
		}
		res.Client = &client
	}
	return &Answer{Protocol: Protocol, ID: req.ID, Status: status, Message: strings.Join(words, " "), Result: res}, true
}
