package server

import (
	"mime"
	"net/http"
	"time"

	"github.com/yhteistestaus/yhteistestaus/bundle"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// bundleConfiguration is configuration.json of a session's bundle: what
// the archive was and how it was set up.
type bundleConfiguration struct {
	// Source says where the bundle came from.
	Source  string `json:"source"`
	Session string `json:"session"`
	// Clock is the session's simulated time when the bundle was written.
	Clock      time.Time      `json:"clock"`
	Build      bundle.Build   `json:"build"`
	Structures api.Structures `json:"structures"`
	Limits     wire.Limits    `json:"limits"`
	// AckForm is how acknowledgements carry their type code.
	AckForm string `json:"ackForm"`
}

// handleBundle answers GET /api/sessions/{s}/bundle with the session's
// evidence bundle (application/zip): every message the log keeps as
// received, the acknowledgement sent for it, its findings, the archive's
// configuration and the SHA-256 manifest. Identity codes are masked as in
// GET .../messages/{seq}; ?raw=1 gives them unmasked, to the coordinator
// only. It never creates the session.
func (s *Server) handleBundle(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.session(w, r)
	if !ok {
		return
	}
	mask, ok := s.masking(w, r)
	if !ok {
		return
	}
	exs, err := ss.ExchangesWithParts(r.Context())
	if err != nil {
		s.writeJSONError(w, http.StatusInternalServerError, err.Error())
		return
	}
	for i, ex := range exs {
		exs[i] = mask(ex)
	}
	build, _ := bundle.ReadBuild()
	cfg := bundleConfiguration{
		Source:     "GET /api/sessions/" + ss.Name + "/bundle",
		Session:    ss.Name,
		Clock:      ss.Clock.Now(),
		Build:      build,
		Structures: s.structures(),
		Limits:     s.limits(),
		AckForm:    s.AckForm.String(),
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "yhteistestaus-" + ss.Name + ".zip"}))
	w.WriteHeader(http.StatusOK)
	// The status is sent: a failure from here on can only be logged, and
	// the truncated zip fails verification.
	b := bundle.NewWriter(w, time.Now())
	if err := b.AddJSON("configuration.json", cfg); err != nil {
		s.logf("bundle", "session", ss.Name, "err", err)
		return
	}
	if err := b.AddExchanges(ss.Name, exs); err != nil {
		s.logf("bundle", "session", ss.Name, "err", err)
		return
	}
	if err := b.Close(); err != nil {
		s.logf("bundle", "session", ss.Name, "err", err)
	}
}
