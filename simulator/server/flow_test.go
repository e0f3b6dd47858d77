package server_test

import (
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// Store, new version and annulment of a client relation document travel
// over real HTTP as SOAP; each acknowledgement is parsed back and says what
// the archive did.
func TestStoreNewVersionAnnulOverSOAP(t *testing.T) {
	s := startServer(t)
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	key, cert, err := signature.NewTestCertificate("flow test", at)
	if err != nil {
		t.Fatal(err)
	}
	org := compose.Organisation{OID: "1.2.246.10.32213561.10.0", Name: "Vantaan ja Keravan hyvinvointialue",
		ServiceUnitOID: "1.2.246.10.1246109.10.2001213", ServiceUnitName: "Lapsiperheiden palvelutarpeen arviointi"}
	sender := &compose.Professional{Hetu: "010714-9983", Given: "Holger", Family: "Ovaskainen"}
	const set = "1.2.246.10.32213561.95777.2026.77."
	doc := func(version int, annul bool) (frame, document []byte) {
		d := &compose.Document{
			Group: kanta.KindClientRelation, ID: set + string(rune('0'+version)), SetID: set + "1", Version: version,
			Annul: annul, Clients: []compose.Person{{Hetu: "200111A904P", Given: "Kanta-Jade", Family: "Tietosuojatestaus"}},
			Custodian: org, EffectiveTime: at.Add(time.Duration(version) * time.Minute), GuardianConsent: "1",
			ServiceTask: "24", Signers: []compose.Signer{{Key: key, Cert: cert}},
		}
		if version > 1 {
			d.PreviousID = set + string(rune('0'+version-1))
		}
		document, err := d.Build()
		if err != nil {
			t.Fatalf("build version %d: %v", version, err)
		}
		frame, err = compose.Frame(d, compose.FrameOptions{MessageID: "7700" + string(rune('0'+version)), Performer: sender})
		if err != nil {
			t.Fatalf("frame version %d: %v", version, err)
		}
		return frame, document
	}
	steps := []struct {
		name      string
		version   int
		annul     bool
		wantType  string
		wantOp    string
		wantRule  string
		packaging wire.Packaging
	}{
		{"store the first version", 1, false, kanta.AckAccepted, "store", "", wire.SwA},
		{"store a new version", 2, false, kanta.AckAccepted, "new-version", "", wire.MTOM},
		{"annul", 3, true, kanta.AckAccepted, "annul", "", wire.InlineBase64},
		{"nothing on top of the annulment", 4, false, kanta.AckError, "new-version", "ARC-ANNULLED", wire.SwA},
	}
	for _, st := range steps {
		frame, document := doc(st.version, st.annul)
		ack := post(t, s.URL()+"/s/flow/soap", "1.2", st.packaging, frame, document)
		if ack.TypeCode != st.wantType || ack.Operation != st.wantOp {
			t.Errorf("%s: ack %s operation %q, want %s %q (errors %v)", st.name, ack.TypeCode, ack.Operation, st.wantType, st.wantOp, ruleIDs(ack, "error"))
		}
		if st.wantRule != "" && !contains(ruleIDs(ack, "error"), st.wantRule) {
			t.Errorf("%s: errors %v, want %s", st.name, ruleIDs(ack, "error"), st.wantRule)
		}
	}
}
