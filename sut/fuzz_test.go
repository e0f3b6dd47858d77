package sut

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"testing"
)

// FuzzDecodeAnswer feeds the answer decoder of the HTTP and exec adapters
// with arbitrary bytes: it must return an answer or an error, never panic,
// and an answer it accepts must encode to JSON it accepts again unchanged.
// Seeds: the answers of docs/sut-protocol.md and a few broken ones.
func FuzzDecodeAnswer(f *testing.F) {
	if doc, err := os.ReadFile("../docs/sut-protocol.md"); err == nil {
		for _, block := range regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(doc, -1) {
			f.Add(block[1])
		}
	}
	for _, s := range []string{
		`{"protocol":"yhteistestaus-sut/1","id":"r-1","status":"ok","result":{"messageIds":["1.2.246.10.99999991.10.0^1"]}}`,
		`{"protocol":"yhteistestaus-sut/1","id":"r-1","status":"unsupported","message":"no"}`,
		`null`, `[]`, `"ok"`, `{}`, `{"result":{"documents":[{"version":"1"}]}}`,
		`{"id":"\ud800"}`, "{\"message\":\"\xff\xfe\"}", `{"protocol":"x"} trailing`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`,
	} {
		f.Add([]byte(s))
	}
	req := Request{Protocol: Protocol, ID: "r-1", Action: ActionStoreDocument}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := decodeAnswer(bytes.NewReader(data), 1<<16)
		if err != nil {
			if a != nil {
				t.Fatalf("error %v with an answer", err)
			}
			return
		}
		_ = CheckAnswer(req, a)
		if a == nil {
			return // JSON null: CheckAnswer says "no answer"
		}
		first, err := json.Marshal(a)
		if err != nil {
			t.Fatalf("encode a decoded answer: %v", err)
		}
		b, err := unmarshalAnswer(first)
		if err != nil {
			t.Fatalf("decode an encoded answer %s: %v", first, err)
		}
		second, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("answer changed on a round trip:\n%s\n%s", first, second)
		}
	})
}

// FuzzOperatorLine feeds the manual adapter's answer parser with
// arbitrary lines: it must accept or refuse, never panic, and what it
// accepts must be a well-formed answer to the request.
func FuzzOperatorLine(f *testing.F) {
	for _, s := range []string{
		"ok", "OK setId=1.2.246.10.99999991.95.2025.7 version=2 messageId=1.2.246.10.99999991.10.0^100000071",
		"unsupported no joint cases", "failed archive answered AE caseId=x", "ok version=x found=1.2.3 found=",
		"ok hetu=010280-952L tempId=1.2.246.10.99999991.22.2025.3", "valmis", "", "ok =", "\xff ok",
	} {
		f.Add(s)
	}
	reqs := []Request{
		{Protocol: Protocol, ID: "r-1", Action: ActionRegisterClient, Params: json.RawMessage(`{"ref":"c1","hetu":"010280-952L"}`)},
		{Protocol: Protocol, ID: "r-2", Action: ActionStoreDocument, Params: json.RawMessage(`{"docRef":"d1"}`)},
		{Protocol: Protocol, ID: "r-3", Action: ActionSearch, Params: json.RawMessage(`[broken`)},
	}
	f.Fuzz(func(t *testing.T, line string) {
		for _, req := range reqs {
			a, ok := parseOperatorLine(req, line)
			if !ok {
				if a != nil {
					t.Fatalf("refused %q with an answer", line)
				}
				continue
			}
			if err := CheckAnswer(req, a); err != nil {
				t.Fatalf("answer to %q: %v", line, err)
			}
		}
	})
}

// FuzzHandler posts arbitrary bodies to Handler: every response is 200,
// 400 or 413 with a JSON body, never a panic.
func FuzzHandler(f *testing.F) {
	for _, s := range []string{
		`{"protocol":"yhteistestaus-sut/1","id":"r-1","action":"describe"}`,
		`{"protocol":"yhteistestaus-sut/1","id":"r-2","action":"store-document","params":{"docRef":"d1","caseRef":"case-1","type":"decision"}}`,
		`{"protocol":"yhteistestaus-sut/2","id":"r-1","action":"describe"}`, `{}`, `null`, `[`, "",
	} {
		f.Add([]byte(s))
	}
	echo := DriverFunc(func(ctx context.Context, req Request) (*Answer, error) {
		var p DocumentParams
		if err := req.DecodeParams(&p); err != nil {
			return Failed(req, err.Error(), Result{}), nil
		}
		return OK(req, Result{Documents: []DocumentRef{{Ref: p.DocRef}}}), nil
	})
	h := Handler(echo)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("body is not JSON: %s", rec.Body)
		}
	})
}
