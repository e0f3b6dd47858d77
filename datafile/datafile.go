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

	"gopkg.in/yaml.v3"
)

// MaxSize is the largest data file read; the project's files are far
// smaller.
const MaxSize = 4 << 20

// ErrTooLarge is returned by ReadLimited for a file over its limit.
var ErrTooLarge = errors.New("file too large")

// ReadLimited reads the named file of fsys, reading at most limit bytes: a
// larger file is an error wrapping ErrTooLarge, so that a data file from
// outside (a coordinator's code list, THL's export) cannot exhaust memory.
// Errors other than the file's absence name the file.
func ReadLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("read %s: larger than %d bytes: %w", name, limit, ErrTooLarge)
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
