package excerpt

import (
	"os"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/sharedtest"
)

// FuzzOf feeds hostile messages and locations to Of: it must never panic,
// and an excerpt stays within its bounds.
func FuzzOf(f *testing.F) {
	f.Add([]byte(frame), "/RCMR_IN200002FI01/controlActProcess/reasonCode[2]")
	f.Add([]byte(`<ClinicalDocument><a><b c="010101-123N"/></a></ClinicalDocument>`), "a/b/@c")
	f.Add([]byte(`<ClinicalDocument><json>eyJhIjpbMSx7ImIiOiJ4In1dfQ==</json></ClinicalDocument>`), "/ClinicalDocument/json#/a/1/b")
	f.Add([]byte(`<ClinicalDocument><x y="1"><z/></x></ClinicalDocument>`), "x[z/@y='1'] (note)")
	if p, err := sharedtest.Lookup("samples", "kanta-sh-public", "plan-document.xml"); err == nil {
		d, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(d, "/ClinicalDocument/component/nonXMLBody/json#/lapsiperheiden_palvelujen_asiakassuunnitelma/asiakas/0")
		f.Add(d, "localSocialHeader/nothing")
	}
	f.Fuzz(func(t *testing.T, data []byte, location string) {
		got, err := Of(Message{Document: data, Frame: data}, location)
		if err != nil {
			return
		}
		if n := strings.Count(got, "\n"); n > maxLines+1 {
			t.Fatalf("%d lines", n)
		}
	})
}

// FuzzMasked feeds hostile message parts to Masked: it must never panic,
// and every identity code left in it is one of the test series.
func FuzzMasked(f *testing.F) {
	f.Add([]byte(frame))
	f.Add([]byte(`<ClinicalDocument><a><b c="010101-123N"/></a></ClinicalDocument>`))
	f.Add([]byte(`<ClinicalDocument><json>eyJhIjoiMDEwMTAxLTEyM04ifQ==</json></ClinicalDocument>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := Masked(data)
		for _, code := range hetuPattern.FindAll(got, -1) {
			if hetu.Mask(string(code)) != string(code) {
				t.Fatalf("code %s in clear: %s", code, got)
			}
		}
	})
}
