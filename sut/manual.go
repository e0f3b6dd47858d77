package sut

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Manual adapter defaults.
const (
	// DefaultManualTimeout is how long the manual adapter waits for the
	// operator or the archive when ManualOptions.Timeout is zero.
	DefaultManualTimeout = 2 * time.Minute
	// DefaultWatchInterval is how often the manual adapter calls
	// ManualOptions.Watch when WatchInterval is zero.
	DefaultWatchInterval = 500 * time.Millisecond
	// maxOperatorLine is the longest operator line read.
	maxOperatorLine = 64 << 10
)

// ErrNoAnswer is wrapped by the manual adapter's error when neither the
// operator nor the archive answered in time.
var ErrNoAnswer = errors.New("no answer from the operator")

// ManualOptions configure NewManual.
type ManualOptions struct {
	// Lang is the language of the instructions: "fi", "sv" or "en"
	// (ManualLanguages); empty means "fi".
	Lang string
	// System, Vendor and Version describe the operator's system in the
	// answer to describe.
	System, Vendor, Version string
	// Actions are the actions the operator's system supports, for
	// describe; nil means every action of protocol version 1.
	Actions []Action
	// Out receives the instructions; nil discards them.
	Out io.Writer
	// In is where the operator answers, one line per action: "ok",
	// "unsupported [why]" or "failed [why]", optionally with identifiers
	// such as "setId=1.2.246.10... messageId=... caseId=...". Nil means
	// only Watch can answer.
	In io.Reader
	// Watch, when set, reports whether the archive has received the
	// message req should cause, with the identifiers found; the adapter
	// calls it every WatchInterval until it reports true or fails, and
	// answers ok without waiting for the operator. Calls never overlap,
	// and none is made after Do returns; Watch must return promptly when
	// ctx is done.
	Watch func(ctx context.Context, req Request) (*Result, bool, error)
	// WatchInterval is the pause between Watch calls; zero means
	// DefaultWatchInterval.
	WatchInterval time.Duration
	// Timeout bounds the wait for each action; zero means
	// DefaultManualTimeout. When it passes, Do fails with an error that
	// wraps ErrNoAnswer.
	Timeout time.Duration
}

// manualDriver is the manual adapter: see NewManual.
type manualDriver struct {
	opts   ManualOptions
	ins    *instructions
	insErr error

	// mu serialises Do: one operator does one action at a time.
	mu sync.Mutex
	// What earlier actions told about the harness's refs, to name
	// clients, cases and documents in later instructions.
	clients map[string]RegisterClientParams
	cases   map[string]caseMemo
	docs    map[string]docMemo
	// unanswered is true when the last action ended without an operator
	// line; lines read before the next instruction are then its late
	// answers and are ignored.
	unanswered bool

	readOnce sync.Once
	lines    chan operatorLine
	closed   bool // lines was closed: In ended
}

type caseMemo struct {
	name    string
	clients []string
	caseID  string
}

type docMemo struct {
	typ   string
	setID string
}

// operatorLine is one line the operator typed and when it was read.
type operatorLine struct {
	text string
	at   time.Time
}

var _ Driver = (*manualDriver)(nil)

// NewManual returns a Driver for a co-testing session with a human
// operator. For each action it prints an instruction in opts.Lang (the
// texts are data: instructions.yaml) and waits until the operator answers
// on opts.In or opts.Watch reports that the archive received the matching
// message, whichever comes first; after opts.Timeout it fails the action
// with an error wrapping ErrNoAnswer, e.g. "no answer from the operator
// and no matching message in the archive within 2m0s". It answers
// describe at once from opts, and unsupported to actions it has no
// instruction for.
//
// One goroutine reads opts.In line by line for the driver's lifetime; it
// ends when In reports EOF or an error.
func NewManual(opts ManualOptions) Driver {
	if opts.Lang == "" {
		opts.Lang = "fi"
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultManualTimeout
	}
	if opts.WatchInterval <= 0 {
		opts.WatchInterval = DefaultWatchInterval
	}
	ins, err := loadInstructions()
	return &manualDriver{
		opts: opts, ins: ins, insErr: err,
		clients: map[string]RegisterClientParams{},
		cases:   map[string]caseMemo{},
		docs:    map[string]docMemo{},
	}
}

// Do implements Driver.
func (d *manualDriver) Do(ctx context.Context, req Request) (*Answer, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, err := d.do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s request %q to the operator: %w", req.Action, req.ID, err)
	}
	return a, nil
}

func (d *manualDriver) do(ctx context.Context, req Request) (*Answer, error) {
	if d.insErr != nil {
		return nil, d.insErr
	}
	if !slices.Contains(ManualLanguages(), d.opts.Lang) {
		return nil, fmt.Errorf("no instructions in language %q (want one of %s)", d.opts.Lang, strings.Join(ManualLanguages(), ", "))
	}
	if !slices.Contains(Actions(), req.Action) {
		return Unsupported(req, fmt.Sprintf("the manual adapter has no instruction for action %q", req.Action)), nil
	}
	data, err := d.data(req)
	if err != nil {
		return nil, err
	}
	heading, err := d.ins.render(d.opts.Lang, "message/heading", data)
	if err != nil {
		return nil, err
	}
	text, err := d.ins.render(d.opts.Lang, "action/"+string(req.Action), data)
	if err != nil {
		return nil, err
	}
	if req.Action == ActionDescribe {
		if _, err := fmt.Fprintf(d.opts.Out, "\n== %s ==\n%s\n", heading, text); err != nil {
			return nil, fmt.Errorf("print instruction: %w", err)
		}
		return OK(req, Result{System: d.systemInfo()}), nil
	}
	hint, err := d.ins.render(d.opts.Lang, "message/hint", data)
	if err != nil {
		return nil, err
	}
	if _, err := fmt.Fprintf(d.opts.Out, "\n== %s ==\n%s\n\n%s\n", heading, text, hint); err != nil {
		return nil, fmt.Errorf("print instruction: %w", err)
	}
	a, byOperator, err := d.wait(ctx, req, time.Now())
	d.unanswered = !byOperator
	if err != nil {
		return nil, err
	}
	if a.Status == StatusOK {
		d.remember(req, a.Result)
	}
	return a, nil
}

// systemInfo is the describe answer.
func (d *manualDriver) systemInfo() *SystemInfo {
	info := &SystemInfo{Name: d.opts.System, Vendor: d.opts.Vendor, Version: d.opts.Version, Actions: d.opts.Actions}
	if info.Name == "" {
		info.Name = "system operated by hand"
	}
	if info.Actions == nil {
		info.Actions = Actions()
	}
	return info
}

// watchResult is what the Watch goroutine reports.
type watchResult struct {
	res *Result
	err error
}

// wait waits for the operator's line, the archive watch, the timeout or
// ctx; byOperator tells whether an operator line decided.
func (d *manualDriver) wait(ctx context.Context, req Request, promptAt time.Time) (a *Answer, byOperator bool, err error) {
	var discardBefore time.Time
	if d.unanswered {
		discardBefore = promptAt
	}
	lines := d.operatorLines()
	if lines == nil && d.opts.Watch == nil {
		if d.closed {
			return nil, false, fmt.Errorf("%w: the operator's input ended", ErrNoAnswer)
		}
		return nil, false, fmt.Errorf("%w: no operator input and no archive watch", ErrNoAnswer)
	}

	var watched chan watchResult
	if d.opts.Watch != nil {
		watched = make(chan watchResult, 1)
		wctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.watch(wctx, req, watched)
		}()
		defer wg.Wait()
		defer cancel()
	}
	timer := time.NewTimer(d.opts.Timeout)
	defer timer.Stop()

	say := func(name string, data any) {
		if s, err := d.ins.render(d.opts.Lang, "message/"+name, data); err == nil {
			_, _ = fmt.Fprintln(d.opts.Out, s)
		}
	}
	noAnswer := func() error {
		if d.opts.Watch != nil {
			return fmt.Errorf("%w and no matching message in the archive", ErrNoAnswer)
		}
		return ErrNoAnswer
	}
	for {
		select {
		case <-ctx.Done():
			return nil, false, fmt.Errorf("%w before the step's deadline: %w", noAnswer(), context.Cause(ctx))
		case <-timer.C:
			return nil, false, fmt.Errorf("%w within %s", noAnswer(), d.opts.Timeout)
		case w := <-watched:
			if w.err != nil {
				return nil, false, fmt.Errorf("watch the archive: %w", w.err)
			}
			say("arrived", nil)
			res := Result{}
			if w.res != nil {
				res = *w.res
			}
			a := OK(req, res)
			a.Message = "the archive received the matching message"
			return a, false, nil
		case l, ok := <-lines:
			if !ok {
				d.closed, lines = true, nil
				if d.opts.Watch == nil {
					return nil, false, fmt.Errorf("%w: the operator's input ended", ErrNoAnswer)
				}
				say("input-closed", nil)
				continue
			}
			text := strings.TrimSpace(l.text)
			view := struct{ Line string }{strconv.Quote(text)}
			switch {
			case text == "":
				continue
			case l.at.Before(discardBefore):
				say("ignored", view)
				continue
			}
			a, ok := parseOperatorLine(req, text)
			if !ok {
				say("not-understood", view)
				continue
			}
			say("recorded", view)
			return a, true, nil
		}
	}
}

// watch calls Watch until it reports the message or fails, pausing
// WatchInterval between calls, and sends the outcome unless ctx ended.
func (d *manualDriver) watch(ctx context.Context, req Request, out chan<- watchResult) {
	for {
		res, found, err := d.opts.Watch(ctx, req)
		if ctx.Err() != nil {
			return
		}
		if err != nil || found {
			out <- watchResult{res: res, err: err}
			return
		}
		t := time.NewTimer(d.opts.WatchInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// operatorLines returns the channel of operator lines, starting the
// reader on first use; nil when there is no input or it has ended.
func (d *manualDriver) operatorLines() <-chan operatorLine {
	if d.opts.In == nil || d.closed {
		return nil
	}
	d.readOnce.Do(func() {
		d.lines = make(chan operatorLine)
		go func() {
			defer close(d.lines)
			sc := bufio.NewScanner(d.opts.In)
			sc.Buffer(make([]byte, 0, 4096), maxOperatorLine)
			for sc.Scan() {
				d.lines <- operatorLine{text: sc.Text(), at: time.Now()}
			}
		}()
	})
	return d.lines
}

// parseOperatorLine reads an operator's answer: a status word (ok,
// unsupported, failed; any case) followed by free text and identifiers
// written key=value: messageId (repeatable), documentId, setId, version,
// caseId, hetu, tempId and found (a document id a search found,
// repeatable). Other words make the answer's message.
func parseOperatorLine(req Request, line string) (*Answer, bool) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil, false
	}
	var status AnswerStatus
	switch strings.ToLower(fields[0]) {
	case "ok":
		status = StatusOK
	case "unsupported":
		status = StatusUnsupported
	case "failed":
		status = StatusFailed
	default:
		return nil, false
	}
	var (
		res    Result
		doc    DocumentRef
		client ClientIDs
		words  []string
	)
	for _, f := range fields[1:] {
		k, v, found := strings.Cut(f, "=")
		if !found || v == "" {
			words = append(words, f)
			continue
		}
		switch strings.ToLower(k) {
		case "messageid":
			res.MessageIDs = append(res.MessageIDs, v)
		case "documentid":
			doc.DocumentID = v
		case "setid":
			doc.SetID = v
		case "version":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				words = append(words, f)
				continue
			}
			doc.Version = n
		case "caseid":
			res.CaseID = v
		case "hetu":
			client.Hetu = v
		case "tempid":
			client.TempID = v
		case "found":
			res.Found = append(res.Found, DocumentRef{DocumentID: v})
		default:
			words = append(words, f)
		}
	}
	if doc != (DocumentRef{}) {
		doc.Ref = docRefOf(req)
		res.Documents = []DocumentRef{doc}
	}
	if req.Action == ActionRegisterClient && status == StatusOK {
		var p RegisterClientParams
		if req.DecodeParams(&p) == nil {
			client.Ref = p.Ref
			if client.Hetu == "" {
				client.Hetu = p.Hetu
			}
		}
		res.Client = &client
	}
	return &Answer{Protocol: Protocol, ID: req.ID, Status: status, Message: strings.Join(words, " "), Result: res}, true
}

// docRefOf returns the document ref a request names, if any.
func docRefOf(req Request) string {
	var p struct {
		DocRef string `json:"docRef"`
	}
	if req.DecodeParams(&p) != nil {
		return ""
	}
	return p.DocRef
}

// remember keeps what an ok answer tells about the harness's refs.
func (d *manualDriver) remember(req Request, res Result) {
	switch req.Action {
	case ActionRegisterClient:
		var p RegisterClientParams
		if req.DecodeParams(&p) == nil && p.Ref != "" {
			if res.Client != nil && res.Client.Hetu != "" {
				p.Hetu = res.Client.Hetu
			}
			d.clients[p.Ref] = p
		}
	case ActionReplaceTemporaryID:
		var p ReplaceTemporaryIDParams
		if req.DecodeParams(&p) == nil {
			if c, ok := d.clients[p.ClientRef]; ok {
				c.Hetu, c.TemporaryID = p.Hetu, false
				d.clients[p.ClientRef] = c
			}
		}
	case ActionOpenCase:
		var p CaseParams
		if req.DecodeParams(&p) == nil && p.CaseRef != "" {
			d.cases[p.CaseRef] = caseMemo{name: p.CaseName, clients: p.ClientRefs, caseID: res.CaseID}
		}
	case ActionStoreDocument:
		var p DocumentParams
		if req.DecodeParams(&p) == nil && p.DocRef != "" {
			m := docMemo{typ: p.Type}
			for _, doc := range res.Documents {
				if doc.SetID != "" {
					m.setID = doc.SetID
				}
			}
			d.docs[p.DocRef] = m
		}
	}
}

// instructionData is what the instruction templates see; see the header
// of instructions.yaml.
type instructionData struct {
	ID, Action, System, Archive string
	Timeout                     string
	Watching                    bool // a Watch may answer for the operator

	Client      string
	Clients     []string
	Hetu        string
	TemporaryID bool
	Given       string
	Family      string
	BirthDate   string

	ServiceTask        string
	Change             string
	GuardianDisclosure string

	Case   string
	CaseID string

	Type              string
	SpecificType      string
	Format            string
	Signature         string
	Description       string
	MainDoc           string
	DelayUntil        string
	RestrictionGround string

	Doc     string
	DocType string
	SetID   string
	Reason  string
	// ClientRelation: annul the client relation of Client.
	ClientRelation bool

	DocumentType string
}

// data builds the template data of req from its params and what earlier
// actions told.
func (d *manualDriver) data(req Request) (*instructionData, error) {
	v := &instructionData{ID: req.ID, Action: string(req.Action), System: d.systemInfo().Name,
		Archive: req.Archive, Timeout: d.opts.Timeout.String(), Watching: d.opts.Watch != nil}
	if v.Archive == "" {
		v.Archive = "(?)"
	}
	switch req.Action {
	case ActionRegisterClient:
		var p RegisterClientParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		v.Given, v.Family, v.Hetu, v.TemporaryID = p.Given, p.Family, p.Hetu, p.TemporaryID
		if !p.BirthDate.IsZero() {
			v.BirthDate = p.BirthDate.Format(time.DateOnly)
		}
	case ActionOpenClientRelation, ActionUpdateClientRelation, ActionEndClientRelation:
		var p ClientRelationParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		v.Client, v.ServiceTask, v.Change, v.GuardianDisclosure = d.clientName(p.ClientRef), p.ServiceTask, p.Change, p.GuardianDisclosure
	case ActionReplaceTemporaryID:
		var p ReplaceTemporaryIDParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		v.Client, v.Hetu = d.clientName(p.ClientRef), p.Hetu
	case ActionOpenCase, ActionCloseCase:
		var p CaseParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		memo := d.cases[p.CaseRef]
		refs := p.ClientRefs
		if len(refs) == 0 {
			refs = memo.clients
		}
		v.Clients = d.clientNames(refs)
		v.Client = strings.Join(v.Clients, ", ")
		v.Case, v.CaseID, v.ServiceTask = d.caseName(p.CaseRef, p.CaseName), memo.caseID, p.ServiceTask
	case ActionStoreDocument:
		var p DocumentParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		refs := p.ClientRefs
		if len(refs) == 0 {
			refs = d.cases[p.CaseRef].clients
		}
		v.Clients = d.clientNames(refs)
		v.Client = strings.Join(v.Clients, ", ")
		v.Case = d.caseName(p.CaseRef, "")
		v.Type, v.SpecificType, v.Format, v.Signature = p.Type, p.SpecificType, p.Format, p.Signature
		v.Description, v.ServiceTask = p.Description, p.ServiceTask
		v.RestrictionGround, v.GuardianDisclosure = p.RestrictionGround, p.GuardianDisclosure
		if p.DelayUntil != nil {
			v.DelayUntil = p.DelayUntil.Format(time.DateOnly)
		}
		if p.MainDocRef != "" {
			v.MainDoc = d.docName(p.MainDocRef)
		}
	case ActionNewVersion:
		var p VersionParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		d.docData(v, p.DocRef)
		v.Reason = p.Reason
	case ActionAnnul:
		var p AnnulParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		target, ref, err := p.Target()
		if err != nil {
			return nil, err
		}
		v.Reason = p.Reason
		switch target {
		case AnnulDocument:
			d.docData(v, ref)
		case AnnulCase:
			memo := d.cases[ref]
			v.Case, v.CaseID = d.caseName(ref, ""), memo.caseID
			v.Clients = d.clientNames(memo.clients)
			v.Client = strings.Join(v.Clients, ", ")
		case AnnulClientRelation:
			v.Client, v.ClientRelation = d.clientName(ref), true
		}
	case ActionSearch:
		var p SearchParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		v.Client, v.DocumentType = d.clientName(p.ClientRef), p.DocumentType
	}
	if v.Client == "" {
		v.Client = "?"
	}
	if v.Clients == nil {
		v.Clients = []string{v.Client}
	}
	return v, nil
}

// docData fills the document fields of v for the document ref names.
func (d *manualDriver) docData(v *instructionData, ref string) {
	memo := d.docs[ref]
	v.Doc, v.DocType, v.SetID = d.docName(ref), memo.typ, memo.setID
	if v.DocType == "" {
		v.DocType = "document"
	}
}

// clientName names a client for the operator: "Given Family (hetu)", or
// the harness's ref when the client was not registered through this
// adapter.
func (d *manualDriver) clientName(ref string) string {
	c, ok := d.clients[ref]
	if !ok {
		return ref
	}
	name := strings.TrimSpace(c.Given + " " + c.Family)
	if name == "" {
		name = ref
	}
	if c.Hetu != "" {
		name += " (" + c.Hetu + ")"
	}
	return name
}

func (d *manualDriver) clientNames(refs []string) []string {
	names := make([]string, 0, len(refs))
	for _, r := range refs {
		names = append(names, d.clientName(r))
	}
	return names
}

// caseName names a case: its name (as given now or when it was opened)
// with the harness's ref.
func (d *manualDriver) caseName(ref, name string) string {
	if name == "" {
		name = d.cases[ref].name
	}
	if name == "" {
		return ref
	}
	return fmt.Sprintf("%q (%s)", name, ref)
}

// docName names a document: the harness's ref and its setId when known.
func (d *manualDriver) docName(ref string) string {
	if m := d.docs[ref]; m.setID != "" {
		return fmt.Sprintf("%s (setId %s)", ref, m.setID)
	}
	return ref
}
