package excerpt

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

func TestMaskedMasksEveryCodeOutsideTheTestSeriesAndKeepsTheRest(t *testing.T) {
	got := string(Masked(doc(t)))
	if strings.Contains(got, "010101-123N") {
		t.Errorf("the code outside the test series is shown in the text or an attribute:\n%s", got)
	}
	if !strings.Contains(got, `extension="010101A900R"`) || !strings.Contains(got, "client ***********") {
		t.Errorf("the test identity or the mask is not where the code was:\n%s", got)
	}
	// The structured content is decoded, masked and encoded again.
	b64 := regexp.MustCompile(`[A-Za-z0-9+/=]{60,}`).FindString(got)
	content, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("the structured content is no longer base64: %v\n%s", err, got)
	}
	if strings.Contains(string(content), "010101-123N") || !strings.Contains(string(content), `"value":"***********"`) || !strings.Contains(string(content), "010101A900R") {
		t.Errorf("the structured content is not masked as the excerpt masks it: %s", content)
	}
	// The masked message still gives the excerpts a finding points at.
	if _, err := Of(Message{Document: []byte(got)}, "localSocialHeader/documentGroup"); err != nil {
		t.Errorf("the masked document no longer reads: %v", err)
	}
}

func TestMaskedKeepsAMessageWithNothingToMaskAsReceived(t *testing.T) {
	for _, part := range []string{frame, "not xml 010101A900R", ""} {
		if got := string(Masked([]byte(part))); got != part {
			t.Errorf("Masked(%q) = %q, want it unchanged", part, got)
		}
	}
	if got := string(Masked([]byte("not xml 010101-123N"))); got != "not xml ***********" {
		t.Errorf("a part that is not XML has its text masked: got %q", got)
	}
}
