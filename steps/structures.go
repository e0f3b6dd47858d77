package steps

import (
	"context"
	"fmt"
)

// NotTestableError is returned by a precondition step that the run does
// not meet, so that the scenario cannot test what it is about: the
// scenario and its requirements count as not tested, with Reason, neither
// passed nor failed, and the verdict does not count them.
type NotTestableError struct {
	// Reason says what the run lacks and how to give it, in one line.
	Reason string
}

// Error returns the reason.
func (e *NotTestableError) Error() string { return e.Reason }

// reasonFallbackStructures is why a scenario that needs THL's structures
// is not tested on an archive with only the embedded fallback schemas.
const reasonFallbackStructures = "the archive has only the embedded fallback structures: run with --sosmeta DIR"

// judgesWithSosmeta is the precondition of the scenarios about a
// structure's status and unknown structures (BODY-STRUCTURE-STATUS,
// BODY-STRUCTURE-UNSUPPORTED): only THL's Sosmeta structures carry a
// status, so with the embedded fallback schemas those rules cannot fire
// and an accepted message proves nothing.
func (w *World) judgesWithSosmeta(ctx context.Context) error {
	st, err := w.suite.Archive.Structures(ctx)
	if err != nil {
		return fmt.Errorf("ask the archive which structures it judges with: %w", err)
	}
	if !st.Sosmeta {
		return &NotTestableError{Reason: reasonFallbackStructures}
	}
	return nil
}
