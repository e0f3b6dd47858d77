package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/access"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

func (m *Main) serve(ctx context.Context, args []string) error {
	fs := newCommand("serve", `serve [flags]

Runs the mock archive: the SOAP endpoint, the validation service and the
control API the harness and a manual co-testing session use.

Without --tokens anyone who reaches the port may do anything, so serve then
listens only on a loopback address unless --insecure is given. With
--tokens FILE (docs/tokens.example.yaml) every request needs a token: a
vendor sees only its own sessions, the coordinator all.`)
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address`")
	tokensFile := fs.String("tokens", "", "YAML `file` of the coordinator's and the vendors' tokens (docs/tokens.example.yaml); a missing coordinator token is generated and printed")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this PEM certificate `file` (with --tls-key)")
	tlsKey := fs.String("tls-key", "", "the PEM private key `file` of --tls-cert")
	clientCA := fs.String("client-ca", "", "require a client certificate issued by a CA of this PEM `file`, as Kanta authenticates systems (needs --tls-cert)")
	insecure := fs.Bool("insecure", false, "allow listening beyond loopback without --tokens: anyone who reaches the port can read and reset every session")
	maxBytes := fs.Int64("max-bytes", wire.DefaultLimits().MaxBytes, "largest request body accepted, in bytes")
	maxInFlight := fs.Int("max-inflight", server.DefaultMaxInFlight, "requests served at once; past it a request is answered at once with 503 and Retry-After")
	drain := fs.Duration("drain", 10*time.Second, "on SIGINT or SIGTERM, how long to wait for requests under way; those still running after it are answered with 503 (a SOAP Fault naming WIRE-SHUTDOWN)")
	logFormat := fs.String("log-format", "text", "log `format`: text or json (one line per message; control API requests at --log-level debug)")
	logLevel := fs.String("log-level", "info", "log `level`: debug, info, warn or error")
	ackForm := fs.String("ack-form", wire.AckFormNE2008.String(), "how acknowledgements carry AA/AE/AR: ne2008 (<typeCode code=\"AA\"/>, HL7 V3 NE2008) or attribute (typeCode=\"AA\")")
	dataDir := fs.String("data", defaultDataDir(), "`folder` of the store: the sessions, their message logs and archives survive a restart in its "+storeFile+" (SQLite)")
	storeURL := fs.String("store", "", "the store instead of --data: memory (nothing survives a restart) or sqlite:PATH")
	sessionTTL := fs.Duration("session-ttl", 30*24*time.Hour, "delete a session (its log and archive) unused for this long: no message, reset or clock change; 0 keeps sessions forever")
	orgFile := organisationFlag(fs.FlagSet)
	codesDir := codesFlag(fs.FlagSet)
	sosmetaDir := sosmetaFlag(fs.FlagSet)
	rest, err := fs.parse(m.Stdout, args)
	if err != nil {
		return err
	}
	if err := fs.noArgs(rest); err != nil {
		return err
	}
	if *maxInFlight <= 0 {
		return fmt.Errorf("%w: serve: --max-inflight must be at least 1, not %d", errUsage, *maxInFlight)
	}
	if *sessionTTL < 0 {
		return fmt.Errorf("%w: serve: --session-ttl must not be negative, not %v", errUsage, *sessionTTL)
	}
	if *drain < 0 {
		return fmt.Errorf("%w: serve: --drain must not be negative, not %v", errUsage, *drain)
	}
	logger, err := newLogger(m.Stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	form, err := wire.ParseAckForm(*ackForm)
	if err != nil {
		return fmt.Errorf("%w: serve: --ack-form: %v", errUsage, err)
	}
	var tlsConf *tls.Config
	switch {
	case *tlsCert != "" || *tlsKey != "":
		if tlsConf, err = access.ServerTLS(*tlsCert, *tlsKey, *clientCA); err != nil {
			return fmt.Errorf("%w: serve: --tls-cert/--tls-key/--client-ca: %v", errUsage, err)
		}
	case *clientCA != "":
		return fmt.Errorf("%w: serve: --client-ca needs --tls-cert and --tls-key: client certificates are a TLS matter", errUsage)
	}
	var tokens *access.Tokens
	if *tokensFile != "" {
		if tokens, err = access.Load(*tokensFile); err != nil {
			return fmt.Errorf("%w: serve: --tokens: %v", errUsage, err)
		}
	} else if !*insecure {
		if err := checkLoopback(ctx, *addr); err != nil {
			return fmt.Errorf("%w: serve: %v", errUsage, err)
		}
	}
	decl, err := loadOrganisations(*orgFile)
	if err != nil {
		return err
	}
	cs, err := loadCodes(*codesDir, m.Stderr)
	if err != nil {
		return err
	}
	// One set of limits: the transport reads, and the validator checks,
	// within the simulator's.
	structures, err := openStructures(*sosmetaDir)
	if err != nil {
		return err
	}
	store, storeName, closeStore, err := openStore(ctx, *storeURL, *dataDir)
	if err != nil {
		return err
	}
	defer closeStore()
	sim, err := simulator.New(simulator.WithLimits(wire.Limits{MaxBytes: *maxBytes}), simulator.WithOrganisations(decl), simulator.WithCodes(cs),
		simulator.WithStructures(structures), simulator.WithStore(store))
	if err != nil {
		return err
	}
	if *sessionTTL > 0 {
		go expireSessions(ctx, sim, *sessionTTL, logger)
	}
	srv := &server.Server{Addr: *addr, Sim: sim, Logger: logger, AckForm: form, Tokens: tokens, MaxInFlight: *maxInFlight, TLS: tlsConf}
	if err := srv.Start(); err != nil {
		return err
	}
	logger.Info("mock archive listening", "url", srv.URL(), "tokens", tokens != nil, "client-certificates", *clientCA != "", "max-inflight", *maxInFlight, "drain", *drain, "soap", srv.URL()+"/soap", "wsdl", srv.URL()+"/soap?wsdl", "ack-form", form.String(),
		"validation", srv.URL()+"/shark-validointi/validoi/asiakirja/tulos", "api", srv.URL()+"/api/sessions",
		"store", storeName, "sessions", len(sim.Sessions()), "session-ttl", *sessionTTL)
	switch {
	case tokens != nil && tokens.Generated != "":
		// Printed once, here; it is kept nowhere else.
		fmt.Fprintf(m.Stderr, "coordinator token (generated for this run, not saved): %s\n", tokens.Generated)
	case tokens == nil && *insecure:
		logger.Warn("serving without tokens (--insecure): anyone who reaches the port can read, reset and delete every session")
	}
	if m.Ready != nil {
		m.Ready(srv.URL())
	}
	<-ctx.Done()
	logger.Info("mock archive stopping", "drain", *drain)
	shutdown, cancel := context.WithTimeout(context.Background(), *drain)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("mock archive stopped")
	return nil
}

// expireSessions deletes the sessions unused for ttl, checking every tenth
// of it (at least every second, at most every minute), until ctx ends.
func expireSessions(ctx context.Context, sim *simulator.Simulator, ttl time.Duration, logger *slog.Logger) {
	t := time.NewTicker(min(max(ttl/10, time.Second), time.Minute))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		gone, err := sim.ExpireSessions(ctx, ttl)
		if err != nil && ctx.Err() == nil {
			logger.Error("session expiry", "err", err)
		}
		if len(gone) > 0 {
			logger.Info("sessions expired", "sessions", gone, "idle", ttl)
		}
	}
}

// checkLoopback refuses a listen address that is not on loopback: an
// empty host (":8080", every interface), an address or a name that
// resolves to one beyond 127.0.0.0/8 and ::1.
func checkLoopback(ctx context.Context, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %v", addr, err)
	}
	refuse := fmt.Errorf("--addr %s listens beyond loopback without tokens, where anyone who reaches the port could read and reset every vendor's session: "+
		"give --tokens FILE (docs/tokens.example.yaml, with --tls-cert/--tls-key for TLS), or --insecure to serve openly anyway", addr)
	if host == "" {
		return refuse
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return refuse
		}
		return nil
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return fmt.Errorf("--addr %q: %v", addr, err)
	}
	for _, ip := range ips {
		if !ip.IP.IsLoopback() {
			return refuse
		}
	}
	return nil
}

// newLogger returns the server's logger: text or JSON lines on w, from
// level up.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("%w: serve: --log-level must be debug, info, warn or error, not %q", errUsage, level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("%w: serve: --log-format must be text or json, not %q", errUsage, format)
}
