// Package bundle writes and verifies evidence bundles: one zip file that
// holds what a test session produced (every message as the archive
// received it, the acknowledgement the archive sent for it, the findings,
// the run's reports and configuration) and a manifest, manifest.json, that
// lists every other file of the zip with its SHA-256 digest and size. A
// vendor hands Kela's pre-test report (esitestausraportti) its evidence in
// this one file; whoever receives it checks it with Verify
// (`yhteistestaus bundle verify FILE.zip`).
//
// The bundle's layout:
//
//	manifest.json                     the files below, with SHA-256 and size
//	configuration.json                who made the bundle, with what settings
//	messages.json                     every message's metadata and findings
//	messages/000001/exchange.json     one message's metadata and findings
//	messages/000001/findings.json     its findings alone
//	messages/000001/frame.xml         the archiving frame as received
//	messages/000001/document.xml      the CDA document as received
//	messages/000001/acknowledgement.xml  the archive's answer as sent
//	reports/…                         the run's reports (yhteistestaus run)
package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"time"
)

// ManifestFile is the name of the manifest inside a bundle.
const ManifestFile = "manifest.json"

// Format names the manifest's format and version.
const Format = "yhteistestaus-evidence-bundle/1"

// Manifest is manifest.json: every file of the bundle but the manifest
// itself, in the order they were written.
type Manifest struct {
	// Format is Format.
	Format string `json:"format"`
	// Created is when the bundle was written.
	Created time.Time `json:"created"`
	// Files are the bundle's files.
	Files []File `json:"files"`
}

// File is one file of a bundle as the manifest lists it.
type File struct {
	// Path is the file's name inside the zip, slash-separated.
	Path string `json:"path"`
	// SHA256 is the hex SHA-256 digest of the file's content.
	SHA256 string `json:"sha256"`
	// Size is the content's length in bytes.
	Size int64 `json:"size"`
}

// Writer writes a bundle. Add the files, then Close, which writes the
// manifest and ends the zip.
type Writer struct {
	zw      *zip.Writer
	created time.Time
	files   []File
	seen    map[string]bool
	cur     *hashWriter // the file being written, if any
}

// NewWriter starts a bundle written to w; created is the bundle's time,
// given to the manifest and to every zip entry.
func NewWriter(w io.Writer, created time.Time) *Writer {
	return &Writer{zw: zip.NewWriter(w), created: created.UTC(), seen: make(map[string]bool)}
}

// Create starts the file name (slash-separated, a valid path by the rules
// Verify checks) and returns a writer for its content, valid until the next
// Create, Add or Close.
func (b *Writer) Create(name string) (io.Writer, error) {
	b.finish()
	if err := checkName(name); err != nil {
		return nil, err
	}
	if name == ManifestFile || b.seen[name] {
		return nil, fmt.Errorf("bundle: %s: %w", name, ErrDuplicate)
	}
	b.seen[name] = true
	zf, err := b.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: b.created})
	if err != nil {
		return nil, fmt.Errorf("bundle: %s: %w", name, err)
	}
	b.files = append(b.files, File{Path: name})
	b.cur = &hashWriter{w: zf, h: sha256.New(), i: len(b.files) - 1}
	return b.cur, nil
}

// finish records the digest and size of the file being written.
func (b *Writer) finish() {
	if b.cur == nil {
		return
	}
	f := &b.files[b.cur.i]
	f.SHA256, f.Size = hex.EncodeToString(b.cur.h.Sum(nil)), b.cur.n
	b.cur = nil
}

// Add writes the file name with content data.
func (b *Writer) Add(name string, data []byte) error {
	w, err := b.Create(name)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("bundle: %s: %w", name, err)
	}
	return nil
}

// AddJSON writes v as indented JSON to the file name.
func (b *Writer) AddJSON(name string, v any) error {
	data, err := marshal(v)
	if err != nil {
		return fmt.Errorf("bundle: %s: %w", name, err)
	}
	return b.Add(name, data)
}

// AddFile copies the file at path on disk into the bundle as name.
func (b *Writer) AddFile(name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	defer f.Close()
	w, err := b.Create(name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("bundle: %s: %w", name, err)
	}
	return nil
}

// Close writes the manifest and the zip's central directory. It does not
// close the underlying writer.
func (b *Writer) Close() error {
	b.finish()
	data, err := marshal(Manifest{Format: Format, Created: b.created, Files: b.files})
	if err != nil {
		return fmt.Errorf("bundle: manifest: %w", err)
	}
	zf, err := b.zw.CreateHeader(&zip.FileHeader{Name: ManifestFile, Method: zip.Deflate, Modified: b.created})
	if err != nil {
		return fmt.Errorf("bundle: manifest: %w", err)
	}
	if _, err := zf.Write(data); err != nil {
		return fmt.Errorf("bundle: manifest: %w", err)
	}
	if err := b.zw.Close(); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	return nil
}

// hashWriter writes through to a zip entry and keeps the entry's digest
// and size for its manifest line, file i.
type hashWriter struct {
	w io.Writer
	h hash.Hash
	n int64
	i int
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}

// marshal is indented JSON with text as it is (no \u003c for <): the
// bundle carries XML fragments and locations.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// The ways a bundle fails verification; Verify's errors match one of them
// (errors.Is) and name the file.
var (
	// ErrTampered is a file whose content differs from the manifest's
	// digest or size.
	ErrTampered = errors.New("content differs from the manifest")
	// ErrMissing is a file the manifest lists and the zip does not hold.
	ErrMissing = errors.New("listed in the manifest but missing from the bundle")
	// ErrExtra is a file the zip holds and the manifest does not list.
	ErrExtra = errors.New("in the bundle but not listed in the manifest")
	// ErrDuplicate is a name that occurs twice.
	ErrDuplicate = errors.New("name occurs more than once")
	// ErrUnsafeName is an entry name that is not a plain relative path.
	ErrUnsafeName = errors.New("not a plain relative path")
	// ErrTooLarge is a bundle beyond Limits.
	ErrTooLarge = errors.New("beyond the verifier's limits")
	// ErrManifest is a missing or unreadable manifest.
	ErrManifest = errors.New("bad manifest")
)
