package reports

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestScreenshot shows report.html in headless Chromium through
// docs/screenshot.sh and checks that a non-empty PNG comes out. It is
// skipped when chromium is not on PATH (Debian: apt-get install chromium;
// CI installs it).
// To refresh the committed screenshot from a real run:
//
//	docs/screenshot.sh reports/report.html docs/report-screenshot.png
func TestScreenshot(t *testing.T) {
	browser := chromium(t)
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not on PATH")
	}
	dir := t.TempDir()
	report := filepath.Join(dir, HTMLFile)
	if err := Write(dir, fixtureRun()); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "report.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join("..", "docs", "screenshot.sh"), report, png, "1280,2000")
	cmd.Env = append(os.Environ(), "CHROMIUM="+browser)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot.sh: %v\n%s", err, out)
	}
	b, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 1000 || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("screenshot: got %d bytes starting %q, want a non-empty PNG", len(b), b[:min(8, len(b))])
	}
}
