package reports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/excerpt"
)

// MessagesDir is the folder, inside the report directory, that holds the
// messages a run's failures cite.
const MessagesDir = "messages"

// MessageSource gives message seq of the run's archive session as the
// archive received it (in the harness, the control API's message).
type MessageSource func(ctx context.Context, seq int) (excerpt.Message, error)

// WriteMessages writes every message run's failures cite (root causes,
// failed steps and their citations) into dir/messages, the frame as
// SEQ-frame.xml and the document as SEQ-document.xml, identity codes
// masked as excerpts mask them (excerpt.Masked), and records the files in
// run.Messages, so that the reports Write writes afterwards link them. It
// must run while the archive still gives the messages: an embedded archive
// stops with the run. A message the archive no longer gives is left out
// (its excerpt and finding still say what is wrong); the errors are
// returned joined after every message was tried.
func WriteMessages(ctx context.Context, dir string, run *yhteistestaus.Run, get MessageSource) error {
	seqs := citedMessages(run)
	if len(seqs) == 0 {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(dir, MessagesDir), 0o755); err != nil {
		return fmt.Errorf("write messages: %w", err)
	}
	var errs []error
	run.Messages = run.Messages[:0]
	for _, seq := range seqs {
		msg, err := get(ctx, seq)
		if err != nil {
			errs = append(errs, fmt.Errorf("message %d: %w", seq, err))
			continue
		}
		saved := yhteistestaus.SavedMessage{Seq: seq}
		for _, p := range []struct {
			data []byte
			name string
			file *string
		}{{msg.Frame, "frame", &saved.Frame}, {msg.Document, "document", &saved.Document}} {
			if len(p.data) == 0 {
				continue
			}
			rel := path.Join(MessagesDir, strconv.Itoa(seq)+"-"+p.name+".xml")
			if err := writeFile(filepath.Join(dir, filepath.FromSlash(rel)), nil, func(w io.Writer, _ *yhteistestaus.Run) error {
				_, err := w.Write(excerpt.Masked(p.data))
				return err
			}); err != nil {
				errs = append(errs, fmt.Errorf("message %d %s: %w", seq, p.name, err))
				continue
			}
			*p.file = rel
		}
		if saved.Frame != "" || saved.Document != "" {
			run.Messages = append(run.Messages, saved)
		}
	}
	return errors.Join(errs...)
}

// citedMessages returns the sequence numbers of the messages run's
// failures cite, in ascending order.
func citedMessages(run *yhteistestaus.Run) []int {
	var seqs []int
	add := func(seq int) {
		if seq > 0 && !slices.Contains(seqs, seq) {
			seqs = append(seqs, seq)
		}
	}
	for _, rc := range run.RootCauses {
		add(rc.MessageSeq)
	}
	for _, sc := range run.Scenarios {
		for _, st := range sc.Steps {
			add(st.MessageSeq)
			for _, c := range st.Citations {
				add(c.MessageSeq)
			}
		}
	}
	slices.Sort(seqs)
	return seqs
}

// savedMessage returns the files of message seq written beside the
// reports, nil when none was.
func savedMessage(run *yhteistestaus.Run, seq int) *yhteistestaus.SavedMessage {
	for i := range run.Messages {
		if run.Messages[i].Seq == seq {
			return &run.Messages[i]
		}
	}
	return nil
}
