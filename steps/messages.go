package steps

import (
	"context"
	"errors"
	"fmt"

	"github.com/yhteistestaus/yhteistestaus"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// The message steps: check the messages the archive received for an
// action, and its findings on them.

func (w *World) lastOutcome() (*outcome, error) {
	if w.last == nil {
		return nil, errors.New("no action of the system yet in this scenario")
	}
	return w.last, nil
}

func (w *World) allAccepted(ctx context.Context) error {
	o, err := w.lastOutcome()
	if err != nil {
		return err
	}
	if len(o.messages) == 0 {
		return &NoMessageError{Action: o.action}
	}
	return w.check(ctx, o)
}

func (w *World) messageCount(n int) error {
	o, err := w.lastOutcome()
	if err != nil {
		return err
	}
	if len(o.messages) != n {
		return fmt.Errorf("%s sent %d message(s), want %d", o.action, len(o.messages), n)
	}
	return nil
}

func (w *World) lastMessage() (*outcome, error) {
	o, err := w.lastOutcome()
	if err != nil {
		return nil, err
	}
	if len(o.messages) == 0 {
		return nil, &NoMessageError{Action: o.action}
	}
	return o, nil
}

func (w *World) serviceRequest(want string) error {
	o, err := w.lastMessage()
	if err != nil {
		return err
	}
	if got := o.messages[len(o.messages)-1].ServiceRequest; got != want {
		return fmt.Errorf("the last message carried service request %q, want %q", got, want)
	}
	return nil
}

// operationOf maps a phrase of the operation step to the archive's
// operation.
func operationOf(phrase string) api.Operation {
	switch phrase {
	case "a new version":
		return api.OpNewVersion
	case "an annulment":
		return api.OpAnnul
	}
	return api.OpStore
}

func (w *World) operation(phrase string) error {
	o, err := w.lastMessage()
	if err != nil {
		return err
	}
	m := o.messages[len(o.messages)-1]
	if want := operationOf(phrase); m.Operation != want {
		return fmt.Errorf("the archive read the last message (%s, service request %q) as %q, want %q", m.MessageID, m.ServiceRequest, m.Operation, want)
	}
	return nil
}

func (w *World) usage(want string) error {
	o, err := w.lastMessage()
	if err != nil {
		return err
	}
	if got := o.messages[len(o.messages)-1].Usage; got != want {
		return fmt.Errorf("the last message carried usage situation %q, want %q", got, want)
	}
	return nil
}

func (w *World) noWarnings(ctx context.Context) error {
	o, err := w.lastMessage()
	if err != nil {
		return err
	}
	for _, m := range o.messages {
		var warned yhteistestaus.Findings
		for _, f := range m.Findings {
			if f.Severity >= yhteistestaus.SeverityWarning {
				warned = append(warned, f)
			}
		}
		if len(warned) > 0 {
			return w.cite(ctx, &StepError{Msg: fmt.Sprintf("message %s has %d warning or error finding(s)", m.MessageID, len(warned)), Findings: warned}, o.messages)
		}
	}
	return nil
}

func (w *World) refusedWithoutSending(ctx context.Context) error {
	o, err := w.lastOutcome()
	if err != nil {
		return err
	}
	if o.answer.Status == sut.StatusOK {
		return fmt.Errorf("%s: the system did it (answered ok); it should have refused", o.action)
	}
	if len(o.messages) > 0 {
		var findings yhteistestaus.Findings
		for _, m := range o.messages {
			findings = append(findings, m.Findings.Errors()...)
		}
		return w.cite(ctx, &StepError{
			Msg:      fmt.Sprintf("%s: the system sent %d message(s) to the archive instead of refusing on its own", o.action, len(o.messages)),
			Findings: findings,
		}, o.messages)
	}
	return nil
}

func (w *World) noneRejected(ctx context.Context) error {
	o, err := w.lastOutcome()
	if err != nil {
		return err
	}
	var findings yhteistestaus.Findings
	for _, m := range o.messages {
		if m.AckType != kanta.AckAccepted {
			findings = append(findings, m.Findings.Errors()...)
		}
	}
	if len(findings) > 0 {
		return w.cite(ctx, &StepError{Msg: fmt.Sprintf("%s: the archive rejected message(s) of the action", o.action), Findings: findings}, o.messages)
	}
	return nil
}

func (w *World) refused() error {
	o, err := w.lastOutcome()
	if err != nil {
		return err
	}
	if n := len(o.accepted()); n > 0 {
		return fmt.Errorf("%s: the archive accepted %d message(s) of the action (the system answered %s); it should have refused", o.action, n, o.answer.Status)
	}
	if o.answer.Status == sut.StatusOK {
		return fmt.Errorf("%s: the system answered ok; it should have refused", o.action)
	}
	return nil
}
