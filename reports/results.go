package reports

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/yhteistestaus/yhteistestaus"
)

// WriteResults writes run as indented JSON (results.json). Fields appear in
// the order of the Go types and map keys sorted, so the output is stable;
// durations are milliseconds ("durationMs"). Characters such as < and & are written as they
// are, so excerpts of XML messages stay readable.
func WriteResults(w io.Writer, run *yhteistestaus.Run) error {
	if run == nil {
		return fmt.Errorf("results: nil run")
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(run); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}
