package server_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/yhteistestaus/yhteistestaus/simulator/server"
)

const validationPath = "/shark-validointi/validoi/asiakirja/tulos"

// publicClient reproduces one version of the public SH-Kanta-validator
// client (github.com/Warc0ck/SH-Kanta-validator): the JSON request it
// builds from a frame and a document, and the rule by which it calls an
// answer a success.
type publicClient struct {
	name string
	// request returns the JSON object the client posts.
	request func(frame, document string) map[string]string
	// success is the client's success rule.
	success func(status int, body []byte) bool
}

// serviceRequest is what the clients read from the frame:
// controlActProcess/reasonCode/@code of the service request code system
// (the older client takes the first reasonCode, which is the same one in
// both samples).
func serviceRequest(frame string) string {
	m := regexp.MustCompile(`<reasonCode code="([^"]+)" codeSystem="1\.2\.246\.537\.6\.1503\.201601"`).FindStringSubmatch(frame)
	if m == nil {
		return ""
	}
	return m[1]
}

// utf8Declaration is the newer client's _utf8_xml_declaration: line ends
// to LF, and an XML declaration that says UTF-8 (added when missing).
func utf8Declaration(text string) string {
	text = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text)
	decl := regexp.MustCompile(`(?i)^\s*<\?xml\b[^?]*\?>`)
	m := decl.FindStringIndex(text)
	if m == nil {
		return `<?xml version="1.0" encoding="UTF-8"?>` + text
	}
	enc := regexp.MustCompile(`(?i)\bencoding\s*=\s*(['"])([^'"]+)(['"])`)
	return enc.ReplaceAllString(text[:m[1]], `encoding=${1}UTF-8${3}`) + text[m[1]:]
}

func uuid4(t *testing.T) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func publicClients(t *testing.T) []publicClient {
	return []publicClient{
		{
			// SHKanta_validointi.py: a fixed messageId, the document behind
			// a UTF-16 declaration on UTF-8 text, success on any 200.
			name: "older client",
			request: func(frame, document string) map[string]string {
				return map[string]string{
					"messageId":      "1234567890",
					"palveluPyynto":  serviceRequest(frame),
					"level":          "1",
					"siirtokehysXml": frame,
					"asiakirjaXml":   `<?xml version="1.0" encoding="utf-16"?> ` + document,
				}
			},
			success: func(status int, _ []byte) bool { return status == http.StatusOK },
		},
		{
			// validator_core.py and validator_response.py: a UUID, both
			// texts with a UTF-8 declaration, success only on an empty 200.
			name: "newer client",
			request: func(frame, document string) map[string]string {
				return map[string]string{
					"messageId":      uuid4(t),
					"palveluPyynto":  serviceRequest(frame),
					"level":          "1",
					"siirtokehysXml": utf8Declaration(frame),
					"asiakirjaXml":   utf8Declaration(document),
				}
			},
			success: func(status int, body []byte) bool {
				return status == http.StatusOK && len(bytes.TrimSpace(body)) == 0
			},
		},
	}
}

// pythonJSON encodes v as Python's json.dumps does by default (what
// requests.post(json=...) sends): ", " and ": " separators and every
// non-ASCII character as a \uXXXX escape.
func pythonJSON(t *testing.T, v map[string]string) []byte {
	keys := []string{"messageId", "palveluPyynto", "level", "siirtokehysXml", "asiakirjaXml"}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		writePythonString(&b, k)
		b.WriteString(": ")
		writePythonString(&b, v[k])
	}
	b.WriteByte('}')
	if !json.Valid(b.Bytes()) {
		t.Fatalf("not JSON: %s", b.Bytes())
	}
	return b.Bytes()
}

func writePythonString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r > 0x7e:
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(b, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// postValidation posts a body as the clients do (Content-Type
// application/json) and returns the status and body.
func postValidation(t *testing.T, url, contentType string, body []byte) (int, []byte) {
	t.Helper()
	status, _, b := roundTrip(t, http.MethodPost, url+validationPath, contentType, bytes.NewReader(body))
	return status, b
}

// The public validator client, both versions, works against the
// simulator unchanged: the restored sample pairs validate (HTTP 200, empty),
// five broken variants are rejected with HTTP 400, and the description,
// split on ";" as the clients split it, gives exactly one numbered item per
// error, naming the rule broken.
func TestPublicValidatorClient(t *testing.T) {
	s := startServer(t)
	crdFrame, crd := string(sample(t, "client-relation-frame.xml")), string(sample(t, "signature-restored/client-relation-document.xml"))
	planFrame, plan := string(sample(t, "plan-frame.xml")), string(sample(t, "signature-restored/plan-document.xml"))
	tests := []struct {
		name            string
		frame, document string
		wantRule        string // "" for a valid pair
	}{
		{"restored client relation pair", crdFrame, crd, ""},
		{"restored plan pair", planFrame, plan, ""},
		{"published plan, signature broken", planFrame, string(sample(t, "plan-document.xml")), "SIG-DIGEST"},
		{"frame sent to another receiver", strings.Replace(planFrame, `<id root="1.2.246.556.18007.2" />`, `<id root="1.2.246.10.1" />`, 1), plan, "FRAME-RECEIVER"},
		{"frame id without extension", strings.Replace(planFrame, `<id extension="10036249903" root=`, `<id root=`, 1), plan, "FRAME-ID"},
		{"document cut short", planFrame, strings.TrimSuffix(strings.TrimSpace(plan), "</ClinicalDocument>"), "XML-WELLFORMED"},
		{"document with a DTD", crdFrame, `<!DOCTYPE ClinicalDocument [<!ENTITY x "y">]>` + crd, "XML-DTD"},
	}
	item := regexp.MustCompile(`^\d+: [A-Z][A-Z0-9]*(-[A-Z0-9]+)+ `)
	for _, c := range publicClients(t) {
		for _, tt := range tests {
			t.Run(c.name+"/"+tt.name, func(t *testing.T) {
				status, body := postValidation(t, s.URL(), "application/json", pythonJSON(t, c.request(tt.frame, tt.document)))
				if got := c.success(status, body); got != (tt.wantRule == "") {
					t.Fatalf("client calls it success=%v, want %v (status %d: %s)", got, tt.wantRule == "", status, body)
				}
				if tt.wantRule == "" {
					if status != http.StatusOK || len(body) != 0 {
						t.Errorf("valid pair: status %d body %q, want 200 and an empty body", status, body)
					}
					return
				}
				if status != http.StatusBadRequest {
					t.Errorf("status %d, want 400", status)
				}
				var ve server.ValidationError
				if err := json.Unmarshal(body, &ve); err != nil {
					t.Fatalf("answer is not JSON: %v: %s", err, body)
				}
				items := strings.Split(ve.Description, ";")
				errs := ve.Findings.Errors()
				if len(items) != len(errs) {
					t.Errorf("description splits into %d items, want one per error (%d): %q", len(items), len(errs), ve.Description)
				}
				for i, it := range items {
					if !item.MatchString(it) || !strings.HasPrefix(it, fmt.Sprint(i+1)+": ") {
						t.Errorf("item %d %q is not \"N: RULE text\"", i+1, it)
					}
				}
				if !slices.Contains(errs.Rules(), tt.wantRule) {
					t.Errorf("errors %v, want %s", errs.Rules(), tt.wantRule)
				}
				for _, f := range ve.Findings {
					if strings.Contains(f.Message, ";") {
						t.Errorf("finding %s text contains ';': %q", f.Rule, f.Message)
					}
				}
			})
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// The request's edges: a body that is not JSON is 415, an unknown level and
// missing XML are 400 with a description, the messageId is in the log, the
// UTF-16 declaration of the older client is dropped with a note (on this
// JSON path only), and any other declaration that does not match the
// text is XML-ENCODING.
func TestValidationRequestEdges(t *testing.T) {
	var log syncBuffer
	s := startConfigured(t, func(s *server.Server) { s.Logger = slog.New(slog.NewTextHandler(&log, nil)) })
	planFrame, plan := string(sample(t, "plan-frame.xml")), string(sample(t, "signature-restored/plan-document.xml"))
	request := func(mutate func(*server.ValidationRequest)) []byte {
		req := server.ValidationRequest{MessageID: "msg-4711", ServiceRequest: "SP17", Level: "1", Frame: planFrame, Document: plan}
		mutate(&req)
		b, _ := json.Marshal(req)
		return b
	}
	tests := []struct {
		name        string
		contentType string
		body        []byte
		wantStatus  int
		wantText    string // in the description
		wantRules   []string
	}{
		{"form data instead of JSON", "application/x-www-form-urlencoded", []byte("siirtokehysXml=x"), http.StatusUnsupportedMediaType, "application/json", nil},
		{"no content type", "", request(func(*server.ValidationRequest) {}), http.StatusUnsupportedMediaType, "application/json", nil},
		{"not JSON", "application/json", []byte("<xml/>"), http.StatusBadRequest, "not valid JSON", nil},
		{"unknown level", "application/json", request(func(r *server.ValidationRequest) { r.Level = "3" }), http.StatusBadRequest, `level "3"`, nil},
		{"no document", "application/json", request(func(r *server.ValidationRequest) { r.Document = "" }), http.StatusBadRequest, "required", nil},
		{"palveluPyynto other than the frame's", "application/json", request(func(r *server.ValidationRequest) { r.ServiceRequest = "SP1" }), http.StatusBadRequest, "palveluPyynto SP1", []string{"FRAME-SERVICE-REQUEST"}},
		{"UTF-16 declaration on a broken frame: a note, and the real error", "application/json", request(func(r *server.ValidationRequest) {
			r.Frame = `<?xml version="1.0" encoding="utf-16"?> ` + strings.Replace(planFrame, `<id root="1.2.246.556.18007.2" />`, `<id root="1.2.246.10.1" />`, 1)
		}), http.StatusBadRequest, "FRAME-RECEIVER", []string{"XML-DECLARED-UTF16", "FRAME-RECEIVER"}},
		{"ISO-8859-1 declared on the UTF-8 frame", "application/json", request(func(r *server.ValidationRequest) {
			r.Frame = `<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n" + planFrame
		}), http.StatusBadRequest, "XML-ENCODING", []string{"XML-ENCODING"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := postValidation(t, s.URL(), tt.contentType, tt.body)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", status, tt.wantStatus, body)
			}
			var ve server.ValidationError
			if err := json.Unmarshal(body, &ve); err != nil {
				t.Fatalf("answer is not JSON: %v: %s", err, body)
			}
			if !strings.HasPrefix(ve.Description, "1: ") || !strings.Contains(ve.Description, tt.wantText) {
				t.Errorf("description %q, want \"1: ...\" with %q", ve.Description, tt.wantText)
			}
			for _, r := range tt.wantRules {
				if !slices.Contains(ve.Findings.Rules(), r) {
					t.Errorf("findings %v, want %s", ve.Findings.Rules(), r)
				}
			}
		})
	}
	if !strings.Contains(log.String(), "messageId=msg-4711") {
		t.Errorf("the log does not name the messageId:\n%s", log.String())
	}
}
