package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/datafile"
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
       yhteistestaus validate [--junit FILE] [--json FILE] [flags] DIR|PATTERN|FILE...

Validates an archiving frame and its CDA document, or one SOAP envelope, MIME
message or frame with the document inline, as the mock archive would. Exit
status: 0 no finding has severity error, 1 one does, 2 usage or I/O error.

Given folders, patterns or several files, validates every message found, in
parallel: SOAP captures, MIME files, frames with the document inline, and
frame/document pairs named as the public samples are (NAME_K.xml and
NAME_S.xml, NAME-frame.xml and NAME-document.xml). Folders are walked for
`+messageExtensions+` files. It prints each message with errors or unreadable,
then one summary line; exit status 0 every message is valid, 1 one has an
error, 2 one could not be read or none was found.`)
	framePath := fs.String("frame", "", "the archiving frame (RCMR_IN200002FI01) `file`")
	docPath := fs.String("document", "", "the CDA document `file`")
	format := fs.String("format", "text", "output `format`: text or json")
	orgFile := organisationFlag(fs.FlagSet)
	codesDir := codesFlag(fs.FlagSet)
	sosmetaDir := sosmetaFlag(fs.FlagSet)
	junitPath := fs.String("junit", "", "with folders or several files: also write a JUnit XML summary, one testcase per message, to `file`")
	jsonPath := fs.String("json", "", "with folders or several files: also write a JSON summary to `file`")
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
	if (*junitPath != "" || *jsonPath != "") && !batchArgs(rest) {
		return 0, fmt.Errorf("%w: validate: --junit and --json need folders, patterns or several files", errUsage)
	}
	maxBytes := v.Limits.WithDefaults().MaxBytes
	var res *rules.Result
	switch {
	case (*framePath == "" && *docPath == "") && batchArgs(rest):
		return m.validateBatch(ctx, v, rest, batchOptions{format: *format, junit: *junitPath, json: *jsonPath})
	case *framePath != "" || *docPath != "":
		if *framePath == "" || *docPath == "" || len(rest) > 0 {
			return 0, fmt.Errorf("%w: validate: give --frame and --document together, or one message FILE", errUsage)
		}
		frame, err := datafile.ReadFile(*framePath, maxBytes)
		if tl, ok := errors.AsType[*datafile.TooLargeError](err); ok {
			return m.report(*format, yhteistestaus.Findings{tooLargeFinding(v, tl)})
		}
		if err != nil {
			return 0, fmt.Errorf("read frame: %w", err)
		}
		document, err := datafile.ReadFile(*docPath, maxBytes)
		if tl, ok := errors.AsType[*datafile.TooLargeError](err); ok {
			return m.report(*format, yhteistestaus.Findings{tooLargeFinding(v, tl)})
		}
		if err != nil {
			return 0, fmt.Errorf("read document: %w", err)
		}
		res = v.Validate(ctx, frame, document)
	case len(rest) == 1:
		data, err := datafile.ReadFile(rest[0], maxBytes)
		if tl, ok := errors.AsType[*datafile.TooLargeError](err); ok {
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

// tooLargeFinding is the finding for a file over the limit, under the rule
// the SOAP endpoint's fault names for a body over it.
func tooLargeFinding(v *rules.Validator, e *datafile.TooLargeError) yhteistestaus.Finding {
	return v.Catalogue.Finding(wire.KindTooLarge.Rule(), "/", "%s", e.Error())
}
