package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/bundle"
)

// A run's evidence bundle verifies; a bundle changed after the run, in any
// of the ways a manifest can catch, does not, and the command names the
// change.
func TestRunBundleVerifies(t *testing.T) {
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "evidence", "run.zip")
	status, out, errs := run(t, "run", "--profile", "vaihe2-kasittely", "--tags", "@area:case-management",
		"--out", filepath.Join(dir, "reports"), "--bundle", zipPath)
	if status == exitUsage {
		t.Fatalf("run: %d\n%s\n%s", status, out, errs)
	}
	status, out, errs = run(t, "bundle", "verify", zipPath)
	if status != exitOK || !strings.Contains(out, "verifies") {
		t.Fatalf("bundle verify of the run's bundle: %d\n%s\n%s", status, out, errs)
	}
	data, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string][]byte{}
	var order []string
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		names[zf.Name] = b
		order = append(order, zf.Name)
	}
	for _, want := range []string{bundle.ManifestFile, "configuration.json", "messages.json", "reports/report.html", "reports/junit.xml",
		"reports/results.json", "reports/cucumber.json", "reports/traceability.csv",
		"messages/000001/frame.xml", "messages/000001/document.xml", "messages/000001/acknowledgement.xml", "messages/000001/findings.json"} {
		if _, ok := names[want]; !ok {
			t.Errorf("the run's bundle has no %s", want)
		}
	}
	if !bytes.Contains(names["messages/000001/acknowledgement.xml"], []byte("MCCI_IN000002UV01")) {
		t.Errorf("the first acknowledgement is not an MCCI_IN000002UV01:\n%.300s", names["messages/000001/acknowledgement.xml"])
	}
	var cfg runConfiguration
	if err := json.Unmarshal(names["configuration.json"], &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Profile != "vaihe2-kasittely" || cfg.SUT != "reference" || cfg.Archive != "embedded" || cfg.Flags["bundle"] != zipPath || cfg.Build.GoVersion == "" || cfg.Codes != "bundled" {
		t.Errorf("configuration = %+v", cfg)
	}
	// The reports in the bundle are those on disk.
	onDisk, _ := os.ReadFile(filepath.Join(dir, "reports", "junit.xml"))
	if !bytes.Equal(onDisk, names["reports/junit.xml"]) {
		t.Error("reports/junit.xml in the bundle differs from the file written")
	}

	write := func(edit func(name string, content []byte) (string, []byte, bool), extra string) string {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, n := range order {
			name, content, keep := edit(n, names[n])
			if !keep {
				continue
			}
			w, _ := zw.Create(name)
			w.Write(content)
		}
		if extra != "" {
			w, _ := zw.Create(extra)
			w.Write([]byte("x"))
		}
		zw.Close()
		p := filepath.Join(t.TempDir(), "changed.zip")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keep := func(name string, content []byte) (string, []byte, bool) { return name, content, true }
	tests := []struct {
		name, file, want string
	}{
		{"tampered acknowledgement", write(func(name string, content []byte) (string, []byte, bool) {
			if name == "messages/000001/acknowledgement.xml" {
				content = bytes.Replace(content, []byte("AA"), []byte("AE"), 1)
			}
			return name, content, true
		}, ""), "messages/000001/acknowledgement.xml: content differs from the manifest"},
		{"missing report", write(func(name string, content []byte) (string, []byte, bool) {
			return name, content, name != "reports/junit.xml"
		}, ""), "reports/junit.xml: listed in the manifest but missing from the bundle"},
		{"extra entry", write(keep, "messages/999999/frame.xml"), "messages/999999/frame.xml: in the bundle but not listed in the manifest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, _ := run(t, "bundle", "verify", tt.file)
			if status != exitInvalid || !strings.Contains(out, tt.want) {
				t.Errorf("bundle verify: %d %q, want 1 naming %q", status, out, tt.want)
			}
		})
	}
	if status, _, errs := run(t, "bundle", "verify", filepath.Join(dir, "no-such.zip")); status != exitUsage || !strings.Contains(errs, "no-such.zip") {
		t.Errorf("bundle verify of a missing file: %d %q, want 2", status, errs)
	}
	if status, _, _ := run(t, "bundle", "check", zipPath); status != exitUsage {
		t.Errorf("bundle check: %d, want 2", status)
	}
}
