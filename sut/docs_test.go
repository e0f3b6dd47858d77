package sut_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// protocolDoc is the protocol's documentation, relative to this package.
const protocolDoc = "../docs/sut-protocol.md"

// paramsOf returns a new value of the params type of an action, nil for
// actions without params.
func paramsOf(a sut.Action) any {
	switch a {
	case sut.ActionRegisterClient:
		return &sut.RegisterClientParams{}
	case sut.ActionOpenClientRelation, sut.ActionUpdateClientRelation, sut.ActionEndClientRelation:
		return &sut.ClientRelationParams{}
	case sut.ActionReplaceTemporaryID:
		return &sut.ReplaceTemporaryIDParams{}
	case sut.ActionOpenCase, sut.ActionCloseCase:
		return &sut.CaseParams{}
	case sut.ActionStoreDocument:
		return &sut.DocumentParams{}
	case sut.ActionNewVersion:
		return &sut.VersionParams{}
	case sut.ActionAnnul:
		return &sut.AnnulParams{}
	case sut.ActionSearch:
		return &sut.SearchParams{}
	}
	return nil
}

// strict decodes b into v refusing unknown fields: the documentation's
// examples must use the protocol's field names exactly.
func strict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// TestDocumentationExamples checks every JSON example of
// docs/sut-protocol.md against the Go types: requests decode with their
// action's params, answers pass CheckAnswer against the request with the
// same id, every action has an example, and every identity code is a
// valid test identity.
func TestDocumentationExamples(t *testing.T) {
	doc, err := os.ReadFile(protocolDoc)
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) < 20 {
		t.Fatalf("found %d JSON examples, want at least 20", len(blocks))
	}
	requests := map[string]sut.Request{}
	var actions []sut.Action
	answers := 0
	for i, b := range blocks {
		body := b[1]
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(body, &keys); err != nil {
			t.Errorf("example %d is not a JSON object: %v\n%s", i+1, err, body)
			continue
		}
		switch {
		case keys["action"] != nil:
			var req sut.Request
			if err := strict(body, &req); err != nil {
				t.Errorf("example %d, a request: %v\n%s", i+1, err, body)
				continue
			}
			if req.Protocol != sut.Protocol || req.ID == "" || req.Archive == "" {
				t.Errorf("example %d: request lacks protocol, id or archive:\n%s", i+1, body)
			}
			if !slices.Contains(sut.Actions(), req.Action) {
				t.Errorf("example %d: unknown action %q", i+1, req.Action)
			}
			if p := paramsOf(req.Action); p != nil {
				if err := strict(req.Params, p); err != nil {
					t.Errorf("example %d: %s params: %v\n%s", i+1, req.Action, err, body)
				}
			} else if len(req.Params) != 0 {
				t.Errorf("example %d: %s has params", i+1, req.Action)
			}
			requests[req.ID] = req
			actions = append(actions, req.Action)
		case keys["status"] != nil:
			answers++
			var a sut.Answer
			if err := strict(body, &a); err != nil {
				t.Errorf("example %d, an answer: %v\n%s", i+1, err, body)
				continue
			}
			req, ok := requests[a.ID]
			if !ok {
				t.Errorf("example %d answers %q, which no example before it asks", i+1, a.ID)
				continue
			}
			if err := sut.CheckAnswer(req, &a); err != nil {
				t.Errorf("example %d: %v", i+1, err)
			}
		case keys["error"] != nil:
		default:
			t.Errorf("example %d is neither a request, an answer nor an error:\n%s", i+1, body)
		}
	}
	for _, a := range sut.Actions() {
		if !slices.Contains(actions, a) {
			t.Errorf("no example of action %s", a)
		}
	}
	if answers < len(sut.Actions()) {
		t.Errorf("%d answer examples, want at least one per action (%d)", answers, len(sut.Actions()))
	}

	// Every identity code in the page is a valid test identity.
	codes := regexp.MustCompile(`\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b`).FindAll(doc, -1)
	if len(codes) == 0 {
		t.Fatal("no identity codes found")
	}
	for _, c := range codes {
		code, err := hetu.Parse(string(c))
		if err != nil {
			t.Errorf("identity code %s: %v", c, err)
		} else if !code.Test {
			t.Errorf("identity code %s is not a test identity", c)
		}
	}
}
