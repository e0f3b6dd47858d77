package body

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta/sosmetatest"
)

// instanceOf makes a document that a real Sosmeta schema allows: every
// property (full) or only the mandatory ones, one item per array (or the
// minimum), and for strings the first of a few typical values that the
// field's pattern accepts (dates, times, urn:oid code systems).
func instanceOf(tb testing.TB, schema map[string]any, full bool, depth int) any {
	tb.Helper()
	if depth > 64 {
		tb.Fatal("schema nested too deeply for the instance generator")
	}
	if enum, ok := schema["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	switch schema["type"] {
	case "object":
		out := map[string]any{}
		props, _ := schema["properties"].(map[string]any)
		required := map[string]bool{}
		for _, r := range asList(schema["required"]) {
			required[r.(string)] = true
		}
		for k, v := range props {
			if full || required[k] {
				out[k] = instanceOf(tb, v.(map[string]any), full, depth+1)
			}
		}
		return out
	case "array":
		n := 1
		if m, ok := schema["minItems"].(float64); ok && int(m) > n {
			n = int(m)
		}
		items, _ := schema["items"].(map[string]any)
		out := make([]any, n)
		for i := range out {
			out[i] = instanceOf(tb, items, full, depth+1)
		}
		return out
	case "boolean":
		return true
	case "integer", "number":
		if m, ok := schema["minimum"].(float64); ok {
			return m
		}
		return 1.0
	case "string":
		pattern, _ := schema["pattern"].(string)
		if pattern == "" {
			return "Teksti"
		}
		re := regexp.MustCompile(pattern)
		candidates := []string{"2024-01-31", "2024-01-31T12:00:00+02:00", "12:00:00", "2024-01-31 12:00:00", "1", "Teksti"}
		if m := regexp.MustCompile(`urn:oid:((?:[0-9]+\\\.)+[0-9]+)`).FindStringSubmatch(pattern); m != nil {
			candidates = append([]string{"urn:oid:" + strings.ReplaceAll(m[1], `\.`, ".")}, candidates...)
		}
		for _, c := range candidates {
			if re.MatchString(c) {
				return c
			}
		}
		tb.Fatalf("no candidate value matches the pattern %q", pattern)
	}
	return "Teksti"
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestEmbeddedFallbackNeverRejectsWhatTHLAllows runs the real samples and
// documents made from THL's structures through both sources: whatever THL's
// structure of an OID allows, the embedded fallback schema of the same OID
// allows too. The documents are the real samples, the plan with its real
// optional field lisatiedot, and for every OID both sets have, a document
// with every field of THL's structure filled and one with only the
// mandatory ones.
func TestEmbeddedFallbackNeverRejectsWhatTHLAllows(t *testing.T) {
	real, own := sosmetatest.Open(t), defaultSchemas(t)
	type variant struct {
		name, oid string
		doc       any
	}
	var variants []variant
	for _, s := range loadSamples(t) {
		doc, err := DecodeJSON(s.content.JSON)
		if err != nil {
			t.Fatal(err)
		}
		variants = append(variants, variant{"sample " + s.name, s.contentSpecID, doc})
	}
	plan, err := DecodeJSON([]byte(samplePlanJSON(t)))
	if err != nil {
		t.Fatal(err)
	}
	plan.(map[string]any)["lapsiperheiden_palvelujen_asiakassuunnitelma"].(map[string]any)["lisatiedot"] = "Suunnitelma tarkistetaan syksyllä."
	variants = append(variants, variant{"plan with lisatiedot", planID, plan})
	shared := 0
	for _, oid := range own.OIDs() {
		if !real.Has(oid) {
			continue
		}
		shared++
		path, err := findStructureFile(sosmetatest.Dir(t), oid)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var schema map[string]any
		if err := json.Unmarshal(raw, &schema); err != nil {
			t.Fatal(err)
		}
		for _, full := range []bool{true, false} {
			name := fmt.Sprintf("%s with every field", oid)
			if !full {
				name = fmt.Sprintf("%s with the mandatory fields only", oid)
			}
			variants = append(variants, variant{name, oid, instanceOf(t, schema, full, 0)})
		}
	}
	if shared < 3 {
		t.Fatalf("only %d embedded OIDs are THL's, want the client relation, case and plan structures", shared)
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			// Through JSON once, as a received body is decoded.
			data, err := json.Marshal(v.doc)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := DecodeJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			probs, err := real.Validate(v.oid, doc)
			if err != nil {
				t.Fatal(err)
			}
			if len(probs) > 0 {
				t.Fatalf("THL's structure refuses the variant (a defect of the test): %v", probs)
			}
			ownProbs, err := own.Validate(v.oid, doc)
			if err != nil {
				t.Fatal(err)
			}
			if len(ownProbs) > 0 {
				t.Errorf("the embedded fallback refuses what THL's structure allows: %v", ownProbs)
			}
		})
	}
}

// findStructureFile finds the file of a structure in THL's export.
func findStructureFile(dir, oid string) (string, error) {
	for _, status := range []string{"Valmis", "Vanhentunut"} {
		p := filepath.Join(dir, status, oid+".json")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("structure %s is not in %s", oid, dir)
}
