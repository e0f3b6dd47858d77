package reference_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/reference"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// FuzzDo sends arbitrary parameters to every action: the system answers
// or returns an error, and never panics. The requests name no archive, so
// nothing is sent.
func FuzzDo(f *testing.F) {
	for _, s := range fullFlow(f) {
		b, err := json.Marshal(s.params)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(s.action), b)
	}
	f.Add("store-document", []byte(`{"docRef":"x","caseRef":"y","type":"plan","delayUntil":"not a time"}`))
	f.Add("register-client", []byte(`{"ref":"a","hetu":"\u0000\u00ff","birthDate":"9999-12-31T00:00:00Z"}`))
	f.Add("annul", []byte(`[[[[[[[[[[]]]]]]]]]]`))
	f.Fuzz(func(t *testing.T, action string, params []byte) {
		sys := newSystem(t, reference.Options{})
		req := sut.Request{Protocol: sut.Protocol, ID: "f", Action: sut.Action(action), Params: params}
		// Register a client first, so that the client's actions get past
		// the lookup.
		reg, _ := sut.NewRequest("r", sut.ActionRegisterClient, "", sut.RegisterClientParams{Ref: "anna", Hetu: "200111A904P"})
		if _, err := sys.Do(context.Background(), reg); err != nil {
			t.Fatalf("register: %v", err)
		}
		a, err := sys.Do(context.Background(), req)
		if err != nil {
			return
		}
		if err := sut.CheckAnswer(req, a); err != nil {
			t.Errorf("answer to %s: %v", action, err)
		}
	})
}
