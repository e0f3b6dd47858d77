// Package reports writes the conformance reports of a run: a self-contained
// HTML report (report.html), JUnit XML for CI servers (junit.xml), Cucumber
// JSON for cucumber report tools (cucumber.json), the run itself as JSON
// (results.json) and the requirement traceability matrix
// (traceability.csv).
//
// Every writer reads only the [yhteistestaus.Run] it is given, so its output
// is the same for the same Run: no clock, no map iteration order, no
// environment.
//
// Typical use, after a run:
//
//	if err := reports.Write("reports", run); err != nil {
//		return fmt.Errorf("write reports: %w", err)
//	}
package reports

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/yhteistestaus/yhteistestaus"
)

// The names of the report files Write creates.
const (
	HTMLFile         = "report.html"
	JUnitFile        = "junit.xml"
	CucumberFile     = "cucumber.json"
	ResultsFile      = "results.json"
	TraceabilityFile = "traceability.csv"
)

// Files returns the names of the report files Write creates, in the order
// it writes them.
func Files() []string {
	return []string{HTMLFile, JUnitFile, CucumberFile, ResultsFile, TraceabilityFile}
}

// encoder writes one report format.
type encoder func(io.Writer, *yhteistestaus.Run) error

// encoders maps each report file to its writer, in the order of Files.
func encoders() []struct {
	name string
	enc  encoder
} {
	return []struct {
		name string
		enc  encoder
	}{
		{HTMLFile, WriteHTML},
		{JUnitFile, WriteJUnit},
		{CucumberFile, WriteCucumber},
		{ResultsFile, WriteResults},
		{TraceabilityFile, WriteTraceability},
	}
}

// Write writes every report file of run into dir, creating dir if needed.
// Each file is written to a temporary file in dir and renamed into place,
// so a reader never sees a half-written report. Write tries every file even
// when one fails and returns all the errors joined.
func Write(dir string, run *yhteistestaus.Run) error {
	if run == nil {
		return errors.New("write reports: nil run")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write reports: %w", err)
	}
	var errs []error
	for _, e := range encoders() {
		if err := writeFile(filepath.Join(dir, e.name), run, e.enc); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", e.name, err))
		}
	}
	return errors.Join(errs...)
}

// writeFile writes one report atomically: temporary file, then rename.
func writeFile(path string, run *yhteistestaus.Run, enc encoder) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriter(f)
	err = enc(bw, run)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close: %w", cerr)
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
