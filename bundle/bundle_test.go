package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
)

var created = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

// sampleBundle writes a bundle with a configuration, a report and two
// exchanges, one acknowledged and one without an acknowledgement.
func sampleBundle(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	b := NewWriter(&buf, created)
	if err := b.AddJSON("configuration.json", map[string]string{"profile": "vaihe2-kasittely"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Add("reports/junit.xml", []byte("<testsuites/>\n")); err != nil {
		t.Fatal(err)
	}
	exs := []*api.Exchange{
		{Seq: 1, MessageID: "1.2.3^m1", AckType: "AA", Accepted: true, Frame: []byte("<frame/>"), Document: []byte("<doc/>"), Ack: []byte("<ack>AA</ack>")},
		{Seq: 2, MessageID: "1.2.3^m2", AckType: "AE", Frame: []byte("<frame2/>"), Document: []byte("<doc2/>"),
			Findings: yhteistestaus.Findings{{Rule: "HDR-SERVICE-TASK", Severity: yhteistestaus.SeverityError, Message: "no service task"}}},
	}
	if err := b.AddExchanges("s1", exs); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func verify(data []byte, lim Limits) (*Manifest, error) {
	return Verify(bytes.NewReader(data), int64(len(data)), lim)
}

func TestWrittenBundleVerifies(t *testing.T) {
	data := sampleBundle(t)
	m, err := verify(data, Limits{})
	if err != nil {
		t.Fatalf("a bundle as written does not verify: %v", err)
	}
	want := []string{
		"configuration.json", "reports/junit.xml",
		"messages/000001/exchange.json", "messages/000001/findings.json", "messages/000001/frame.xml", "messages/000001/document.xml", "messages/000001/acknowledgement.xml",
		"messages/000002/exchange.json", "messages/000002/findings.json", "messages/000002/frame.xml", "messages/000002/document.xml",
		"messages.json",
	}
	var got []string
	for _, f := range m.Files {
		got = append(got, f.Path)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("manifest lists\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !m.Created.Equal(created) || m.Format != Format {
		t.Errorf("manifest format %q created %s", m.Format, m.Created)
	}
	// The manifest's digests are the contents' own.
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	for _, f := range m.Files {
		content := entry(t, zr, f.Path)
		sum := sha256.Sum256(content)
		if hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(content)) != f.Size {
			t.Errorf("%s: manifest says %s/%d, content is %x/%d", f.Path, f.SHA256, f.Size, sum, len(content))
		}
	}
	if got := string(entry(t, zr, "messages/000001/acknowledgement.xml")); got != "<ack>AA</ack>" {
		t.Errorf("acknowledgement = %q", got)
	}
	var findings yhteistestaus.Findings
	if err := json.Unmarshal(entry(t, zr, "messages/000002/findings.json"), &findings); err != nil || len(findings) != 1 || findings[0].Rule != "HDR-SERVICE-TASK" {
		t.Errorf("findings of message 2 = %+v (%v)", findings, err)
	}
	var idx Index
	if err := json.Unmarshal(entry(t, zr, MessagesIndex), &idx); err != nil || len(idx.Messages) != 2 || idx.Messages[1].AckType != "AE" || idx.Messages[0].Folder != "messages/000001" {
		t.Errorf("index = %+v (%v)", idx, err)
	}
}

func entry(t *testing.T, zr *zip.Reader, name string) []byte {
	t.Helper()
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// rezip copies a zip entry by entry through edit, which returns the name
// and content to write (keep false drops the entry), then adds extra.
func rezip(t testing.TB, data []byte, edit func(name string, content []byte) (string, []byte, bool), extra map[string]string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name string, content []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		name, content, keep := zf.Name, content, true
		if edit != nil {
			name, content, keep = edit(name, content)
		}
		if keep {
			put(name, content)
		}
	}
	for name, content := range extra {
		put(name, []byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestVerifyFindsEveryChange(t *testing.T) {
	good := sampleBundle(t)
	only := func(target string, f func([]byte) []byte) func(string, []byte) (string, []byte, bool) {
		return func(name string, content []byte) (string, []byte, bool) {
			if name == target {
				return name, f(content), true
			}
			return name, content, true
		}
	}
	drop := func(target string) func(string, []byte) (string, []byte, bool) {
		return func(name string, content []byte) (string, []byte, bool) { return name, content, name != target }
	}
	rename := func(from, to string) func(string, []byte) (string, []byte, bool) {
		return func(name string, content []byte) (string, []byte, bool) {
			if name == from {
				name = to
			}
			return name, content, true
		}
	}
	tests := []struct {
		name   string
		bundle []byte
		lim    Limits
		want   error
		naming string // the error names this
	}{
		{"an acknowledgement edited after the run", rezip(t, good, only("messages/000001/acknowledgement.xml", func([]byte) []byte { return []byte("<ack>AE</ack>") }), nil),
			Limits{}, ErrTampered, "messages/000001/acknowledgement.xml"},
		{"a frame made longer", rezip(t, good, only("messages/000002/frame.xml", func(b []byte) []byte { return append(b, ' ') }), nil),
			Limits{}, ErrTampered, "messages/000002/frame.xml"},
		{"a report emptied", rezip(t, good, only("reports/junit.xml", func([]byte) []byte { return nil }), nil),
			Limits{}, ErrTampered, "reports/junit.xml"},
		{"a failing message's findings removed", rezip(t, good, drop("messages/000002/findings.json"), nil),
			Limits{}, ErrMissing, "messages/000002/findings.json"},
		{"a file slipped in", rezip(t, good, nil, map[string]string{"messages/000003/frame.xml": "<frame3/>"}),
			Limits{}, ErrExtra, "messages/000003/frame.xml"},
		{"a file renamed", rezip(t, good, rename("reports/junit.xml", "reports/junit2.xml"), nil),
			Limits{}, ErrExtra, "reports/junit2.xml"},
		{"the manifest removed", rezip(t, good, drop(ManifestFile), nil),
			Limits{}, ErrManifest, ManifestFile},
		{"the manifest not JSON", rezip(t, good, only(ManifestFile, func([]byte) []byte { return []byte("{") }), nil),
			Limits{}, ErrManifest, ManifestFile},
		{"a manifest of another format", rezip(t, good, only(ManifestFile, func(b []byte) []byte { return bytes.Replace(b, []byte(Format), []byte("other/1"), 1) }), nil),
			Limits{}, ErrManifest, "other/1"},
		{"a name climbing out", rezip(t, good, nil, map[string]string{"../../etc/cron.d/x": "x"}), Limits{}, ErrUnsafeName, "../../etc/cron.d/x"},
		{"an absolute name", rezip(t, good, nil, map[string]string{"/etc/passwd": "x"}), Limits{}, ErrUnsafeName, "/etc/passwd"},
		{"a Windows name", rezip(t, good, nil, map[string]string{`..\..\x`: "x"}), Limits{}, ErrUnsafeName, `x`},
		{"a drive letter", rezip(t, good, nil, map[string]string{`C:/x`: "x"}), Limits{}, ErrUnsafeName, `C:/x`},
		{"a directory entry", rezip(t, good, nil, map[string]string{"messages/": ""}), Limits{}, ErrUnsafeName, "messages/"},
		{"a name twice", rezip(t, good, nil, map[string]string{"reports/junit.xml": "<testsuites/>\n"}), Limits{}, ErrDuplicate, "reports/junit.xml"},
		{"more entries than allowed", good, Limits{MaxEntries: 5}, ErrTooLarge, "13 entries"},
		{"more bytes than allowed", good, Limits{MaxBytes: 100}, ErrTooLarge, "100 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := verify(tt.bundle, tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.naming) {
				t.Errorf("the error %q does not name %q", err, tt.naming)
			}
		})
	}
}

func TestVerifyTruncatedBundle(t *testing.T) {
	good := sampleBundle(t)
	if _, err := verify(good[:len(good)/2], Limits{}); err == nil {
		t.Fatal("half a bundle verifies")
	}
}

func TestWriterRefusesBadNames(t *testing.T) {
	b := NewWriter(io.Discard, created)
	for _, name := range []string{"", "../x", "/x", "a/../b", `a\b`, "a/", ManifestFile} {
		if err := b.Add(name, nil); err == nil {
			t.Errorf("Add(%q) accepted", name)
		}
	}
	if err := b.Add("a", nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Add("a", nil); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second Add(a) = %v, want ErrDuplicate", err)
	}
}

// FuzzVerify feeds Verify arbitrary bytes and edits of a good bundle: it
// must answer without panicking, within its limits.
func FuzzVerify(f *testing.F) {
	good := sampleBundle(f)
	f.Add(good)
	f.Add(good[:len(good)-10])
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := verify(data, Limits{MaxEntries: 64, MaxBytes: 1 << 20})
		if err == nil && m == nil {
			t.Fatal("no error and no manifest")
		}
	})
}
