package reports

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chromium returns the headless browser the browser tests use, or skips
// the test when there is none (Debian: apt-get install chromium; CI
// installs it).
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	for _, b := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if b == "" {
			continue
		}
		if p, err := exec.LookPath(b); err == nil {
			return p
		}
	}
	t.Skip("no chromium on PATH (apt-get install chromium)")
	return ""
}

// dumpDOM loads url in headless Chromium and returns the document as the
// page's script left it.
func dumpDOM(t *testing.T, browser, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--dump-dom", url)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s --dump-dom %s: %v", browser, url, err)
	}
	return string(out)
}

// rowTag matches the start tag of a requirement row in a dumped DOM.
var rowTag = regexp.MustCompile(`<tr [^>]*id="req-([^"]+)"[^>]*>`)

// TestReportFilterInChromium opens report.html in headless Chromium with
// a filter in the address (#status=…, #area=…, #q=…), the way a tile
// click leaves it, and checks that the script shows exactly the
// requirements the filter selects.
func TestReportFilterInChromium(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	if err := Write(dir, fixtureRun()); err != nil {
		t.Fatal(err)
	}
	page := "file://" + filepath.Join(dir, HTMLFile)
	tests := []struct {
		hash  string
		shown []string
		count string
	}{
		{"", []string{"REQ-CR-001", "REQ-CR-003", "REQ-CR-004", "REQ-MK-014", "REQ-SRV-004", "REQ-CP-009", "REQ-SRH-010", "REQ-SRV-044", "REQ-SRV-052", "REQ-SRV-094"}, "10 of 10 requirements shown"},
		{"#status=failed", []string{"REQ-MK-014"}, "1 of 10 requirements shown"},
		{"#area=access-security-logging", []string{"REQ-SRV-044", "REQ-SRV-052"}, "2 of 10 requirements shown"},
		{"#status=passed&q=end%20of", []string{"REQ-CR-004"}, "1 of 10 requirements shown"},
	}
	for _, tt := range tests {
		name := tt.hash
		if name == "" {
			name = "no filter"
		}
		t.Run(name, func(t *testing.T) {
			dom := dumpDOM(t, browser, page+tt.hash)
			if !strings.Contains(dom, `id="req-controls"`) || regexp.MustCompile(`<form[^>]*id="req-controls"[^>]*hidden`).MatchString(dom) {
				t.Error("the script did not show the filter controls")
			}
			var shown []string
			for _, m := range rowTag.FindAllStringSubmatch(dom, -1) {
				if !strings.Contains(m[0], " hidden") {
					shown = append(shown, m[1])
				}
			}
			slices.Sort(shown)
			want := slices.Sorted(slices.Values(tt.shown))
			if !slices.Equal(shown, want) {
				t.Errorf("rows shown %v, want %v", shown, want)
			}
			if !strings.Contains(dom, tt.count) {
				t.Errorf("the count does not say %q", tt.count)
			}
		})
	}
}

// TestFirstRootCauseOnFirstScreen lays report.html out in headless
// Chromium at 1280×800 and checks that the first root cause card starts
// within that first screen. A test page beside the report frames it and
// writes where the card is into its own document, which --dump-dom
// shows.
func TestFirstRootCauseOnFirstScreen(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	if err := Write(dir, fixtureRun()); err != nil {
		t.Fatal(err)
	}
	const probe = `<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="report.html" style="border:0;width:1280px;height:800px"></iframe>
<script>
document.getElementById("f").addEventListener("load", function () {
  var d = this.contentDocument, c = d && d.querySelector(".cause");
  document.body.setAttribute("data-top", c ? Math.round(c.getBoundingClientRect().top) : -1);
  document.body.setAttribute("data-height", c ? Math.round(c.getBoundingClientRect().height) : -1);
});
</script></body></html>`
	if err := os.WriteFile(filepath.Join(dir, "probe.html"), []byte(probe), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--allow-file-access-from-files", "--window-size=1280,800",
		"--user-data-dir="+t.TempDir(), "--dump-dom", "file://"+filepath.Join(dir, "probe.html")).Output()
	if err != nil {
		t.Fatalf("%s --dump-dom: %v", browser, err)
	}
	m := regexp.MustCompile(`data-top="(-?\d+)"`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("the probe page measured nothing:\n%.400s", out)
	}
	top, _ := strconv.Atoi(m[1])
	t.Logf("first root cause card at y=%d", top)
	if top < 0 || top > 800-120 {
		t.Errorf("the first root cause card starts at y=%d; want it on the first 800 px screen, with room to read it", top)
	}
}
