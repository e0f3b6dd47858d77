package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// capturedTraffic writes n messages into a folder the way a vendor's
// captured test traffic looks: SOAP captures (inline, SwA and MTOM, SOAP
// 1.1 and 1.2) and frame/document pairs named as the public samples are,
// over two day folders. Every 25th message from the 7th is not XML, from
// the 13th a pair whose document was re-indented after signing, from the
// 19th a capture cut short; two are links to files that do not exist. It
// returns the folder and the JUnit testcase names of the broken messages,
// with "unreadable" for those that cannot be read.
func capturedTraffic(t testing.TB, n int) (string, map[string]string) {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(samplePath(t, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	crFrame, crDoc := read("client-relation-frame.xml"), read("signature-restored/client-relation-document.xml")
	planFrame, planDoc, planReindented := read("plan-frame.xml"), read("signature-restored/plan-document.xml"), read("plan-document.xml")
	capture := func(version string, pkg wire.Packaging, frame, doc []byte) []byte {
		var body bytes.Buffer
		ct, err := wire.WriteRequest(&body, version, pkg, frame, doc)
		if err != nil {
			t.Fatal(err)
		}
		if pkg == wire.InlineBase64 {
			return body.Bytes()
		}
		return append([]byte("MIME-Version: 1.0\r\nContent-Type: "+ct+"\r\n\r\n"), body.Bytes()...)
	}
	root := t.TempDir()
	broken := make(map[string]string)
	write := func(name string, data []byte) string {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for i := range n {
		day := fmt.Sprintf("day%d", 1+i%2)
		base := filepath.Join(day, fmt.Sprintf("%04d", i))
		switch {
		case i == 500 || i == 501:
			p := filepath.Join(root, base+"-capture.xml")
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.Symlink(filepath.Join(root, "gone", base), p); err != nil {
				t.Fatal(err)
			}
			broken[p] = "unreadable"
		case i%25 == 7:
			broken[write(base+"-capture.xml", []byte("HTTP/1.1 502 Bad Gateway\r\n\r\nnot a message"))] = "invalid"
		case i%25 == 13:
			f, d := write(base+" plan K.xml", planFrame), write(base+" plan S.xml", planReindented)
			broken[f+" + "+d] = "invalid"
		case i%25 == 19:
			c := capture("1.1", wire.InlineBase64, crFrame, crDoc)
			broken[write(base+"-capture.xml", c[:len(c)/2])] = "invalid"
		case i%5 == 0:
			write(base+"-capture.xml", capture("1.1", wire.InlineBase64, crFrame, crDoc))
		case i%5 == 1:
			write(base+"-capture.eml", capture("1.2", wire.SwA, planFrame, planDoc))
		case i%5 == 2:
			write(base+"-capture.mime", capture("1.2", wire.MTOM, crFrame, crDoc))
		case i%5 == 3:
			write(base+"_K.xml", crFrame)
			write(base+"_S.xml", crDoc)
		default:
			write(base+"-plan-frame.xml", planFrame)
			write(base+"-plan-document.xml", planDoc)
		}
	}
	write(".hidden/0000-capture.xml", []byte("left out: a hidden folder"))
	write("day1/notes.txt", []byte("left out: not a message file"))
	return root, broken
}

// The JUnit summary's shape, as far as the test reads it.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Suites   []struct {
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
			Error   *struct{} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// A day of captured traffic, 1,000 messages: one summary line, a JUnit
// file with 1,000 testcases whose failures and errors are exactly the
// broken messages, a JSON summary with the same counts, and exit 2
// because two could not be read.
func TestValidateFolderOfCapturedTraffic(t *testing.T) {
	root, broken := capturedTraffic(t, 1000)
	out := t.TempDir()
	junitPath, jsonPath := filepath.Join(out, "validate.xml"), filepath.Join(out, "validate.json")
	status, stdout, stderr := run(t, "validate", "--junit", junitPath, "--json", jsonPath, root)
	if status != exitUsage {
		t.Errorf("status %d, want 2 (two messages unreadable)", status)
	}
	if stderr != "" {
		t.Errorf("stderr is not a terminal, yet it got %q", stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	invalid := 0
	for _, k := range broken {
		if k == "invalid" {
			invalid++
		}
	}
	wantSummary := fmt.Sprintf("1000 messages: %d valid, %d with errors, 2 unreadable", 1000-len(broken), invalid)
	if got := lines[len(lines)-1]; got != wantSummary {
		t.Errorf("summary %q, want %q", got, wantSummary)
	}
	if n := strings.Count(stdout, "messages:"); n != 1 {
		t.Errorf("%d summary lines, want 1", n)
	}
	if len(lines) != len(broken)+1 {
		t.Errorf("%d lines, want one per broken message and the summary:\n%s", len(lines), stdout)
	}

	data, err := os.ReadFile(junitPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 1000 || doc.Failures != invalid || doc.Errors != 2 {
		t.Errorf("junit: tests %d failures %d errors %d, want 1000 %d 2", doc.Tests, doc.Failures, doc.Errors, invalid)
	}
	got := make(map[string]string)
	cases := 0
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			cases++
			switch {
			case c.Failure != nil:
				got[c.Name] = "invalid"
			case c.Error != nil:
				got[c.Name] = "unreadable"
			}
		}
	}
	if cases != 1000 {
		t.Errorf("junit has %d testcases, want 1000", cases)
	}
	for name, k := range broken {
		if got[name] != k {
			t.Errorf("broken message %s is %q in the JUnit summary, want %q", name, got[name], k)
		}
	}
	for name, k := range got {
		if _, ok := broken[name]; !ok {
			t.Errorf("message %s is %s but was not broken", name, k)
		}
	}
	if xmllint, err := exec.LookPath("xmllint"); err == nil {
		if out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", "../../reports/testdata/junit.xsd", junitPath).CombinedOutput(); err != nil {
			t.Errorf("the JUnit summary does not validate against reports/testdata/junit.xsd: %v\n%s", err, out)
		}
	} else {
		t.Log("xmllint not installed: the JUnit summary was not checked against the XSD")
	}

	var sum struct {
		Messages, Valid, WithErrors, Unreadable int
		Results                                 []struct{ Name, Status string }
	}
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Messages != 1000 || sum.Valid != 1000-len(broken) || sum.WithErrors != invalid || sum.Unreadable != 2 || len(sum.Results) != 1000 {
		t.Errorf("json summary %d/%d/%d/%d with %d results", sum.Messages, sum.Valid, sum.WithErrors, sum.Unreadable, len(sum.Results))
	}
}

func TestValidateFilesPatternsAndFolders(t *testing.T) {
	root, _ := capturedTraffic(t, 30)
	day1, day2 := filepath.Join(root, "day1"), filepath.Join(root, "day2")
	tests := []struct {
		name   string
		args   []string
		status int
		want   string // the last line
	}{
		{"only the valid captures of day 2", []string{filepath.Join(day2, "*-capture.eml"), filepath.Join(day2, "*-capture.mime")}, exitOK, "5 messages: 5 valid, 0 with errors, 0 unreadable"},
		{"a pair named on the command line", []string{filepath.Join(day2, "0003_K.xml"), filepath.Join(day2, "0003_S.xml")}, exitOK, "1 messages: 1 valid, 0 with errors, 0 unreadable"},
		{"a pattern, a folder and a file", []string{filepath.Join(day1, "000*"), day2, filepath.Join(day1, "0010-capture.xml")}, exitInvalid, "21 messages: 18 valid, 3 with errors, 0 unreadable"},
		{"a pattern that matches nothing", []string{filepath.Join(root, "*.nothing")}, exitUsage, ""},
		{"a folder without messages", []string{t.TempDir()}, exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, errs := run(t, append([]string{"validate"}, tt.args...)...)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if status != tt.status || (tt.want != "" && lines[len(lines)-1] != tt.want) {
				t.Errorf("status %d, last line %q (stderr %q); want %d, %q", status, lines[len(lines)-1], errs, tt.status, tt.want)
			}
		})
	}
	// A file over the size limit is a finding, as for validate FILE, and
	// refused from its size alone (a sparse file: nothing to read).
	big := filepath.Join(t.TempDir(), "huge-capture.xml")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 21<<20); err != nil {
		t.Fatal(err)
	}
	status, out, _ := run(t, "validate", big, filepath.Join(day1, "0000-capture.xml"))
	if status != exitInvalid || !strings.Contains(out, "INVALID "+big+": 1 error(s): XML-TOO-LARGE") || !strings.HasSuffix(out, "2 messages: 1 valid, 1 with errors, 0 unreadable\n") {
		t.Errorf("an oversize file in a batch: %d %q", status, out)
	}
	// One file keeps today's output.
	status, out, _ = run(t, "validate", filepath.Join(day1, "0000-capture.xml"))
	if status != exitOK || out != "valid: 0 error(s), 0 other finding(s)\n" {
		t.Errorf("validate FILE: %d %q", status, out)
	}
	if status, _, errs := run(t, "validate", "--junit", filepath.Join(t.TempDir(), "j.xml"), filepath.Join(day1, "0000-capture.xml")); status != exitUsage || !strings.Contains(errs, "--junit") {
		t.Errorf("--junit with one file: %d %q, want a usage error", status, errs)
	}
}

func TestPairNaming(t *testing.T) {
	files := []string{
		"a/Asiakkuusasiakirja_K.xml", "a/Asiakkuusasiakirja_S.xml",
		"a/asia ja rajoitukset testi K.xml", "a/asia ja rajoitukset testi S.xml",
		"a/plan-frame.xml", "a/plan-document.xml",
		"a/lonely_K.xml",             // a frame without its document: read on its own
		"b/Asiakkuusasiakirja_S.xml", // another folder's document
		"a/x_K.xml", "a/x-S.xml",     // different separators: not a pair
		"a/capture.xml",
	}
	var got []string
	for _, it := range pair(files) {
		got = append(got, it.name())
	}
	want := []string{
		"a/Asiakkuusasiakirja_K.xml + a/Asiakkuusasiakirja_S.xml",
		"a/asia ja rajoitukset testi K.xml + a/asia ja rajoitukset testi S.xml",
		"a/plan-frame.xml + a/plan-document.xml",
		"a/lonely_K.xml", "b/Asiakkuusasiakirja_S.xml", "a/x_K.xml", "a/x-S.xml", "a/capture.xml",
	}
	if !slices.Equal(got, want) {
		t.Errorf("pairs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// BenchmarkValidateFolder validates a folder of 1,000 captured messages
// (the mix of TestValidateFolderOfCapturedTraffic) and reports messages/s.
func BenchmarkValidateFolder(b *testing.B) {
	root, _ := capturedTraffic(b, 1000)
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard}
	b.ResetTimer()
	for b.Loop() {
		m.Run(b.Context(), []string{"validate", root})
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "msgs/s")
}
