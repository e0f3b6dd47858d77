package inspector

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/excerpt"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
)

// logPage is how many messages a page of the log shows; older ones are on
// the next page.
const logPage = 200

// maxShown bounds the part of a message part (frame or document) a message
// page shows, in bytes.
const maxShown = 512 << 10

// summary counts what one session, or one sending system, has done.
type summary struct {
	// Name is the session's name, or the sending system's OID.
	Name string
	// Messages counts the messages the log keeps; AA, AE and AR them by
	// acknowledgement type.
	Messages, AA, AE, AR int
	// Documents counts the archived documents (document sets), Annulled
	// those whose latest version annuls them; Sessions the sessions a
	// sending system sent to.
	Documents, Annulled, Sessions int
	// Last is the time of the last message received (the session's
	// simulated clock).
	Last time.Time
	// Senders are the sending systems' OIDs.
	Senders []string
}

func (s *summary) count(ex *api.Exchange) {
	s.Messages++
	switch ex.AckType {
	case kanta.AckAccepted:
		s.AA++
	case kanta.AckError:
		s.AE++
	case kanta.AckRejected:
		s.AR++
	}
	if ex.ReceivedAt.After(s.Last) {
		s.Last = ex.ReceivedAt
	}
}

// sessionSummary sums up a session: its log (exs, as Exchanges returned
// it) and its archive.
func sessionSummary(ctx context.Context, ss *simulator.Session, exs []*api.Exchange) (summary, error) {
	sum := summary{Name: ss.Name}
	for _, ex := range exs {
		sum.count(ex)
		if ex.Sender != "" && !slices.Contains(sum.Senders, ex.Sender) {
			sum.Senders = append(sum.Senders, ex.Sender)
		}
	}
	latest, err := ss.Archive().Store().Latest(ctx)
	if err != nil {
		return sum, fmt.Errorf("session %s: archive: %w", ss.Name, err)
	}
	sum.Documents = len(latest)
	for _, r := range latest {
		if r.Annulled {
			sum.Annulled++
		}
	}
	slices.Sort(sum.Senders)
	return sum, nil
}

// indexView is the index page: the sessions the caller may see, by owner
// (toimittaja) when sessions have owners, and the sending systems across
// them.
type indexView struct {
	Owners  []ownerGroup
	Senders []summary
	// Owned is true when some session has an owner: the page then shows
	// the vendors' totals.
	Owned bool
}

// ownerGroup is one owner's sessions and their totals (Total.Sessions).
type ownerGroup struct {
	Owner    string
	Total    summary
	Sessions []summary
}

func (in *Inspector) handleIndex(w http.ResponseWriter, r *http.Request) {
	var v indexView
	senders := map[string]*summary{}
	owners := map[string]*ownerGroup{}
	for _, name := range in.sim.Sessions() {
		ss, err := in.lookup(r, name)
		if err != nil {
			continue // another vendor's, or gone since Sessions
		}
		var sum summary
		exs, err := ss.Exchanges(r.Context())
		if err == nil {
			sum, err = sessionSummary(r.Context(), ss, exs)
		}
		if err != nil {
			in.log("index", "err", err)
			in.fail(w, http.StatusInternalServerError, "Istunnon "+name+" arkistoa ei voitu lukea.")
			return
		}
		g := owners[ss.Owner]
		if g == nil {
			g = &ownerGroup{Owner: ss.Owner}
			owners[ss.Owner] = g
		}
		g.Sessions = append(g.Sessions, sum)
		g.Total.add(sum)
		v.Owned = v.Owned || ss.Owner != ""
		for _, ex := range exs {
			key := cmp.Or(ex.Sender, "–")
			s := senders[key]
			if s == nil {
				s = &summary{Name: key}
				senders[key] = s
			}
			s.count(ex)
			if !slices.Contains(s.Senders, name) {
				s.Senders = append(s.Senders, name) // the sessions it sent to
				s.Sessions++
			}
		}
	}
	for _, g := range owners {
		v.Owners = append(v.Owners, *g)
	}
	slices.SortFunc(v.Owners, func(a, b ownerGroup) int { return strings.Compare(a.Owner, b.Owner) })
	for _, s := range senders {
		v.Senders = append(v.Senders, *s)
	}
	slices.SortFunc(v.Senders, func(a, b summary) int { return strings.Compare(a.Name, b.Name) })
	in.render(w, http.StatusOK, "index", page{Title: "Istunnot", Data: v})
}

// add adds a session's summary to an owner's totals.
func (s *summary) add(o summary) {
	s.Sessions++
	s.Messages += o.Messages
	s.AA += o.AA
	s.AE += o.AE
	s.AR += o.AR
	s.Documents += o.Documents
	s.Annulled += o.Annulled
	if o.Last.After(s.Last) {
		s.Last = o.Last
	}
}

// row is one message in the log.
type row struct {
	Seq        int
	ReceivedAt time.Time
	Operation  api.Operation
	Group      string
	DocumentID string
	SetID      string
	Version    string
	Sender     string
	Clients    []string
	AckType    string
	Findings   []finding
}

// finding is one finding as the inspector shows it, with its text and
// location masked, and on a message page the fragment around it.
type finding struct {
	Rule     string
	Severity string
	Message  string
	Location string
	Source   string
	// Excerpt is the fragment of the message at Location (message page
	// only); ExcerptError says why there is none.
	Excerpt      string
	ExcerptError string
	// location is the location as the finding has it, for cutting the
	// excerpt out of the message.
	location string
}

func newFinding(f yhteistestaus.Finding) finding {
	return finding{Rule: f.Rule, Severity: f.Severity.String(), Message: excerpt.Mask(f.Message), Location: excerpt.Mask(f.Location), Source: f.Source, location: f.Location}
}

func newRow(ex *api.Exchange) row {
	r := row{Seq: ex.Seq, ReceivedAt: ex.ReceivedAt, Operation: ex.Operation, Group: ex.Group,
		DocumentID: ex.DocumentID, SetID: ex.SetID, Version: ex.Version, Sender: ex.Sender,
		AckType: ex.AckType}
	for _, c := range ex.Clients {
		r.Clients = append(r.Clients, excerpt.Mask(c))
	}
	// Errors first, then warnings, then notes, each in the order found.
	fs := slices.Clone(ex.Findings)
	slices.SortStableFunc(fs, func(a, b yhteistestaus.Finding) int { return cmp.Compare(b.Severity, a.Severity) })
	for _, f := range fs {
		r.Findings = append(r.Findings, newFinding(f))
	}
	return r
}

// logView is a session's message log page, and the fragment of new rows
// the page's script fetches.
type logView struct {
	Session string
	// Exists is false for a session that has received nothing yet: the
	// page waits for its first message.
	Exists  bool
	Summary summary
	// Rows are the messages shown, newest first; Last is the newest
	// message's sequence number (or the one the fragment was asked after).
	Rows []row
	Last int
	// Older is the sequence number to show older messages before, 0 when
	// none are left; Before the one this page started before.
	Older, Before int
	// Reload is true in a fragment when more messages arrived than one
	// fragment carries: the page loads itself again.
	Reload bool
}

// handleLog shows a session's log. A session that does not exist yet gets
// an empty log that waits for its first message, so that a vendor can open
// the page before sending anything.
func (in *Inspector) handleLog(w http.ResponseWriter, r *http.Request) {
	before := seqParam(r.URL.Query().Get("before"))
	v, ok := in.logView(w, r, func(ex *api.Exchange) bool { return before == 0 || ex.Seq < before })
	if !ok {
		return
	}
	v.Before = before
	if len(v.Rows) > logPage {
		v.Older = v.Rows[logPage-1].Seq
		v.Rows = v.Rows[:logPage]
	}
	in.render(w, http.StatusOK, "log", page{Title: "Sanomat – " + v.Session, Session: v.Session, Tab: "log", Data: v})
}

// handleRows answers the log page's script with the messages after the
// sequence number it has (?after=N), newest first, as table rows, and the
// session's summary again; 204 No Content when nothing has arrived.
func (in *Inspector) handleRows(w http.ResponseWriter, r *http.Request) {
	after := seqParam(r.URL.Query().Get("after"))
	if ss, err := in.lookup(r, r.PathValue("session")); errors.Is(err, simulator.ErrNoSession) || err == nil && ss.LastSeq() <= after {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	v, ok := in.logView(w, r, func(ex *api.Exchange) bool { return ex.Seq > after })
	if !ok {
		return
	}
	if len(v.Rows) > logPage {
		v.Rows, v.Reload = nil, true
	}
	in.execute(w, http.StatusOK, "log", "fragment", v)
}

// logView reads the session's summary and the messages of its log that
// keep selects, newest first, at most one more than a page.
func (in *Inspector) logView(w http.ResponseWriter, r *http.Request, keep func(*api.Exchange) bool) (logView, bool) {
	name := r.PathValue("session")
	v := logView{Session: name, Summary: summary{Name: name}}
	ss, err := in.lookup(r, name)
	switch {
	case errors.Is(err, simulator.ErrNoSession):
		return v, true
	case err != nil:
		in.session(w, r) // answers the invalid name
		return v, false
	}
	exs, err := ss.Exchanges(r.Context())
	if err == nil {
		v.Summary, err = sessionSummary(r.Context(), ss, exs)
	}
	if err != nil {
		in.log("log", "err", err)
		in.fail(w, http.StatusInternalServerError, "Istunnon "+name+" arkistoa ei voitu lukea.")
		return v, false
	}
	v.Exists = true
	if len(exs) > 0 {
		v.Last = exs[len(exs)-1].Seq
	}
	for i := len(exs) - 1; i >= 0 && len(v.Rows) <= logPage; i-- {
		if keep(exs[i]) {
			v.Rows = append(v.Rows, newRow(exs[i]))
		}
	}
	return v, true
}

// messageView is one message's page.
type messageView struct {
	row
	Transport      string
	MessageID      string
	ServiceRequest string
	Usage          string
	CaseID         string
	Accepted       bool
	// Frame and Document are the parts as received, identity codes
	// masked; FrameCut and DocumentCut are true when only their start is
	// shown (of FrameSize and DocumentSize bytes).
	Frame, Document         string
	FrameCut, DocumentCut   bool
	FrameSize, DocumentSize int
	// Ack is the acknowledgement (kuittaus) the archive sent, masked;
	// empty when the log has none (a message received without HTTP).
	Ack string
}

func (in *Inspector) handleMessage(w http.ResponseWriter, r *http.Request) {
	ss, ok := in.session(w, r)
	if !ok {
		return
	}
	seq := seqParam(r.PathValue("seq"))
	ex, err := ss.Exchange(r.Context(), seq)
	if err != nil && !errors.Is(err, simulator.ErrNoExchange) {
		in.log("message", "err", err)
		in.fail(w, http.StatusInternalServerError, "Istunnon "+ss.Name+" lokia ei voitu lukea.")
		return
	}
	if err != nil {
		in.fail(w, http.StatusNotFound, fmt.Sprintf("Istunnossa %s ei ole sanomaa %s (tai lokissa ei ole sitä enää).", ss.Name, r.PathValue("seq")))
		return
	}
	v := messageView{row: newRow(ex), Transport: ex.Transport, MessageID: excerpt.Mask(ex.MessageID),
		ServiceRequest: ex.ServiceRequest, Usage: ex.Usage, CaseID: ex.CaseID, Accepted: ex.Accepted,
		FrameSize: cmp.Or(ex.FrameSize, len(ex.Frame)), DocumentSize: cmp.Or(ex.DocumentSize, len(ex.Document))}
	received := excerpt.Read(excerpt.Message{Frame: ex.Frame, Document: ex.Document})
	for i := range v.Findings {
		f := &v.Findings[i]
		if f.Location == "" {
			continue
		}
		s, err := received.At(f.location)
		if err != nil {
			f.ExcerptError = excerpt.Mask(err.Error())
			continue
		}
		f.Excerpt = s
	}
	v.Frame, v.FrameCut = shown(ex.Frame)
	v.Document, v.DocumentCut = shown(ex.Document)
	v.Ack, _ = shown(ex.Ack)
	in.render(w, http.StatusOK, "message", page{Title: fmt.Sprintf("Sanoma %d – %s", seq, ss.Name), Session: ss.Name, Tab: "message", Data: v})
}

// shown returns a message part (or the acknowledgement) as the page shows it: identity codes
// masked, at most maxShown bytes.
func shown(part []byte) (string, bool) {
	if len(part) == 0 {
		return "", false
	}
	masked := excerpt.Masked(part)
	if len(masked) <= maxShown {
		return string(masked), false
	}
	return strings.ToValidUTF8(string(masked[:maxShown]), ""), true
}
