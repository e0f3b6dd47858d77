package server

import (
	"bytes"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteJSON(t *testing.T) {
	tests := []struct {
		name     string
		v        any
		wantBody string // contained in the body
		wantLog  string // contained in the log; "" for no log line
	}{
		{"markup is written as it is", map[string]string{"xml": "<a>&</a>"}, `"xml": "<a>&</a>"`, ""},
		{"an encoding failure is logged", map[string]float64{"x": math.NaN()}, "", "write JSON answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			s := &Server{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			rec := httptest.NewRecorder()
			s.writeJSON(rec, http.StatusOK, tt.v)
			if body := rec.Body.String(); !strings.Contains(body, tt.wantBody) {
				t.Errorf("got body %q, want it to contain %q", body, tt.wantBody)
			}
			switch got := logs.String(); {
			case tt.wantLog == "" && got != "":
				t.Errorf("got log %q, want none", got)
			case !strings.Contains(got, tt.wantLog):
				t.Errorf("got log %q, want it to contain %q", got, tt.wantLog)
			}
		})
	}
}
