package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
)

// The content checks: read the archived document itself.

// messageDocument fetches the CDA document a received message carried and
// parses it.
func (w *World) messageDocument(ctx context.Context, seq int) (*message.Document, error) {
	m, err := w.suite.Archive.Message(ctx, seq)
	if err != nil {
		return nil, fmt.Errorf("read message %d: %w", seq, err)
	}
	if m.DocumentXML == "" {
		return nil, fmt.Errorf("message %s carried no document", m.MessageID)
	}
	x, err := message.ParseXML([]byte(m.DocumentXML), message.DefaultLimits())
	if err != nil {
		return nil, fmt.Errorf("message %s: %w", m.MessageID, err)
	}
	d, err := message.ParseDocument(x)
	if err != nil {
		return nil, fmt.Errorf("message %s: %w", m.MessageID, err)
	}
	return d, nil
}

// archivedDocument is the CDA document of the latest archived version of a
// scenario document.
func (w *World) archivedDocument(ctx context.Context, name string) (*message.Document, error) {
	r, err := w.latest(ctx, name)
	if err != nil {
		return nil, err
	}
	ms, err := w.suite.Archive.Messages(ctx, control.MessageFilter{MessageID: r.MessageID})
	if err != nil {
		return nil, fmt.Errorf("read the archive's messages: %w", err)
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("the archive has no message %s for %q", r.MessageID, name)
	}
	return w.messageDocument(ctx, ms[len(ms)-1].Seq)
}

func (w *World) correctionData(ctx context.Context) error {
	o, err := w.lastMessage()
	if err != nil {
		return err
	}
	d, err := w.messageDocument(ctx, o.messages[len(o.messages)-1].Seq)
	if err != nil {
		return err
	}
	var missing []string
	if d.Header == nil || d.Header.ReasonOfCorrection.Code == "" {
		missing = append(missing, "the reason of correction (localSocialHeader/reasonOfCorrection)")
	}
	if d.Header == nil || strings.TrimSpace(d.Header.Description.Value) == "" {
		missing = append(missing, "the corrector's job title (localSocialHeader/description)")
	}
	if !slices.ContainsFunc(d.Authors, func(p message.Person) bool { return p.Family != "" }) {
		missing = append(missing, "the corrector's name (author)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("the last message's document lacks %s", strings.Join(missing, ", "))
	}
	return nil
}

func (w *World) inRegister(ctx context.Context, name, register string) error {
	r, err := w.latest(ctx, name)
	if err != nil {
		return err
	}
	if r.Register != register {
		return fmt.Errorf("the archive holds %q in register %q, want %q", name, r.Register, register)
	}
	return nil
}

func (w *World) noRestriction(ctx context.Context, name string) error {
	r, err := w.latest(ctx, name)
	if err != nil {
		return err
	}
	if !r.DelayUntil.IsZero() || len(r.RestrictionGrounds) > 0 {
		return fmt.Errorf("the archive holds %q with a MittKanta delay until %s and restriction grounds %v, want none",
			name, r.DelayUntil.Format(time.DateOnly), r.RestrictionGrounds)
	}
	return nil
}

func (w *World) namesServiceTask(ctx context.Context, name, task string) error {
	if _, ok := w.docs[name]; !ok {
		if _, ok := w.clients[name]; ok {
			name = "crd:" + name
		}
	}
	d, err := w.archivedDocument(ctx, name)
	if err != nil {
		return err
	}
	if d.Body.JSON == nil {
		return fmt.Errorf("the archive's latest version of %q has no structured content", name)
	}
	got, err := serviceTasks(d.Body.JSON)
	if err != nil {
		return fmt.Errorf("the structured content of %q: %w", name, err)
	}
	if !slices.Contains(got, task) {
		return fmt.Errorf("the structured content of %q names service tasks %v, want %q among them", name, got, task)
	}
	return nil
}

// serviceTasks returns the codes of every service task (palvelutehtava)
// named in a structured (JSON) document, in order of appearance.
func serviceTasks(doc []byte) ([]string, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("parse JSON: %w", err)
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if t, ok := x["palvelutehtava"].(map[string]any); ok {
				if c, ok := t["code"].(string); ok && !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out, nil
}
