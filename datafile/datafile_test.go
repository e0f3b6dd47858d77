package datafile

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func TestDecodeIsStrict(t *testing.T) {
	type row struct {
		Name string `yaml:"name"`
	}
	tests := []struct {
		name, data, want string
	}{
		{"known fields", "name: a\n", ""},
		{"unknown field", "name: a\ncolour: red\n", "colour"},
		{"two documents", "name: a\n---\nname: b\n", "more than one YAML document"},
		{"empty", "", "empty file"},
		{"too large", strings.Repeat("#", MaxSize+1), "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r row
			err := Decode([]byte(tt.data), &r)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Decode: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Decode: got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestReadNamesTheFile(t *testing.T) {
	fsys := fstest.MapFS{"x.yaml": {Data: []byte("")}}
	var v map[string]any
	err := Read(fsys, "x.yaml", &v)
	if !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), "x.yaml") {
		t.Errorf("Read: %v", err)
	}
}
