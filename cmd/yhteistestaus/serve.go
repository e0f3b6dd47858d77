package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

func (m *Main) serve(ctx context.Context, args []string) error {
	fs := newCommand("serve", `serve [flags]

Runs the mock archive: the SOAP endpoint, the validation service and the
control API the harness and a manual co-testing session use.`)
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address`")
	maxBytes := fs.Int64("max-bytes", wire.DefaultLimits().MaxBytes, "largest request body accepted, in bytes")
	maxInFlight := fs.Int("max-inflight", server.DefaultMaxInFlight, "requests served at once; past it a request is answered at once with 503 and Retry-After")
	drain := fs.Duration("drain", 10*time.Second, "on SIGINT or SIGTERM, how long to wait for requests under way; those still running after it are answered with 503 (a SOAP Fault naming WIRE-SHUTDOWN)")
	logFormat := fs.String("log-format", "text", "log `format`: text or json (one line per message; control API requests at --log-level debug)")
	logLevel := fs.String("log-level", "info", "log `level`: debug, info, warn or error")
	ackForm := fs.String("ack-form", wire.AckFormNE2008.String(), "how acknowledgements carry AA/AE/AR: ne2008 (<typeCode code=\"AA\"/>, HL7 V3 NE2008) or attribute (typeCode=\"AA\")")
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
	sim, err := simulator.New(simulator.WithLimits(wire.Limits{MaxBytes: *maxBytes}), simulator.WithOrganisations(decl), simulator.WithCodes(cs),
		simulator.WithStructures(structures))
	if err != nil {
		return err
	}
	srv := &server.Server{Addr: *addr, Sim: sim, Logger: logger, AckForm: form, MaxInFlight: *maxInFlight}
	if err := srv.Start(); err != nil {
		return err
	}
	logger.Info("mock archive listening", "url", srv.URL(), "max-inflight", *maxInFlight, "drain", *drain, "soap", srv.URL()+"/soap", "wsdl", srv.URL()+"/soap?wsdl", "ack-form", form.String(),
		"validation", srv.URL()+"/shark-validointi/validoi/asiakirja/tulos", "api", srv.URL()+"/api/sessions")
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
