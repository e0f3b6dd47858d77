package sosmeta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Meta is a structure's top-level sosmeta block.
type Meta struct {
	// Title is the schema's title, e.g. "'Asia-asiakirja' JSON schema".
	Title string
	// Status is Valmis, Vanhentunut or another Sosmeta status.
	Status Status
	// OID is the structure's OID as the block states it.
	OID string
	// DocumentType is the structure's document type (asiakirjatyyppi), e.g.
	// "Suunnitelma", "Asia-asiakirja".
	DocumentType string
	// DocumentAuthor is who writes such documents, e.g. "Ammattihenkilö".
	DocumentAuthor string
	// DocumentSubject is the group of structures it belongs to, e.g. "Asia-
	// ja asiakkuusasiakirja", "Lapsiperheiden palvelujen asiakasasiakirjat".
	DocumentSubject string
	// DocumentDefinitionVersion is the structure's version date.
	DocumentDefinitionVersion string
	// DataComponentLibraryVersion is the version of the data component
	// library it was made with.
	DataComponentLibraryVersion string
}

// Structure is one compiled document structure (asiakirjarakenne).
type Structure struct {
	// OID is the structure's OID, the file name it was read from.
	OID string
	// Meta is its sosmeta block; zero for a schema without one (the
	// embedded fallback schemas have none).
	Meta Meta
	// Source is where the structure comes from.
	Source Source

	schema *jsonschema.Schema
}

// Field is what a structure says about one field.
type Field struct {
	// Name is the field's Finnish name (nimi), "" when the schema names
	// none.
	Name string
	// NameSV is its Swedish name.
	NameSV string
	// CodeSystem is the OID of the code system a coded field must use, ""
	// for a field without a classification that names one.
	CodeSystem string
	// Classification is the classification's Finnish text, e.g.
	// "Koodistopalvelin: Sosiaalihuolto - Asian tila 1.2.246.537.6.1501".
	Classification string
}

// Problem is one violation of a structure by a document.
type Problem struct {
	// Pointer is the JSON pointer (RFC 6901) of the offending value; "" is
	// the whole document.
	Pointer string
	// Field is the Finnish name of the field at Pointer, "" when the
	// structure names none.
	Field string
	// Message says what is wrong.
	Message string
	// Keyword is the schema location of the failing keyword.
	Keyword string
	// CodeSystem is set for a classification problem: the code system the
	// field must use.
	CodeSystem string
}

// String returns "pointer (field): message".
func (p Problem) String() string {
	ptr := p.Pointer
	if ptr == "" {
		ptr = "/"
	}
	if p.Field != "" {
		ptr += " (" + p.Field + ")"
	}
	return ptr + ": " + p.Message
}

// schemaURL is the URL a schema is compiled under; nothing is fetched from
// it.
const schemaURL = "https://sosmeta.yhteistestaus.invalid/structure.json"

// extName is the keyword, and the extension name, of Sosmeta's blocks.
const extName = "sosmeta"

// Parse compiles one structure's JSON Schema (draft-07 as THL exports
// them, or 2020-12 when the schema says so or says nothing). The schema may
// not refer to anything outside itself. Parse reads the top-level sosmeta
// block into Meta and the fields' blocks for names and classifications.
func Parse(data []byte) (st *Structure, err error) {
	if len(data) > MaxSchemaSize {
		return nil, fmt.Errorf("compile schema: larger than %d bytes", MaxSchemaSize)
	}
	defer func() {
		// The compiler is not ours; a schema it cannot handle is an error,
		// never a crash.
		if r := recover(); r != nil {
			st, err = nil, fmt.Errorf("compile schema: %v", r)
		}
	}()
	sch, err := compile(data)
	if err != nil {
		// THL's export has a structure whose enum lists one value twice
		// (1.2.246.537.6.1506.4018.2022.9.28), which draft-07's meta-schema
		// forbids. A repeated value means nothing to validation, so the
		// structure is compiled without the repeats rather than refused.
		fixed, changed := dropEnumRepeats(data)
		if !changed {
			return nil, err
		}
		if sch, err = compile(fixed); err != nil {
			return nil, err
		}
	}
	st = &Structure{schema: sch}
	if a := annotationOf(sch); a != nil {
		st.Meta = a.meta
	}
	return st, nil
}

// compile compiles one schema with the sosmeta keyword and no outside
// references.
func compile(data []byte) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.LoadURL = func(u string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("a structure may not load %s", u)
	}
	c.RegisterExtension(extName, nil, extCompiler{})
	if err := c.AddResource(schemaURL, bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("compile schema: %w", err)
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("compile schema: %w", err)
	}
	return sch, nil
}

// dropEnumRepeats removes repeated values from every enum of a schema. It
// reports whether it changed anything; data that is not JSON is left to
// the compiler to refuse.
func dropEnumRepeats(data []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	if !dropRepeats(doc, 0) {
		return nil, false
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, false
	}
	return out, true
}

func dropRepeats(v any, depth int) bool {
	if depth > 256 {
		return false
	}
	changed := false
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if list, ok := child.([]any); ok && k == "enum" {
				seen := map[string]bool{}
				kept := list[:0:0]
				for _, it := range list {
					key, err := json.Marshal(it)
					if err == nil && seen[string(key)] {
						changed = true
						continue
					}
					seen[string(key)] = true
					kept = append(kept, it)
				}
				t[k] = kept
				continue
			}
			if dropRepeats(child, depth+1) {
				changed = true
			}
		}
	case []any:
		for _, child := range t {
			if dropRepeats(child, depth+1) {
				changed = true
			}
		}
	}
	return changed
}

// Validate validates a decoded document (map[string]any, []any, string,
// json.Number, float64, bool, nil) against the structure. It returns every
// violation, ordered by pointer; nil when the document conforms.
// Classification problems replace the structure's own pattern problem on
// the same code object's system.
func (st *Structure) Validate(doc any) []Problem {
	err := st.schema.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Problem{{Message: err.Error()}}
	}
	var leaves []*jsonschema.ValidationError
	collectLeaves(ve, &leaves)
	classified := map[string]bool{}
	for _, l := range leaves {
		if strings.HasSuffix(l.KeywordLocation, "/"+extName) || l.KeywordLocation == extName {
			classified[l.InstanceLocation+"/system"] = true
		}
	}
	var out []Problem
	for _, l := range leaves {
		if classified[l.InstanceLocation] && strings.HasSuffix(l.KeywordLocation, "/pattern") {
			continue
		}
		f := st.Field(l.InstanceLocation)
		p := Problem{Pointer: l.InstanceLocation, Field: f.Name, Message: l.Message, Keyword: l.KeywordLocation}
		switch {
		case strings.HasSuffix(l.KeywordLocation, "/"+extName):
			p.CodeSystem = f.CodeSystem
		case strings.HasSuffix(l.KeywordLocation, "/required"):
			p.Message = st.missingMessage(l, doc)
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out
}

func collectLeaves(ve *jsonschema.ValidationError, out *[]*jsonschema.ValidationError) {
	if len(ve.Causes) == 0 {
		*out = append(*out, ve)
		return
	}
	for _, c := range ve.Causes {
		collectLeaves(c, out)
	}
}

// missingMessage names the missing mandatory fields of a "required"
// failure with their Finnish names.
func (st *Structure) missingMessage(l *jsonschema.ValidationError, doc any) string {
	node := st.node(l.InstanceLocation)
	obj, _ := instanceAt(doc, l.InstanceLocation).(map[string]any)
	if node == nil || obj == nil {
		return l.Message
	}
	var missing []string
	for _, key := range node.Required {
		if _, ok := obj[key]; ok {
			continue
		}
		name := key
		if f := fieldOf(node.Properties[key]); f.Name != "" {
			name = fmt.Sprintf("%s (%s)", key, f.Name)
		}
		missing = append(missing, name)
	}
	if len(missing) == 0 {
		return l.Message
	}
	return "missing mandatory field(s): " + strings.Join(missing, ", ")
}

// Field returns what the structure says about the field at the JSON
// pointer of a document: its names and classification. A pointer the
// structure does not describe gives the zero Field.
func (st *Structure) Field(pointer string) Field {
	return fieldOf(st.node(pointer))
}

// fieldOf reads a schema node's annotation; an array without one takes its
// items'.
func fieldOf(s *jsonschema.Schema) Field {
	s = deref(s)
	if s == nil {
		return Field{}
	}
	if a := annotationOf(s); a != nil && a.field.Name != "" {
		return a.field
	}
	if it := itemsOf(s); it != nil {
		if a := annotationOf(it); a != nil {
			return a.field
		}
	}
	if a := annotationOf(s); a != nil {
		return a.field
	}
	return Field{}
}

// node walks the schema along a document's JSON pointer.
func (st *Structure) node(pointer string) *jsonschema.Schema {
	s := deref(st.schema)
	for _, tok := range pointerTokens(pointer) {
		if s == nil {
			return nil
		}
		if _, err := strconv.Atoi(tok); err == nil {
			if it := itemsOf(s); it != nil {
				s = deref(it)
				continue
			}
		}
		s = deref(s.Properties[tok])
	}
	return s
}

func itemsOf(s *jsonschema.Schema) *jsonschema.Schema {
	if s.Items2020 != nil {
		return s.Items2020
	}
	if it, ok := s.Items.(*jsonschema.Schema); ok {
		return it
	}
	return nil
}

// deref follows $ref (to a bounded depth).
func deref(s *jsonschema.Schema) *jsonschema.Schema {
	for i := 0; s != nil && s.Ref != nil && i < 32; i++ {
		s = s.Ref
	}
	return s
}

// pointerTokens splits a JSON pointer into unescaped tokens.
func pointerTokens(pointer string) []string {
	if pointer == "" || pointer == "/" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts
}

// instanceAt returns the document's value at the pointer, nil when absent.
func instanceAt(doc any, pointer string) any {
	v := doc
	for _, tok := range pointerTokens(pointer) {
		switch t := v.(type) {
		case map[string]any:
			v = t[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

// --- the sosmeta keyword ----------------------------------------------------

// annotation is a compiled sosmeta block.
type annotation struct {
	meta  Meta
	field Field
}

func annotationOf(s *jsonschema.Schema) *annotation {
	if s == nil {
		return nil
	}
	a, _ := s.Extensions[extName].(*annotation)
	return a
}

// extCompiler compiles sosmeta blocks.
type extCompiler struct{}

var (
	// classificationOID is the OID in a classification text such as
	// "Koodistopalvelin: Sosiaalihuolto - Asian tila 1.2.246.537.6.1501".
	classificationOID = regexp.MustCompile(`(?s)^\s*Koodistopalvelin:.*?\b([0-2](?:\.[0-9]+){3,})`)
	// systemPattern is the pattern THL puts on a code object's system:
	// ^urn:oid:1\.2\.246\.537\.6\.1501(\.\d+)*$.
	systemPattern = regexp.MustCompile(`^\^urn:oid:((?:[0-9]+\\\.)+[0-9]+)\(`)
)

// Compile reads the sosmeta block of one schema object.
func (extCompiler) Compile(_ jsonschema.CompilerContext, m map[string]any) (jsonschema.ExtSchema, error) {
	block, ok := m[extName].(map[string]any)
	if !ok {
		return nil, nil
	}
	a := &annotation{meta: Meta{
		Title:                       str(block, "title"),
		Status:                      Status(str(block, "status")),
		OID:                         str(block, "oid"),
		DocumentType:                str(block, "documentType"),
		DocumentAuthor:              str(block, "documentAuthor"),
		DocumentSubject:             str(block, "documentSubject"),
		DocumentDefinitionVersion:   str(block, "documentDefinitionVersion"),
		DataComponentLibraryVersion: str(block, "dataComponentLibraryVersion"),
	}}
	a.field.Name = localized(block["name"], "fi")
	a.field.NameSV = localized(block["name"], "sv")
	a.field.Classification = localized(block["classification"], "fi")
	if mm := classificationOID.FindStringSubmatch(a.field.Classification); mm != nil {
		a.field.CodeSystem = strings.TrimSuffix(mm[1], ".")
	}
	// The structure's own pattern on the system is the more exact
	// statement (it may name a sub-list of the classification's OID).
	if props, ok := m["properties"].(map[string]any); ok && a.field.Classification != "" {
		if sys, ok := props["system"].(map[string]any); ok {
			if mm := systemPattern.FindStringSubmatch(str(sys, "pattern")); mm != nil {
				a.field.CodeSystem = strings.ReplaceAll(mm[1], `\.`, ".")
			}
		}
	}
	return a, nil
}

// Validate checks a classified code object: its system must be the
// field's code system (or, as THL's own patterns allow, an OID under it).
func (a *annotation) Validate(ctx jsonschema.ValidationContext, v any) error {
	if a.field.CodeSystem == "" {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	sys, ok := obj["system"].(string)
	if !ok {
		return nil
	}
	oid := strings.TrimPrefix(sys, "urn:oid:")
	if oid == a.field.CodeSystem || strings.HasPrefix(oid, a.field.CodeSystem+".") {
		return nil
	}
	return ctx.Error(extName, "code system %q is not the field's classification %s (%s)", sys, "urn:oid:"+a.field.CodeSystem, a.field.Classification)
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return strings.TrimSpace(s)
}

// localized picks the value of one language from Sosmeta's
// [{"lang": "fi", "value": …}, …] lists.
func localized(v any, lang string) string {
	list, ok := v.([]any)
	if !ok {
		return ""
	}
	for _, it := range list {
		m, ok := it.(map[string]any)
		if ok && str(m, "lang") == lang {
			return str(m, "value")
		}
	}
	return ""
}
