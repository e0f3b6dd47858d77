package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/yhteistestaus/yhteistestaus/excerpt"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
)

// session returns the session the guard opened for the request's route,
// which names one: created for a POST or PUT, looked up otherwise.
func (s *Server) session(w http.ResponseWriter, r *http.Request) (*simulator.Session, bool) {
	ss, ok := sessionOf(r)
	if !ok {
		s.writeJSONError(w, http.StatusInternalServerError, fmt.Sprintf("the route %s opened no session", r.URL.Path))
		return nil, false
	}
	noteOf(r).set(func(n *requestNote) { n.session = ss.Name })
	return ss, true
}

// handleSessions lists the sessions the caller sees: a vendor its own, the
// coordinator every one.
func (s *Server) handleSessions(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	names := s.Sim.Sessions()
	if !c.Coordinator {
		mine := names[:0]
		for _, n := range names {
			if ss, err := s.Sim.Lookup(n); err == nil && ss.Owner == c.Name {
				mine = append(mine, n)
			}
		}
		names = mine
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"sessions": names})
}

func (s *Server) handleStructures(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, s.structures())
}

// structures says which document structures the archive judges with.
func (s *Server) structures() api.Structures {
	set := s.Sim.Validator().Schemas
	src := set.Source()
	return api.Structures{Sosmeta: !src.Embedded, Source: src.String(), ExportDate: src.ExportDate, Count: set.Len()}
}

func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.session(w, r)
	if !ok {
		return
	}
	exs, err := ss.Exchanges(r.Context())
	if err != nil {
		s.writeJSONError(w, http.StatusInternalServerError, err.Error())
		return
	}
	q := r.URL.Query()
	var out []api.Message
	for _, ex := range exs {
		if v := q.Get("setId"); v != "" && ex.SetID != v {
			continue
		}
		if v := q.Get("client"); v != "" && !slices.ContainsFunc(ex.Clients, func(c string) bool { return strings.HasSuffix(c, v) }) {
			continue
		}
		if v := q.Get("messageId"); v != "" && ex.MessageID != v && ex.MessageIDExtension != v {
			continue
		}
		if v := q.Get("since"); v != "" {
			if n, err := strconv.Atoi(v); err == nil && ex.Seq <= n {
				continue
			}
		}
		out = append(out, api.Message{Exchange: *ex})
	}
	if out == nil {
		out = []api.Message{}
	}
	s.writeJSON(w, http.StatusOK, api.Messages{Session: ss.Name, Messages: out})
}

func (s *Server) handleMessage(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.session(w, r)
	if !ok {
		return
	}
	seq, _ := strconv.Atoi(mux.Vars(r)["seq"])
	ex, err := ss.Exchange(r.Context(), seq)
	switch {
	case errors.Is(err, simulator.ErrNoExchange):
		s.writeJSONError(w, http.StatusNotFound, fmt.Sprintf("session %s has no message %d (or no longer keeps it)", ss.Name, seq))
		return
	case err != nil:
		s.writeJSONError(w, http.StatusInternalServerError, err.Error())
		return
	}
	mask, ok := s.masking(w, r)
	if !ok {
		return
	}
	ex = mask(ex)
	s.writeJSON(w, http.StatusOK, api.Message{Exchange: *ex, FrameXML: string(ex.Frame), DocumentXML: string(ex.Document), AckXML: string(ex.Ack)})
}

// masking returns how r is answered an exchange's parts: with identity
// codes masked (excerpt.Masked), or as received when r asks ?raw=1 with
// the coordinator's token. A vendor asking for them raw is answered 403,
// and ok is false.
func (s *Server) masking(w http.ResponseWriter, r *http.Request) (mask func(*api.Exchange) *api.Exchange, ok bool) {
	if raw := r.URL.Query().Get("raw"); raw == "1" || raw == "true" {
		if !callerOf(r).Coordinator {
			s.writeJSON(w, http.StatusForbidden, api.Error{Error: "only the coordinator's token reads messages raw, with their identity codes", Code: api.CodeForbidden})
			return nil, false
		}
		return func(ex *api.Exchange) *api.Exchange { return ex }, true
	}
	return func(ex *api.Exchange) *api.Exchange {
		c := *ex
		c.Frame, c.Document, c.Ack = excerpt.Masked(ex.Frame), excerpt.Masked(ex.Document), excerpt.Masked(ex.Ack)
		return &c
	}, true
}

func (s *Server) handleArchive(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.session(w, r)
	if !ok {
		return
	}
	store := ss.Archive().Store()
	latest, err := store.Latest(r.Context())
	if err != nil {
		s.writeJSONError(w, http.StatusInternalServerError, err.Error())
		return
	}
	q := r.URL.Query()
	view := api.Archive{Session: ss.Name, Sets: []api.Set{}}
	for _, rec := range latest {
		if v := q.Get("client"); v != "" && !slices.ContainsFunc(rec.Clients, func(c string) bool { return strings.HasSuffix(c, v) }) {
			continue
		}
		if v := q.Get("kind"); v != "" && rec.Kind != v {
			continue
		}
		if v := q.Get("caseId"); v != "" && rec.CaseID != v {
			continue
		}
		if v := q.Get("custodian"); v != "" && rec.Custodian != v {
			continue
		}
		vs, err := store.Versions(r.Context(), rec.SetID)
		if err != nil {
			s.writeJSONError(w, http.StatusInternalServerError, err.Error())
			return
		}
		view.Sets = append(view.Sets, api.Set{Latest: rec, Versions: len(vs)})
	}
	s.writeJSON(w, http.StatusOK, view)
}

func (s *Server) handleSet(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.session(w, r)
	if !ok {
		return
	}
	setID := mux.Vars(r)["setId"]
	vs, err := ss.Archive().Store().Versions(r.Context(), setID)
	if err != nil {
		s.writeJSONError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if len(vs) == 0 {
		s.writeJSONError(w, http.StatusNotFound, fmt.Sprintf("set %s is not archived in session %s", setID, ss.Name))
		return
	}
	s.writeJSON(w, http.StatusOK, api.Versions{SetID: setID, Versions: vs})
}

func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.session(w, r)
	if !ok {
		return
	}
	if err := ss.Reset(r.Context()); err != nil {
		s.writeJSONError(w, http.StatusInternalServerError, err.Error())
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]string{"session": ss.Name, "status": "reset"})
}

// handleDeleteSession deletes the session with its log and archive.
func (s *Server) handleDeleteSession(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.session(w, r)
	if !ok {
		return
	}
	err := s.Sim.DeleteSession(r.Context(), ss.Name)
	switch {
	case errors.Is(err, simulator.ErrNoSession):
		s.writeJSON(w, http.StatusNotFound, api.Error{Error: err.Error(), Code: api.CodeNoSession})
		return
	case err != nil:
		s.writeJSONError(w, http.StatusInternalServerError, err.Error())
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]string{"session": ss.Name, "status": "deleted"})
}

func (s *Server) handleClock(w http.ResponseWriter, r *http.Request) {
	// Reading the clock does not create the session; setting it (PUT) does.
	ss, ok := s.session(w, r)
	if !ok {
		return
	}
	if r.Method == http.MethodPut {
		var cv api.Clock
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&cv); err != nil {
			s.writeJSONError(w, http.StatusBadRequest, "clock: body must be JSON {\"now\": RFC 3339 time} or {\"advance\": duration}: "+err.Error())
			return
		}
		var err error
		switch {
		case cv.Advance != "":
			d, perr := time.ParseDuration(cv.Advance)
			if perr != nil {
				s.writeJSONError(w, http.StatusBadRequest, "clock: advance: "+perr.Error())
				return
			}
			err = ss.AdvanceClock(r.Context(), d)
		case !cv.Now.IsZero():
			err = ss.SetClock(r.Context(), cv.Now)
		default:
			s.writeJSONError(w, http.StatusBadRequest, "clock: give now or advance")
			return
		}
		if err != nil {
			s.writeJSONError(w, http.StatusInternalServerError, err.Error())
			return
		}
	}
	s.writeJSON(w, http.StatusOK, api.Clock{Now: ss.Clock.Now()})
}
