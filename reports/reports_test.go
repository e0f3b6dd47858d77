package reports

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenDir holds the reports of fixtureRun, one file per format.
const goldenDir = "testdata/golden"

func TestGolden(t *testing.T) {
	run := fixtureRun()
	for _, e := range encoders() {
		t.Run(e.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := e.enc(&buf, run); err != nil {
				t.Fatalf("encode: %v", err)
			}
			golden := filepath.Join(goldenDir, e.name)
			if *update {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden file (run go test -update to create it): %v", err)
			}
			if got := buf.Bytes(); !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run go test -update if the change is intended)\n%s",
					e.name, golden, firstDiff(got, want))
			}
		})
	}
}

// firstDiff shows where two outputs start to differ.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	clip := func(b []byte) []byte {
		lo, hi := max(0, i-80), min(len(b), i+80)
		return b[lo:hi]
	}
	return "at byte " + strconv.Itoa(i) + ":\ngot:  …" + string(clip(got)) + "…\nwant: …" + string(clip(want)) + "…"
}

func TestOutputIsDeterministic(t *testing.T) {
	for _, e := range encoders() {
		t.Run(e.name, func(t *testing.T) {
			var first bytes.Buffer
			if err := e.enc(&first, fixtureRun()); err != nil {
				t.Fatal(err)
			}
			// Map iteration order differs between runs; twenty renders of
			// the profile names and the summary would show a dependence.
			for range 20 {
				var again bytes.Buffer
				if err := e.enc(&again, fixtureRun()); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(first.Bytes(), again.Bytes()) {
					t.Fatalf("two renders of the same run differ:\n%s", firstDiff(again.Bytes(), first.Bytes()))
				}
			}
		})
	}
}

func TestWriteCreatesEveryFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "reports")
	run := fixtureRun()
	if err := Write(dir, run); err != nil {
		t.Fatalf("Write: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := Files()
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("files in %s: got %v, want %v (no temporary files left)", dir, names, want)
	}
	for _, e := range encoders() {
		var buf bytes.Buffer
		if err := e.enc(&buf, run); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, e.name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, buf.Bytes()) {
			t.Errorf("%s: file content differs from the %s encoder's output", e.name, e.name)
		}
		info, err := os.Stat(filepath.Join(dir, e.name))
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o644 {
			t.Errorf("%s: got mode %v, want 0644", e.name, perm)
		}
	}
	// Writing again replaces the files.
	run.Profile = "vaihe2-hakeva"
	if err := Write(dir, run); err != nil {
		t.Fatalf("second Write: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"profile": "vaihe2-hakeva"`)) {
		t.Errorf("second Write did not replace %s", ResultsFile)
	}
}

func TestWriteErrors(t *testing.T) {
	t.Run("nil run", func(t *testing.T) {
		if err := Write(t.TempDir(), nil); err == nil {
			t.Error("Write(dir, nil): got nil error, want one")
		}
	})
	t.Run("directory is a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "reports")
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := Write(file, fixtureRun()); err == nil {
			t.Error("Write into a path that is a file: got nil error, want one")
		}
	})
	t.Run("report name taken by a directory", func(t *testing.T) {
		dir := t.TempDir()
		for _, name := range []string{HTMLFile, TraceabilityFile} {
			if err := os.MkdirAll(filepath.Join(dir, name, "x"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		err := Write(dir, fixtureRun())
		if err == nil {
			t.Fatal("got nil error, want one per blocked file")
		}
		for _, name := range []string{HTMLFile, TraceabilityFile} {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name %s", err, name)
			}
		}
		// The other files are still written.
		if _, err := os.Stat(filepath.Join(dir, JUnitFile)); err != nil {
			t.Errorf("junit.xml not written next to the failures: %v", err)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !slices.Contains(Files(), e.Name()) {
				t.Errorf("leftover file %s", e.Name())
			}
		}
	})
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestEncodersReportWriteErrors(t *testing.T) {
	for _, e := range encoders() {
		if err := e.enc(failingWriter{}, fixtureRun()); err == nil {
			t.Errorf("%s: writing to a failing writer: got nil error, want one", e.name)
		}
		if err := e.enc(io.Discard, nil); err == nil {
			t.Errorf("%s: nil run: got nil error, want one", e.name)
		}
	}
}

func TestEmptyRun(t *testing.T) {
	for _, e := range encoders() {
		if err := e.enc(io.Discard, &yhteistestaus.Run{}); err != nil {
			t.Errorf("%s: empty run: %v", e.name, err)
		}
	}
}

func TestFiles(t *testing.T) {
	want := []string{"report.html", "junit.xml", "cucumber.json", "results.json", "traceability.csv"}
	if got := Files(); !slices.Equal(got, want) {
		t.Errorf("Files() = %v, want %v", got, want)
	}
	Files()[0] = "changed"
	if got := Files(); got[0] != "report.html" {
		t.Errorf("Files() shares its slice: got %q after a caller changed it", got[0])
	}
}
