package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta/sosmetatest"
)

// resignedPlan writes the restored plan sample with its structured content
// changed by edit and its signatures made anew (two professional ones, as
// the sample has), and returns the file.
func resignedPlan(t *testing.T, edit func(root map[string]any)) string {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromFile(samplePath(t, "signature-restored/plan-document.xml")); err != nil {
		t.Fatal(err)
	}
	var jsonEl, coll *etree.Element
	for _, el := range doc.FindElements("//*") {
		switch el.Tag {
		case "json":
			jsonEl = el
		case "signatureCollection":
			coll = el
		}
	}
	if jsonEl == nil || coll == nil {
		t.Fatal("plan sample: no json or signatureCollection")
	}
	data, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(jsonEl.Text()), ""))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var content map[string]any
	if err := dec.Decode(&content); err != nil {
		t.Fatal(err)
	}
	edit(content["lapsiperheiden_palvelujen_asiakassuunnitelma"].(map[string]any))
	out, err := json.Marshal(content)
	if err != nil {
		t.Fatal(err)
	}
	jsonEl.SetText(base64.StdEncoding.EncodeToString(out))
	for _, s := range coll.ChildElements() {
		coll.RemoveChild(s)
	}
	key, cert, err := signature.NewTestCertificate("Sosmeta test signer", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := signature.Sign(doc, key, cert, signature.SignOptions{Type: "1"}); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "plan-document.xml")
	if err := doc.WriteToFile(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestValidateWithSosmeta: the real samples and a plan with a real
// optional field are valid by THL's structures and by the embedded
// fallback alike, and a finding names the structures that judged it.
func TestValidateWithSosmeta(t *testing.T) {
	sosmetaDir := sosmetatest.Dir(t)
	withLisatiedot := resignedPlan(t, func(p map[string]any) {
		p["lisatiedot"] = "Suunnitelma käydään läpi uudelleen syksyllä."
	})
	badDate := resignedPlan(t, func(p map[string]any) { p["paivamaara"] = "23.3.2026" })
	plan := func(doc string) []string {
		return []string{"--frame", samplePath(t, "plan-frame.xml"), "--document", doc}
	}
	crd := []string{"--frame", samplePath(t, "client-relation-frame.xml"), "--document", samplePath(t, "signature-restored/client-relation-document.xml")}
	tests := []struct {
		name       string
		sosmeta    string
		pair       []string
		wantStatus int
		wantOut    string
	}{
		{"restored client relation pair by THL's structures", sosmetaDir, crd, 0, "valid: 0 error(s)"},
		{"restored plan pair by THL's structures", sosmetaDir, plan(samplePath(t, "signature-restored/plan-document.xml")), 0, "valid: 0 error(s)"},
		{"plan with lisatiedot by THL's structures", sosmetaDir, plan(withLisatiedot), 0, "valid: 0 error(s)"},
		{"plan with lisatiedot by the embedded fallback", "", plan(withLisatiedot), 0, "valid: 0 error(s)"},
		{"a schema finding names THL's export", sosmetaDir, plan(badDate), 1, "Päivämäärä: does not match pattern"},
		{"a schema finding names the export's date", sosmetaDir, plan(badDate), 1, "judged by THL Sosmeta export 2025-05-20"},
		{"a schema finding names the embedded fallback", "", plan(badDate), 1, "judged by the embedded fallback schemas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"validate", "--sosmeta=" + tt.sosmeta}, tt.pair...)
			status, out, errs := run(t, args...)
			if status != tt.wantStatus {
				t.Errorf("status = %d, want %d\nstdout: %s\nstderr: %s", status, tt.wantStatus, out, errs)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout = %q, want it to contain %q", out, tt.wantOut)
			}
		})
	}
}

func TestValidateSosmetaFolderMissing(t *testing.T) {
	status, _, errs := run(t, "validate", "--sosmeta", filepath.Join(t.TempDir(), "nope"), "--frame", samplePath(t, "plan-frame.xml"),
		"--document", samplePath(t, "signature-restored/plan-document.xml"))
	if status != exitUsage || !strings.Contains(errs, "sosmeta") {
		t.Errorf("status = %d, stderr %q; want %d and an error naming the folder", status, errs, exitUsage)
	}
}
