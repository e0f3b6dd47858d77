package reports

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
)

func TestResultsRoundTrip(t *testing.T) {
	run := fixtureRun()
	var buf bytes.Buffer
	if err := WriteResults(&buf, run); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "{\n  \"profile\": \"vaihe2-kasittely\",\n") {
		t.Errorf("results.json does not start with the indented profile field:\n%.80s", buf.String())
	}
	if !strings.Contains(buf.String(), `<observation classCode=\"OBS\"`) {
		t.Error("the excerpt is HTML-escaped in results.json; want it as written")
	}
	var back yhteistestaus.Run
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("decode results.json: %v", err)
	}
	if !reflect.DeepEqual(&back, run) {
		t.Errorf("results.json does not decode to the run it was written from\ngot:  %+v\nwant: %+v", back, *run)
	}
}
