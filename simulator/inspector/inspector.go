// Package inspector is the co-testing coordinator's web UI (tarkastelunäkymä)
// of the mock archive, served by `yhteistestaus serve` under /ui/:
//
//   - /ui/: the sessions with a summary of each (messages, acknowledgements
//     AA/AE/AR, archived documents, last message) and one per sending
//     system, grouped by owner when sessions have owners;
//   - /ui/s/{session}: the session's message log, newest first, each
//     message with its acknowledgement type and findings; a small script
//     adds new messages as they arrive (it polls /ui/s/{session}/rows);
//   - /ui/s/{session}/m/{seq}: one message as received (frame and document,
//     identity codes masked), its findings each with the fragment of the
//     message around the finding's location (package excerpt);
//   - /ui/s/{session}/archive: the archive as a tree: client, client
//     relation document (asiakkuusasiakirja), cases (asiat), documents,
//     versions.
//
// The pages are rendered on the server with html/template from embedded
// files; the only script polls the log. Every word on them is Finnish, in
// the terms of Kanta's handbook. Identity codes (henkilötunnukset) are
// masked everywhere as the control API masks them (excerpt.Mask): a valid
// test identity of the 900 series is shown, any other code is not.
//
// The inspector reads the simulator through the same Simulator and Session
// methods the JSON control API uses, and never changes anything. It sits
// behind the server's access middleware like every other route: the
// coordinator sees every session, a vendor only its own (a browser logs in
// at /login, which sets the token cookie).
package inspector

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus/excerpt"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/access"
)

// Prefix is the path the inspector is served under.
const Prefix = "/ui"

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pages are the templates of the inspector's pages, each parsed with the
// layout.
var pages = []string{"index", "log", "message", "archive", "error"}

// Inspector is the web UI. Build it with New; it is an http.Handler for
// the paths under Prefix.
type Inspector struct {
	sim    *simulator.Simulator
	groups *kanta.Groups
	logger *slog.Logger
	pages  map[string]*template.Template
	mux    *http.ServeMux
}

// An Option configures an Inspector built by New.
type Option func(*Inspector)

// WithLogger makes the inspector log the pages it could not render; by
// default nothing is logged.
func WithLogger(l *slog.Logger) Option { return func(in *Inspector) { in.logger = l } }

// New returns the inspector of sim. It panics when the embedded templates
// do not parse, which a test of this package would have shown.
func New(sim *simulator.Simulator, opts ...Option) *Inspector {
	groups, err := kanta.DefaultGroups()
	if err != nil {
		panic(fmt.Sprintf("inspector: %v", err))
	}
	in := &Inspector{sim: sim, groups: groups, pages: make(map[string]*template.Template)}
	for _, opt := range opts {
		opt(in)
	}
	funcs := template.FuncMap{
		"when":    formatTime,
		"plural":  plural,
		"groupOf": in.groupName,
		"lines":   excerptLines,
	}
	for _, p := range pages {
		in.pages[p] = template.Must(template.New(p).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/"+p+".html"))
	}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(fmt.Sprintf("inspector: %v", err))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET "+Prefix+"/{$}", in.handleIndex)
	mux.HandleFunc("GET "+Prefix+"/s/{session}", in.handleLog)
	mux.HandleFunc("GET "+Prefix+"/s/{session}/rows", in.handleRows)
	mux.HandleFunc("GET "+Prefix+"/s/{session}/m/{seq}", in.handleMessage)
	mux.HandleFunc("GET "+Prefix+"/s/{session}/archive", in.handleArchive)
	mux.Handle("GET "+Prefix+"/static/", http.StripPrefix(Prefix+"/static/", staticHandler(static)))
	mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			in.fail(w, http.StatusMethodNotAllowed, "Tarkastelunäkymä vain näyttää: pyyntötapa "+r.Method+" ei käy.")
			return
		}
		in.fail(w, http.StatusNotFound, "Sivua "+r.URL.Path+" ei ole.")
	})
	in.mux = mux
	return in
}

// ServeHTTP serves the inspector's pages, with headers that keep them from
// being framed, sniffed or cached, and scripts only from the inspector
// itself.
func (in *Inspector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	in.mux.ServeHTTP(w, r)
}

// staticHandler serves the style sheet and the script, which may be cached
// for a short while.
func staticHandler(static fs.FS) http.Handler {
	files := http.FileServerFS(static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	})
}

// page is what every page's layout shows around its content.
type page struct {
	// Title is the page's title, Session the session it is about ("" for
	// the index), Tab the session page shown ("log", "archive", "message").
	Title   string
	Session string
	Tab     string
	// Data is the page's own content.
	Data any
}

// render writes the named page, or an error page when it does not render.
func (in *Inspector) render(w http.ResponseWriter, status int, name string, p page) {
	in.execute(w, status, name, "layout", p)
}

// execute runs the template tmpl of the page name into memory first, so
// that a failing template never leaves half a page.
func (in *Inspector) execute(w http.ResponseWriter, status int, name, tmpl string, data any) {
	var buf bytes.Buffer
	if err := in.pages[name].ExecuteTemplate(&buf, tmpl, data); err != nil {
		in.log("render page", "page", name, "err", err)
		if name != "error" {
			in.fail(w, http.StatusInternalServerError, "Sivua ei voitu muodostaa.")
		} else {
			http.Error(w, "Sivua ei voitu muodostaa.", http.StatusInternalServerError)
		}
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail answers with an error page saying msg.
func (in *Inspector) fail(w http.ResponseWriter, status int, msg string) {
	in.render(w, status, "error", page{Title: errorTitle(status), Data: msg})
}

// errorTitle names an error page's status in Finnish.
func errorTitle(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Ei löytynyt"
	case http.StatusBadRequest:
		return "Virheellinen pyyntö"
	case http.StatusMethodNotAllowed:
		return "Pyyntötapa ei käy"
	default:
		return "Palvelinvirhe"
	}
}

func (in *Inspector) log(msg string, args ...any) {
	if in.logger != nil {
		in.logger.Warn("inspector: "+msg, args...)
	}
}

// session returns the session the request names, answering the request
// when there is none. Like the control API, the inspector never creates a
// session: it only reads them.
func (in *Inspector) session(w http.ResponseWriter, r *http.Request) (*simulator.Session, bool) {
	name := r.PathValue("session")
	ss, err := in.lookup(r, name)
	switch {
	case err == nil:
		return ss, true
	case errors.Is(err, simulator.ErrNoSession):
		in.fail(w, http.StatusNotFound, fmt.Sprintf("Istuntoa %s ei ole. Istunto syntyy sen ensimmäisestä arkistointisanomasta osoitteeseen /s/%s/soap.", name, name))
	default:
		in.fail(w, http.StatusBadRequest, fmt.Sprintf("Istunnon nimi %q ei kelpaa: 1–64 kirjainta, numeroa, pistettä, viivaa tai alaviivaa.", name))
	}
	return nil, false
}

// lookup returns the named session if the request's caller may see it:
// the coordinator sees every session, a vendor those it owns. Another
// vendor's session is missing to the caller (simulator.ErrNoSession), as
// the control API answers, so that its existence does not leak. The
// caller is the one the server's access middleware put in the request's
// context (access.FromContext); a request without one sees nothing.
func (in *Inspector) lookup(r *http.Request, name string) (*simulator.Session, error) {
	ss, err := in.sim.Lookup(name)
	if err != nil {
		return nil, err
	}
	if !visible(r, ss) {
		return nil, fmt.Errorf("session %s: %w", ss.Name, simulator.ErrNoSession)
	}
	return ss, nil
}

// visible reports whether the request's caller may see the session.
func visible(r *http.Request, ss *simulator.Session) bool {
	c, ok := access.FromContext(r.Context())
	return ok && (c.Coordinator || c.Name != "" && ss.Owner == c.Name)
}

// seqParam returns a request's non-negative sequence number parameter, 0
// when it is absent or not a number.
func seqParam(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// timeLayout is how times are shown: the simulated clock's time in UTC,
// written the Finnish way.
const timeLayout = "2.1.2006 klo 15.04.05 UTC"

// formatTime writes t for people; the zero time is a dash.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format(timeLayout)
}

// plural returns one when n is 1, else many, after the number.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// line is one line of an excerpt; Marked lines are the offending element.
type line struct {
	Text   string
	Marked bool
}

// excerptLines splits an excerpt into its lines, telling the marked ones
// (excerpt.Marker) from the context.
func excerptLines(s string) []line {
	var out []line
	for l := range strings.Lines(strings.TrimSuffix(s, "\n")) {
		l = strings.TrimSuffix(l, "\n")
		if rest, ok := strings.CutPrefix(l, excerpt.Marker); ok {
			out = append(out, line{Text: "  " + rest, Marked: true})
			continue
		}
		out = append(out, line{Text: l})
	}
	return out
}

// groupName returns the Finnish name of a document group (asiakirjaryhmä)
// by its code, or the code itself when the table does not have it.
func (in *Inspector) groupName(code string) string {
	if g, ok := in.groups.ByCode(code); ok {
		return g.Name
	}
	return code
}
