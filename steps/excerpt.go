package steps

import (
	"context"
	"slices"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/excerpt"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
)

// maxCitations bounds the excerpts one failed step carries.
const maxCitations = 8

// cite fills e's citations from the messages its findings are on: for each
// rule e's findings name, the fragment at the finding's location of
// the first message it is on, as the archive received that message (the
// control API gives the frame and the document), identity codes masked. A
// message the archive no longer gives, or a location no part of it holds,
// leaves that rule without an excerpt: the finding still says what is
// wrong.
func (w *World) cite(ctx context.Context, e *StepError, msgs []*api.Exchange) *StepError {
	if w.suite == nil || w.suite.Archive == nil {
		return e
	}
	received := make(map[int]*excerpt.Received)
	cited := make(map[string]bool)
	for _, m := range msgs {
		for _, f := range m.Findings {
			if cited[f.Rule] || f.Location == "" || len(e.Citations) >= maxCitations || !slices.Contains(e.Findings, f) {
				continue
			}
			msg, ok := received[m.Seq]
			if !ok {
				// Each message is fetched and read once.
				var parts excerpt.Message
				if full, err := w.suite.Archive.Message(ctx, m.Seq); err == nil {
					parts = excerpt.Message{Frame: []byte(full.FrameXML), Document: []byte(full.DocumentXML)}
				}
				msg = excerpt.Read(parts)
				received[m.Seq] = msg
			}
			text, err := msg.At(f.Location)
			if err != nil {
				continue
			}
			cited[f.Rule] = true
			e.Citations = append(e.Citations, yhteistestaus.Citation{Rule: f.Rule, Location: f.Location, MessageSeq: m.Seq, Excerpt: text})
		}
	}
	// The step's own excerpt is that of its first finding that has one.
	for _, f := range e.Findings {
		for _, c := range e.Citations {
			if c.Rule == f.Rule && e.Excerpt == "" {
				e.Excerpt, e.MessageSeq = c.Excerpt, c.MessageSeq
			}
		}
	}
	return e
}
