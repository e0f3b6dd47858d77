package body

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Limits of DecodeJSON.
const (
	// MaxJSONSize bounds the decoded structured form.
	MaxJSONSize = 16 << 20
	// MaxJSONDepth bounds nesting of objects and arrays.
	MaxJSONDepth = 128
)

// Errors of DecodeJSON, wrapped with context; test them with errors.Is.
var (
	ErrJSONTooLarge = errors.New("structured form too large")
	ErrJSONTooDeep  = errors.New("structured form nested too deeply")
	ErrJSONSyntax   = errors.New("structured form is not valid JSON")
	ErrJSONEncoding = errors.New("structured form is not UTF-8")
	ErrJSONDupKey   = errors.New("structured form has a duplicate object key")
)

// DecodeJSON decodes the structured form (hl7fi:json after base64) into
// map[string]any, []any, string, json.Number, bool and nil values, ready for
// (*Schemas).Validate. It rejects input over MaxJSONSize, invalid UTF-8, a
// byte-order mark, nesting deeper than MaxJSONDepth, duplicate object keys
// (which different readers resolve differently) and anything after the
// top-level value.
func DecodeJSON(data []byte) (any, error) {
	if len(data) > MaxJSONSize {
		return nil, fmt.Errorf("decode json: %w: %d bytes, limit %d", ErrJSONTooLarge, len(data), MaxJSONSize)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("decode json: %w", ErrJSONEncoding)
	}
	if bytes.HasPrefix(data, utf8BOM) {
		return nil, fmt.Errorf("decode json: %w: starts with a byte-order mark", ErrJSONEncoding)
	}
	if err := checkJSONDepth(data); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := readValue(dec, nil)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decode json: %w: data after the top-level value", ErrJSONSyntax)
	}
	return v, nil
}

// checkJSONDepth scans brackets outside strings before the decoder runs, so
// deep nesting fails fast.
func checkJSONDepth(data []byte) error {
	depth, inString, escaped := 0, false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > MaxJSONDepth {
				return fmt.Errorf("decode json: %w: more than %d levels", ErrJSONTooDeep, MaxJSONDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// jsonPath is the JSON pointer of a value being read, as a chain to its
// parent; the pointer's text is built only for an error.
type jsonPath struct {
	parent *jsonPath
	key    string // the object key; index is used when parent is an array
	index  int
	inArr  bool
}

// String returns the JSON pointer (RFC 6901), "" for the top-level value.
func (p *jsonPath) String() string {
	if p == nil {
		return ""
	}
	if p.inArr {
		return fmt.Sprintf("%s/%d", p.parent, p.index)
	}
	return p.parent.String() + "/" + escapePointer(p.key)
}

// readValue reads one JSON value at the JSON pointer ptr.
func readValue(dec *json.Decoder, ptr *jsonPath) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("decode json: %w at %q: %v", ErrJSONSyntax, ptr, err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := map[string]any{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("decode json: %w at %q: %v", ErrJSONSyntax, ptr, err)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("decode json: %w at %q: object key is not a string", ErrJSONSyntax, ptr)
				}
				child := jsonPath{parent: ptr, key: key}
				if _, dup := obj[key]; dup {
					return nil, fmt.Errorf("decode json: %w: %q", ErrJSONDupKey, &child)
				}
				if obj[key], err = readValue(dec, &child); err != nil {
					return nil, err
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("decode json: %w at %q: %v", ErrJSONSyntax, ptr, err)
			}
			return obj, nil
		case '[':
			arr := []any{}
			for i := 0; dec.More(); i++ {
				v, err := readValue(dec, &jsonPath{parent: ptr, index: i, inArr: true})
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("decode json: %w at %q: %v", ErrJSONSyntax, ptr, err)
			}
			return arr, nil
		}
		return nil, fmt.Errorf("decode json: %w at %q: unexpected %q", ErrJSONSyntax, ptr, t)
	default:
		return t, nil // string, json.Number, bool or nil
	}
}

// escapePointer escapes a key for a JSON pointer (RFC 6901).
func escapePointer(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '~':
			b.WriteString("~0")
		case '/':
			b.WriteString("~1")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
