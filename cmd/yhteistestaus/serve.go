package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

func (m *Main) serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address`")
	maxBytes := fs.Int64("max-bytes", wire.DefaultLimits().MaxBytes, "largest request body accepted, in bytes")
	ackForm := fs.String("ack-form", wire.AckFormNE2008.String(), "how acknowledgements carry AA/AE/AR: ne2008 (<typeCode code=\"AA\"/>, HL7 V3 NE2008) or attribute (typeCode=\"AA\")")
	orgFile := organisationFlag(fs)
	codesDir := codesFlag(fs)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: serve: %v", errUsage, err)
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
	sim, err := simulator.New(simulator.WithLimits(wire.Limits{MaxBytes: *maxBytes}), simulator.WithOrganisations(decl), simulator.WithCodes(cs))
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
