// Package datafile reads the project's YAML data files (rule catalogue,
// code lists, profiles, requirements, faults, attestations) strictly: an
// unknown field, a second YAML document, an empty file or an oversized one
// is an error, so that a typo in data never passes silently.
package datafile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"gopkg.in/yaml.v3"
)

// MaxSize is the largest data file read; the project's files are far
// smaller.
const MaxSize = 4 << 20

// ErrTooLarge is returned (wrapped in a *TooLargeError) by ReadLimited and
// ReadFile for a file over its limit.
var ErrTooLarge = errors.New("file too large")

// TooLargeError is the error of ReadLimited and ReadFile for a file over
// the limit. It matches ErrTooLarge with errors.Is.
type TooLargeError struct {
	// Name is the file; Limit the limit in bytes.
	Name  string
	Limit int64
	// Size is the file's size, or -1 when it is not a regular file whose
	// size is known before reading.
	Size int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%s is larger than the limit of %d bytes", e.Name, e.Limit)
	}
	return fmt.Sprintf("%s is %d bytes, over the limit of %d", e.Name, e.Size, e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// ReadLimited reads the named file of fsys, reading at most limit bytes: a
// larger file is a *TooLargeError, so that a data file from outside (a
// coordinator's code list, THL's export) cannot exhaust memory. A regular
// file is refused from its size alone, before any of it is read. Errors
// other than the file's absence name the file.
func ReadLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, name, limit)
}

// ReadFile is ReadLimited for a file of the operating system, named by
// its path.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, path, limit)
}

// readLimited reads f, at most limit bytes. A regular file larger than
// that is refused from its size (Stat) before any of it is read; anything
// else (a pipe, a device) is read only up to the limit.
func readLimited(f fs.File, name string, limit int64) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if fi.Mode().IsRegular() && fi.Size() > limit {
		return nil, &TooLargeError{Name: name, Size: fi.Size(), Limit: limit}
	}
	// A regular file's buffer is its size, plus the byte that shows it
	// grew past the limit meanwhile; anything else's grows as it is read.
	data := make([]byte, 0, min(max(fi.Size(), 512), limit)+1)
	lr := io.LimitReader(f, limit+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := lr.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Name: name, Size: -1, Limit: limit}
	}
	return data, nil
}

// ErrEmpty is returned for a file with no YAML document.
var ErrEmpty = errors.New("empty file")

// Decode decodes data, one YAML document, into v, refusing unknown fields
// and trailing documents.
func Decode(data []byte, v any) error {
	if len(data) > MaxSize {
		return fmt.Errorf("larger than %d bytes", MaxSize)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return ErrEmpty
		}
		return err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return errors.New("more than one YAML document")
	}
	return nil
}

// Read reads the named file of fsys and decodes it as Decode does; errors
// name the file.
func Read(fsys fs.FS, name string, v any) error {
	data, err := ReadLimited(fsys, name, MaxSize)
	if err != nil {
		return err
	}
	if err := Decode(data, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
