package main

import (
	"context"
	"fmt"
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
	logger := slog.New(slog.NewTextHandler(m.Stderr, nil))
	srv := &server.Server{Addr: *addr, Sim: sim, Logger: logger, AckForm: form}
	if err := srv.Start(); err != nil {
		return err
	}
	logger.Info("mock archive listening", "url", srv.URL(), "soap", srv.URL()+"/soap", "wsdl", srv.URL()+"/soap?wsdl", "ack-form", form.String(),
		"validation", srv.URL()+"/shark-validointi/validoi/asiakirja/tulos", "api", srv.URL()+"/api/sessions")
	if m.Ready != nil {
		m.Ready(srv.URL())
	}
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("mock archive stopped")
	return nil
}
