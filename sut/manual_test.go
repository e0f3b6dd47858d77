package sut_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/sut"
)

// syncBuffer is a bytes.Buffer safe for the adapter's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// silentOperator is an operator who never types: reads block until the
// test ends.
func silentOperator(t *testing.T) io.Reader {
	r, w := io.Pipe()
	t.Cleanup(func() { w.Close() })
	return r
}

func TestManualOperatorAnswers(t *testing.T) {
	req := storeDecision(t)
	tests := []struct {
		name string
		line string
		want *sut.Answer
	}{
		{"ok with identifiers",
			"ok setId=1.2.246.10.99999991.95.2025.7 documentId=1.2.246.10.99999991.95.2025.7 version=1 messageId=1.2.246.10.99999991.10.0^100000071\n",
			&sut.Answer{Protocol: sut.Protocol, ID: "r-7", Status: sut.StatusOK, Result: sut.Result{
				MessageIDs: []string{"1.2.246.10.99999991.10.0^100000071"},
				Documents: []sut.DocumentRef{{Ref: "decision-1", DocumentID: "1.2.246.10.99999991.95.2025.7",
					SetID: "1.2.246.10.99999991.95.2025.7", Version: 1}},
			}}},
		{"plain ok", "OK\n", &sut.Answer{Protocol: sut.Protocol, ID: "r-7", Status: sut.StatusOK}},
		{"unsupported with the reason", "unsupported our system has no decisions\n",
			&sut.Answer{Protocol: sut.Protocol, ID: "r-7", Status: sut.StatusUnsupported, Message: "our system has no decisions"}},
		{"failed with the reason and what was sent", "failed archive answered AE messageId=1.2.246.10.99999991.10.0^7\n",
			&sut.Answer{Protocol: sut.Protocol, ID: "r-7", Status: sut.StatusFailed, Message: "archive answered AE",
				Result: sut.Result{MessageIDs: []string{"1.2.246.10.99999991.10.0^7"}}}},
		{"blank and unknown lines are skipped", "\n  \nyes I did it\nok\n",
			&sut.Answer{Protocol: sut.Protocol, ID: "r-7", Status: sut.StatusOK}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out syncBuffer
			d := sut.NewManual(sut.ManualOptions{Lang: "en", In: strings.NewReader(tt.line), Out: &out, Timeout: 10 * time.Second})
			got, err := d.Do(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("answer:\ngot  %+v\nwant %+v", got, tt.want)
			}
			for _, w := range []string{"Action r-7 (store-document)", "Record a new document", "decision", "When you are done"} {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output does not contain %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestManualNotUnderstood(t *testing.T) {
	var out syncBuffer
	d := sut.NewManual(sut.ManualOptions{Lang: "fi", In: strings.NewReader("valmis\nok\n"), Out: &out})
	if _, err := d.Do(context.Background(), storeDecision(t)); err != nil {
		t.Fatal(err)
	}
	if want := `Vastausta ei tunnistettu: "valmis"`; !strings.Contains(out.String(), want) {
		t.Errorf("output does not contain %q:\n%s", want, out.String())
	}
}

func TestManualNamesClientsCasesAndDocuments(t *testing.T) {
	var out syncBuffer
	in := strings.NewReader("ok\nok\nok caseId=ASIA-2025-17\nok setId=1.2.246.10.99999991.95.2025.7\nok\n")
	d := sut.NewManual(sut.ManualOptions{Lang: "fi", In: in, Out: &out, Timeout: 10 * time.Second})
	birth := time.Date(1980, 2, 1, 0, 0, 0, 0, time.UTC)
	steps := []sut.Request{
		mustRequest(t, "r-1", sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "c1", Hetu: "010280-952L",
			Given: "Maija", Family: "Testinen", BirthDate: birth}),
		mustRequest(t, "r-2", sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "c2", Hetu: "150312A907E",
			Given: "Aino", Family: "Testinen", BirthDate: time.Date(2012, 3, 15, 0, 0, 0, 0, time.UTC)}),
		mustRequest(t, "r-3", sut.ActionOpenCase, sut.CaseParams{CaseRef: "case-1", ClientRefs: []string{"c1", "c2"},
			CaseName: "Perhetyö", ServiceTask: "24"}),
		mustRequest(t, "r-4", sut.ActionStoreDocument, sut.DocumentParams{DocRef: "decision-1", CaseRef: "case-1",
			Type: "decision", Format: "pdf", Signature: "professional", RestrictionGround: "2", GuardianDisclosure: "1"}),
		mustRequest(t, "r-5", sut.ActionAnnul, sut.AnnulParams{DocRef: "decision-1", Reason: "väärä asiakas"}),
	}
	defer func() {
		if t.Failed() || testing.Verbose() {
			t.Logf("operator's screen:\n%s", out.String())
		}
	}()
	var answers []*sut.Answer
	for _, req := range steps {
		a, err := d.Do(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, a)
	}
	if got, want := answers[0].Result.Client, (&sut.ClientIDs{Ref: "c1", Hetu: "010280-952L"}); !reflect.DeepEqual(got, want) {
		t.Errorf("register-client result: got %+v, want %+v", got, want)
	}
	if got, want := answers[2].Result.CaseID, "ASIA-2025-17"; got != want {
		t.Errorf("open-case caseId: got %q, want %q", got, want)
	}
	for _, w := range []string{
		"Lisää järjestelmään testiasiakas Maija Testinen, syntynyt 1980-02-01, henkilötunnus 010280-952L.",
		`Avaa yhteinen asia asiakkaille Maija Testinen (010280-952L), Aino Testinen (150312A907E):`,
		`"Perhetyö" (case-1), palvelutehtävä 24.`,
		"uusi asiakirja: päätös.",
		"Tallenna se PDF/A-muodossa.",
		"Rajaa asiakirjan näyttämistä OmaKannassa, perusteluna koodi 2.",
		"huoltajille luovuttamisen koodi 1.",
		"Mitätöi päätös decision-1 (setId 1.2.246.10.99999991.95.2025.7), syynä: väärä asiakas",
	} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output does not contain %q:\n%s", w, out.String())
		}
	}
}

// An annulment names what it annuls: a case, with its documents first, or
// a client relation, with everything of the client first.
func TestManualAnnulsCasesAndClientRelations(t *testing.T) {
	var out syncBuffer
	d := sut.NewManual(sut.ManualOptions{Lang: "en", In: strings.NewReader("ok\nok caseId=ASIA-9\nok\nok\n"), Out: &out, Timeout: 10 * time.Second})
	for _, req := range []sut.Request{
		mustRequest(t, "r-1", sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "c1", Hetu: "010280-952L", Given: "Maija", Family: "Testinen"}),
		mustRequest(t, "r-2", sut.ActionOpenCase, sut.CaseParams{CaseRef: "case-1", ClientRefs: []string{"c1"}, CaseName: "Perhetyö"}),
		mustRequest(t, "r-3", sut.ActionAnnul, sut.AnnulParams{CaseRef: "case-1", Reason: "wrong client"}),
		mustRequest(t, "r-4", sut.ActionAnnul, sut.AnnulParams{ClientRef: "c1"}),
	} {
		if _, err := d.Do(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range []string{
		`Annul the case "Perhetyö" (case-1) (case id ASIA-9): first every document in it, the case document last with the reason: wrong client`,
		"Annul the client relation of Maija Testinen (010280-952L): first every case of the client with its documents, the client relation document last",
	} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output does not contain %q:\n%s", w, out.String())
		}
	}
	_, err := d.Do(context.Background(), mustRequest(t, "r-5", sut.ActionAnnul, sut.AnnulParams{CaseRef: "case-1", ClientRef: "c1"}))
	if err == nil || !strings.Contains(err.Error(), "exactly one of docRef, caseRef and clientRef") {
		t.Errorf("an annulment naming two targets: got %v, want an error saying exactly one", err)
	}
}

func TestManualWatchWins(t *testing.T) {
	want := sut.Result{MessageIDs: []string{"1.2.246.10.99999991.10.0^100000071"},
		Documents: []sut.DocumentRef{{Ref: "decision-1", DocumentID: "1.2.246.10.99999991.95.2025.7",
			SetID: "1.2.246.10.99999991.95.2025.7", Version: 1}}}
	var calls int
	var mu sync.Mutex
	watch := func(ctx context.Context, req sut.Request) (*sut.Result, bool, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if req.ID != "r-7" {
			t.Errorf("watch got request %q, want r-7", req.ID)
		}
		if calls < 3 {
			return nil, false, nil // not yet in the archive
		}
		return &want, true, nil
	}
	var out syncBuffer
	d := sut.NewManual(sut.ManualOptions{Lang: "sv", In: silentOperator(t), Out: &out, Watch: watch,
		WatchInterval: 10 * time.Millisecond, Timeout: 10 * time.Second})
	a, err := d.Do(context.Background(), storeDecision(t))
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != sut.StatusOK || !reflect.DeepEqual(a.Result, want) {
		t.Errorf("answer: got %+v, want ok with %+v", a, want)
	}
	if w := "Arkivet tog emot motsvarande meddelande"; !strings.Contains(out.String(), w) {
		t.Errorf("output does not contain %q:\n%s", w, out.String())
	}
}

func TestManualLateAnswerIsIgnored(t *testing.T) {
	// The archive answered the first action; the operator's "ok" typed
	// afterwards belongs to it, not to the next instruction.
	r, w := io.Pipe()
	defer w.Close()
	first := true
	watch := func(ctx context.Context, req sut.Request) (*sut.Result, bool, error) {
		if req.ID == "r-1" && first {
			first = false
			return &sut.Result{}, true, nil
		}
		return nil, false, nil
	}
	var out syncBuffer
	d := sut.NewManual(sut.ManualOptions{Lang: "en", In: r, Out: &out, Watch: watch,
		WatchInterval: 10 * time.Millisecond, Timeout: 10 * time.Second})
	if _, err := d.Do(context.Background(), mustRequest(t, "r-1", sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: "c1"})); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "ok\n"); err != nil { // late answer to r-1
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let the reader take the line before the next instruction
	done := make(chan struct{})
	var a *sut.Answer
	var err error
	go func() {
		defer close(done)
		a, err = d.Do(context.Background(), mustRequest(t, "r-2", sut.ActionCloseCase, sut.CaseParams{CaseRef: "case-1"}))
	}()
	for !strings.Contains(out.String(), "Action r-2") {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := io.WriteString(w, "failed closing is not allowed\n"); err != nil {
		t.Fatal(err)
	}
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != sut.StatusFailed || a.Message != "closing is not allowed" {
		t.Errorf("answer: got %+v, want failed: closing is not allowed", a)
	}
	if w := `Ignored a line typed before this instruction: "ok"`; !strings.Contains(out.String(), w) {
		t.Errorf("output does not contain %q:\n%s", w, out.String())
	}
}

func TestManualNoAnswer(t *testing.T) {
	never := func(ctx context.Context, req sut.Request) (*sut.Result, bool, error) { return nil, false, nil }
	tests := []struct {
		name    string
		opts    sut.ManualOptions
		silent  bool // a silent operator is at the keyboard
		ctxTime time.Duration
		want    string
		ctxErr  bool
	}{
		{"the timeout passes",
			sut.ManualOptions{Watch: never, Timeout: 150 * time.Millisecond}, true, 0,
			"no answer from the operator and no matching message in the archive within 150ms", false},
		{"the timeout passes with no watch",
			sut.ManualOptions{Timeout: 150 * time.Millisecond}, true, 0,
			"no answer from the operator within 150ms", false},
		{"the step's deadline comes first",
			sut.ManualOptions{Watch: never, Timeout: time.Minute}, true, 150 * time.Millisecond,
			"no answer from the operator and no matching message in the archive before the step's deadline", true},
		{"the operator's input ends and nothing watches the archive",
			sut.ManualOptions{In: strings.NewReader(""), Timeout: time.Minute}, false, 0,
			"no answer from the operator: the operator's input ended", false},
		{"nobody can answer",
			sut.ManualOptions{Timeout: time.Minute}, false, 0,
			"no answer from the operator: no operator input and no archive watch", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if tt.silent {
				opts.In = silentOperator(t)
			}
			opts.WatchInterval = 10 * time.Millisecond
			ctx := context.Background()
			if tt.ctxTime > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxTime)
				defer cancel()
			}
			start := time.Now()
			a, err := sut.NewManual(opts).Do(ctx, storeDecision(t))
			if err == nil {
				t.Fatalf("got answer %+v, want an error", a)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\ngot  %v\nwant it to contain %q", err, tt.want)
			}
			if !errors.Is(err, sut.ErrNoAnswer) {
				t.Errorf("errors.Is(err, ErrNoAnswer) = false for %v", err)
			}
			if got := errors.Is(err, context.DeadlineExceeded); got != tt.ctxErr {
				t.Errorf("errors.Is(err, context.DeadlineExceeded): got %v, want %v", got, tt.ctxErr)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("returned after %v", el)
			}
		})
	}
}

func TestManualTimeoutMessage(t *testing.T) {
	// The message the brief and the report promise, with the default.
	never := func(ctx context.Context, req sut.Request) (*sut.Result, bool, error) { return nil, false, nil }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := sut.NewManual(sut.ManualOptions{Watch: never}).Do(ctx, storeDecision(t))
	if err == nil || !strings.Contains(err.Error(), "no answer from the operator and no matching message in the archive") {
		t.Errorf("got %v", err)
	}
	if got, want := sut.DefaultManualTimeout.String(), "2m0s"; got != want {
		t.Errorf("DefaultManualTimeout: got %s, want %s", got, want)
	}
}

func TestManualWatchError(t *testing.T) {
	broken := func(ctx context.Context, req sut.Request) (*sut.Result, bool, error) {
		return nil, false, errors.New("simulator unreachable")
	}
	_, err := sut.NewManual(sut.ManualOptions{In: silentOperator(t), Watch: broken}).Do(context.Background(), storeDecision(t))
	if err == nil || !strings.Contains(err.Error(), "watch the archive: simulator unreachable") {
		t.Errorf("got %v, want the watch's error", err)
	}
}

func TestManualDescribe(t *testing.T) {
	var out syncBuffer
	d := sut.NewManual(sut.ManualOptions{Lang: "en", System: "Sosiaali 2000", Vendor: "Esimerkki Oy", Version: "4.2",
		Actions: []sut.Action{sut.ActionRegisterClient, sut.ActionStoreDocument}, Out: &out})
	a, err := d.Do(context.Background(), mustRequest(t, "r-0", sut.ActionDescribe, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := &sut.SystemInfo{Name: "Sosiaali 2000", Vendor: "Esimerkki Oy", Version: "4.2",
		Actions: []sut.Action{sut.ActionRegisterClient, sut.ActionStoreDocument}}
	if a.Status != sut.StatusOK || !reflect.DeepEqual(a.Result.System, want) {
		t.Errorf("answer: got %+v %+v, want ok with %+v", a, a.Result.System, want)
	}
	if w := "Co-testing starts with the system Sosiaali 2000"; !strings.Contains(out.String(), w) {
		t.Errorf("output does not contain %q:\n%s", w, out.String())
	}
}

func TestManualUnknownActionAndLanguage(t *testing.T) {
	req := mustRequest(t, "r-1", sut.Action("export-everything"), nil)
	a, err := sut.NewManual(sut.ManualOptions{}).Do(context.Background(), req)
	if err != nil || a.Status != sut.StatusUnsupported {
		t.Errorf("unknown action: got %+v, %v, want unsupported", a, err)
	}
	_, err = sut.NewManual(sut.ManualOptions{Lang: "de"}).Do(context.Background(), storeDecision(t))
	if err == nil || !strings.Contains(err.Error(), `no instructions in language "de"`) {
		t.Errorf("unknown language: got %v", err)
	}
}
