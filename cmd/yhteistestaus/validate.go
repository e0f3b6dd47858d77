package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/simulator/rules"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// validateReport is the JSON output of validate.
type validateReport struct {
	Valid    bool                   `json:"valid"`
	Findings yhteistestaus.Findings `json:"findings"`
}

func (m *Main) validate(ctx context.Context, args []string) (int, error) {
	fs := newCommand("validate", `validate --frame FILE --document FILE [flags]
       yhteistestaus validate [flags] FILE

Validates an archiving frame and its CDA document, or one SOAP envelope, MIME
message or frame with the document inline, as the mock archive would. Exit
status: 0 no finding has severity error, 1 one does, 2 usage or I/O error.`)
	framePath := fs.String("frame", "", "the archiving frame (RCMR_IN200002FI01) `file`")
	docPath := fs.String("document", "", "the CDA document `file`")
	format := fs.String("format", "text", "output `format`: text or json")
	orgFile := organisationFlag(fs.FlagSet)
	codesDir := codesFlag(fs.FlagSet)
	sosmetaDir := sosmetaFlag(fs.FlagSet)
	rest, err := fs.parse(m.Stdout, args)
	if err != nil {
		return 0, err
	}
	if *format != "text" && *format != "json" {
		return 0, fmt.Errorf("%w: validate: --format must be text or json, not %q", errUsage, *format)
	}
	decl, err := loadOrganisations(*orgFile)
	if err != nil {
		return 0, err
	}
	cs, err := loadCodes(*codesDir, m.Stderr)
	if err != nil {
		return 0, err
	}
	if *format != "text" && *format != "json" {
		return 0, fmt.Errorf("%w: validate: --format must be text or json, not %q", errUsage, *format)
	}
	v, err := rules.NewValidator()
	if err != nil {
		return 0, err
	}
	v.Organisations = decl
	v.UseCodes(cs)
	if *sosmetaDir != "" {
		if v.Schemas, err = openStructures(*sosmetaDir); err != nil {
			return 0, err
		}
	}
	maxBytes := v.Limits.WithDefaults().MaxBytes
	var res *rules.Result
	switch {
	case *framePath != "" || *docPath != "":
		if *framePath == "" || *docPath == "" || len(rest) > 0 {
			return 0, fmt.Errorf("%w: validate: give --frame and --document together, or one message FILE", errUsage)
		}
		frame, err := readInput(*framePath, maxBytes)
		if tl, ok := errors.AsType[*tooLargeError](err); ok {
			return m.report(*format, yhteistestaus.Findings{tooLargeFinding(v, tl)})
		}
		if err != nil {
			return 0, fmt.Errorf("read frame: %w", err)
		}
		document, err := readInput(*docPath, maxBytes)
		if tl, ok := errors.AsType[*tooLargeError](err); ok {
			return m.report(*format, yhteistestaus.Findings{tooLargeFinding(v, tl)})
		}
		if err != nil {
			return 0, fmt.Errorf("read document: %w", err)
		}
		res = v.Validate(ctx, frame, document)
	case len(rest) == 1:
		data, err := readInput(rest[0], maxBytes)
		if tl, ok := errors.AsType[*tooLargeError](err); ok {
			return m.report(*format, yhteistestaus.Findings{tooLargeFinding(v, tl)})
		}
		if err != nil {
			return 0, fmt.Errorf("read message: %w", err)
		}
		msg, err := wire.ReadFile(data, v.Limits)
		if err != nil {
			// Not a message at all: report it as the finding it is, under
			// the rule the SOAP endpoint's fault names for the same input.
			f := v.Catalogue.Finding(wire.RuleOf(err), "/", "%s: %s", rest[0], wire.Reason(err))
			return m.report(*format, yhteistestaus.Findings{f})
		}
		// Parsed once: the validator takes the trees wire read.
		res = v.ValidateXML(ctx, msg.FrameXML, msg.DocumentXML, msg.Document)
	default:
		return 0, fmt.Errorf("%w: validate: give --frame and --document, or one message FILE", errUsage)
	}
	return m.report(*format, res.Findings)
}

func (m *Main) report(format string, fs yhteistestaus.Findings) (int, error) {
	status := exitOK
	if fs.HasErrors() {
		status = exitInvalid
	}
	if format == "json" {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(validateReport{Valid: status == exitOK, Findings: fs}); err != nil {
			return 0, fmt.Errorf("write report: %w", err)
		}
		return status, nil
	}
	for _, f := range fs {
		if _, err := fmt.Fprintf(m.Stdout, "%s\n    source: %s\n", f, f.Source); err != nil {
			return 0, fmt.Errorf("write report: %w", err)
		}
	}
	errs := len(fs.Errors())
	verdict := "valid"
	if errs > 0 {
		verdict = "INVALID"
	}
	fmt.Fprintf(m.Stdout, "%s: %d error(s), %d other finding(s)\n", verdict, errs, len(fs)-errs)
	return status, nil
}

// tooLargeError is readInput's error for a file over the size limit.
type tooLargeError struct {
	path string
	// size is the file's size, -1 when it is not a regular file whose size
	// is known before reading.
	size, limit int64
}

func (e *tooLargeError) Error() string {
	if e.size < 0 {
		return fmt.Sprintf("%s is larger than the limit of %d bytes", e.path, e.limit)
	}
	return fmt.Sprintf("%s is %d bytes, over the limit of %d", e.path, e.size, e.limit)
}

// tooLargeFinding is the finding for a file over the limit, under the rule
// the SOAP endpoint's fault names for a body over it.
func tooLargeFinding(v *rules.Validator, e *tooLargeError) yhteistestaus.Finding {
	return v.Catalogue.Finding(wire.KindTooLarge.Rule(), "/", "%s", e.Error())
}

// readInput reads the file at path, at most limit bytes: a regular file
// larger than that is refused from its size alone (os.Stat) before any of
// it is read, and any other file (a pipe, a device) is read only up to the
// limit. Either refusal is a *tooLargeError.
func readInput(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().IsRegular() && fi.Size() > limit {
		return nil, &tooLargeError{path: path, size: fi.Size(), limit: limit}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// A regular file's buffer is its size, plus the byte that shows it
	// grew past the limit meanwhile; anything else's grows as it is read.
	data := make([]byte, 0, min(max(fi.Size(), 512), limit)+1)
	lr := io.LimitReader(f, limit+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := lr.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(data)) > limit {
		return nil, &tooLargeError{path: path, size: -1, limit: limit}
	}
	return data, nil
}
