package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// Limits bound what Verify reads of a bundle it did not write, so that a
// hostile zip (millions of entries, a zip bomb) cannot exhaust the
// verifier. A zero field takes the default.
type Limits struct {
	// MaxEntries is the most entries a bundle may have; default
	// DefaultMaxEntries.
	MaxEntries int
	// MaxBytes is the most the entries may hold uncompressed, all
	// together; default DefaultMaxBytes.
	MaxBytes int64
}

// The default limits: room for the simulator's longest message log
// (10,000 exchanges of five files each) with its reports.
const (
	DefaultMaxEntries = 100_000
	DefaultMaxBytes   = 8 << 30
	// maxManifest bounds the manifest, which is decoded whole.
	maxManifest = 64 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	return l
}

// VerifyFile verifies the bundle at path (see Verify).
func VerifyFile(path string, lim Limits) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open bundle: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open bundle: %w", err)
	}
	return Verify(f, st.Size(), lim)
}

// Verify checks a bundle against its manifest: every entry's name is a
// plain relative path that occurs once, every file the manifest lists is
// in the zip with the listed SHA-256 digest and size, and the zip holds
// nothing else. It returns the manifest, or an error naming the first
// problem found, matching one of the package's Err values. It reads no
// more than lim allows.
func Verify(r io.ReaderAt, size int64, lim Limits) (*Manifest, error) {
	lim = lim.withDefaults()
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("read bundle: %w", err)
	}
	if n := len(zr.File); n > lim.MaxEntries {
		return nil, fmt.Errorf("bundle has %d entries, more than %d: %w", n, lim.MaxEntries, ErrTooLarge)
	}
	var total uint64
	entries := make(map[string]*zip.File, len(zr.File))
	for _, zf := range zr.File {
		if err := checkName(zf.Name); err != nil {
			return nil, err
		}
		if _, dup := entries[zf.Name]; dup {
			return nil, fmt.Errorf("%s: %w", zf.Name, ErrDuplicate)
		}
		entries[zf.Name] = zf
		total += zf.UncompressedSize64
		if total > uint64(lim.MaxBytes) {
			return nil, fmt.Errorf("bundle holds more than %d bytes uncompressed: %w", lim.MaxBytes, ErrTooLarge)
		}
	}
	mf, ok := entries[ManifestFile]
	if !ok {
		return nil, fmt.Errorf("%s: no manifest in the bundle: %w", ManifestFile, ErrManifest)
	}
	data, err := readEntry(mf, maxManifest)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", ManifestFile, ErrManifest, err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", ManifestFile, ErrManifest, err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("%s: %w: format %q, want %q", ManifestFile, ErrManifest, m.Format, Format)
	}
	listed := make(map[string]File, len(m.Files))
	for _, f := range m.Files {
		if _, dup := listed[f.Path]; dup || f.Path == ManifestFile {
			return nil, fmt.Errorf("%s: %s: %w", ManifestFile, f.Path, ErrDuplicate)
		}
		listed[f.Path] = f
	}
	// In the zip's order, so that the first problem is the first entry's.
	for _, zf := range zr.File {
		if zf.Name == ManifestFile {
			continue
		}
		want, ok := listed[zf.Name]
		if !ok {
			return nil, fmt.Errorf("%s: %w", zf.Name, ErrExtra)
		}
		sum, n, err := digest(zf, want.Size)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %w", zf.Name, ErrTampered, err)
		}
		if n != want.Size {
			return nil, fmt.Errorf("%s: %w: %d bytes, the manifest says %d", zf.Name, ErrTampered, n, want.Size)
		}
		if sum != want.SHA256 {
			return nil, fmt.Errorf("%s: %w: SHA-256 %s, the manifest says %s", zf.Name, ErrTampered, sum, want.SHA256)
		}
	}
	for _, f := range m.Files {
		if _, ok := entries[f.Path]; !ok {
			return nil, fmt.Errorf("%s: %w", f.Path, ErrMissing)
		}
	}
	return &m, nil
}

// digest returns the SHA-256 and length of an entry's content, reading at
// most one byte more than want (the size the manifest gives) or than the
// entry's header declares, whichever is less.
func digest(zf *zip.File, want int64) (string, int64, error) {
	rc, err := zf.Open()
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	max := want
	if d := zf.UncompressedSize64; d < uint64(max) {
		max = int64(d)
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(rc, max+1))
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// readEntry reads an entry whole, up to max bytes.
func readEntry(zf *zip.File, max int64) ([]byte, error) {
	if zf.UncompressedSize64 > uint64(max) {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return data, nil
}

// checkName accepts a slash-separated relative path of named elements: no
// leading slash, no "." or ".." element, no backslash, drive letter or
// control character, no directory entry.
func checkName(name string) error {
	bad := !fs.ValidPath(name) || name == "." || strings.ContainsAny(name, `\:`) ||
		strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f })
	if bad {
		return fmt.Errorf("entry name %q: %w", name, ErrUnsafeName)
	}
	return nil
}
