package wire_test

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/sharedtest"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// ne2008Schema returns the HL7 V3 Normative Edition 2008 schema of
// MCCI_IN000002UV01 in ../shared/hl7v3, skipping the test when it or
// xmllint is missing.
func ne2008Schema(t *testing.T) string {
	t.Helper()
	xsd := sharedtest.Dir(t, "hl7v3", "NE2008", "multicacheschemas", "MCCI_IN000002UV01.xsd")
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint is not installed (Debian package libxml2-utils; .ci/run installs it)")
	}
	return xsd
}

// schemaCheck writes the MCCI_IN000002UV01 of a SOAP answer as a document
// of its own and validates it with xmllint against xsd.
func schemaCheck(t *testing.T, xsd string, answer []byte) error {
	t.Helper()
	env := etree.NewDocument()
	if err := env.ReadFromBytes(answer); err != nil {
		t.Fatal(err)
	}
	m := env.FindElement("/Envelope/Body/MCCI_IN000002UV01")
	if m == nil {
		t.Fatalf("no MCCI_IN000002UV01 in the answer:\n%s", answer)
	}
	doc := etree.NewDocument()
	doc.SetRoot(m.Copy())
	path := filepath.Join(t.TempDir(), "ack.xml")
	if err := doc.WriteToFile(path); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", xsd, path).CombinedOutput()
	if err != nil {
		return &schemaError{out: string(out)}
	}
	return nil
}

type schemaError struct{ out string }

func (e *schemaError) Error() string { return e.out }

// Every acknowledgement the archive writes (AA, AE, AR; with findings of
// every severity and the operation) validates against the HL7 V3 NE2008
// MCCI_IN000002UV01 schema, in both SOAP versions. The attribute form
// does not, which shows that the check can fail.
func TestAcknowledgementsValidateAgainstNE2008(t *testing.T) {
	xsd := ne2008Schema(t)
	details := []yhteistestaus.Finding{
		{Rule: "SIG-DIGEST", Severity: yhteistestaus.SeverityError, Message: "digest & <value> differ", Location: "/ClinicalDocument/x", Source: "handbook 9.10"},
		{Rule: "CODE-UNKNOWN", Severity: yhteistestaus.SeverityWarning, Message: "w"},
		{Rule: "CODE-UNLISTED", Severity: yhteistestaus.SeverityInfo, Message: "i", Location: "/a"},
	}
	base := wire.Acknowledgement{
		ID: "7", IDRoot: kanta.OIDArchive, CreationTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		TargetMessageID: "10037140046", TargetMessageRoot: "1.2.246.10.27489432.10.1",
		Sender: kanta.OIDArchive, Receiver: "1.2.246.10.27489432.10.2",
	}
	tests := []struct {
		name      string
		typeCode  string
		details   []yhteistestaus.Finding
		operation string
	}{
		{"AA stored", kanta.AckAccepted, nil, "store"},
		{"AE with findings", kanta.AckError, details, ""},
		{"AR with findings", kanta.AckRejected, details[:1], ""},
	}
	for _, version := range []string{"1.1", "1.2"} {
		for _, tt := range tests {
			t.Run(version+"/"+tt.name, func(t *testing.T) {
				ack := base
				ack.TypeCode, ack.Details, ack.Operation = tt.typeCode, tt.details, tt.operation
				var buf bytes.Buffer
				if _, err := wire.WriteAcknowledgement(&buf, version, ack); err != nil {
					t.Fatal(err)
				}
				if err := schemaCheck(t, xsd, buf.Bytes()); err != nil {
					t.Errorf("NE2008 form does not validate:\n%v\n%s", err, buf.Bytes())
				}
				ack.Form = wire.AckFormAttribute
				buf.Reset()
				if _, err := wire.WriteAcknowledgement(&buf, version, ack); err != nil {
					t.Fatal(err)
				}
				if err := schemaCheck(t, xsd, buf.Bytes()); err == nil {
					t.Errorf("attribute form validates against NE2008, want it refused")
				}
			})
		}
	}
}
