package body

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

//go:embed schemas/*.json
var embeddedSchemas embed.FS

// ErrUnknownSpecification means no schema is bundled for a
// contentSpecificationId. The validator reports it as a warning: the real
// archive knows about 220 Sosmeta structures, the simulator a few.
var ErrUnknownSpecification = errors.New("no schema bundled for contentSpecificationId")

// schemaBase is the base URL schemas are compiled under; nothing is fetched
// from it.
const schemaBase = "https://schemas.yhteistestaus.invalid/"

// maxSchemaSize bounds one schema file.
const maxSchemaSize = 1 << 20

var specIDSyntax = regexp.MustCompile(`^[0-2](\.(0|[1-9][0-9]*))+$`)

// Problem is one schema violation in a structured document.
type Problem struct {
	// Pointer is the JSON pointer (RFC 6901) of the offending value; ""
	// is the whole document.
	Pointer string
	// Message says what is wrong.
	Message string
	// Keyword is the schema location of the failing keyword.
	Keyword string
}

// String returns "pointer: message".
func (p Problem) String() string {
	ptr := p.Pointer
	if ptr == "" {
		ptr = "/"
	}
	return ptr + ": " + p.Message
}

// Schemas is a registry of compiled JSON Schemas keyed by
// contentSpecificationId. It is read-only after loading and safe for
// concurrent use.
type Schemas struct {
	byID map[string]*jsonschema.Schema
}

// DefaultSchemas compiles the embedded schemas in schemas/. The embedded
// files are checked by the package's tests; an error means a build defect.
func DefaultSchemas() (*Schemas, error) {
	sub, err := fs.Sub(embeddedSchemas, "schemas")
	if err != nil {
		return nil, fmt.Errorf("load schemas: %w", err)
	}
	return LoadSchemas(sub)
}

// LoadSchemas compiles every <contentSpecificationId>.json at the root of
// fsys as a draft 2020-12 JSON Schema. The file name without ".json" is the
// key; it must be a dotted OID. Schemas may not reference anything outside
// their own file.
func LoadSchemas(fsys fs.FS) (*Schemas, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("load schemas: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("load schemas: no *.json files")
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.LoadURL = func(u string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("schemas may not load %s", u)
	}
	ids := make([]string, 0, len(names))
	for _, name := range names {
		id := strings.TrimSuffix(path.Base(name), ".json")
		if !specIDSyntax.MatchString(id) {
			return nil, fmt.Errorf("load schemas: %s: file name is not <contentSpecificationId>.json", name)
		}
		data, err := readLimited(fsys, name, maxSchemaSize)
		if err != nil {
			return nil, fmt.Errorf("load schemas: %w", err)
		}
		if err := c.AddResource(schemaBase+name, bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("load schemas: %s: %w", name, err)
		}
		ids = append(ids, id)
	}
	s := &Schemas{byID: map[string]*jsonschema.Schema{}}
	for _, id := range ids {
		sch, err := c.Compile(schemaBase + id + ".json")
		if err != nil {
			return nil, fmt.Errorf("load schemas: compile %s: %w", id, err)
		}
		s.byID[id] = sch
	}
	return s, nil
}

func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
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
		return nil, fmt.Errorf("read %s: larger than %d bytes", name, limit)
	}
	return data, nil
}

// IDs returns the bundled contentSpecificationIds, sorted.
func (s *Schemas) IDs() []string {
	ids := make([]string, 0, len(s.byID))
	for id := range s.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Validate validates a decoded structured document (from DecodeJSON) against
// the schema for contentSpecID. It returns every violation, ordered by
// pointer, and a nil error; or an error wrapping ErrUnknownSpecification
// when no schema is bundled for the id.
func (s *Schemas) Validate(contentSpecID string, doc any) ([]Problem, error) {
	sch, ok := s.byID[strings.TrimSpace(contentSpecID)]
	if !ok {
		return nil, fmt.Errorf("validate %q: %w", contentSpecID, ErrUnknownSpecification)
	}
	err := sch.Validate(doc)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, fmt.Errorf("validate %q: %w", contentSpecID, err)
	}
	var out []Problem
	collectProblems(ve, &out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out, nil
}

// collectProblems flattens the validation tree into its leaves, which are
// the concrete violations.
func collectProblems(ve *jsonschema.ValidationError, out *[]Problem) {
	if len(ve.Causes) == 0 {
		*out = append(*out, Problem{Pointer: ve.InstanceLocation, Message: ve.Message, Keyword: ve.KeywordLocation})
		return
	}
	for _, c := range ve.Causes {
		collectProblems(c, out)
	}
}
