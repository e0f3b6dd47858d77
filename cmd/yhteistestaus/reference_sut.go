package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus/reference"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

func (m *Main) referenceSUT(ctx context.Context, args []string) error {
	fs := newCommand("reference-sut", `reference-sut [flags]

Serves the built-in reference vendor system as an HTTP driver adapter
(yhteistestaus run --sut URL), optionally with faults injected.`)
	addr := fs.String("addr", "127.0.0.1:8081", "listen `address`")
	list := fs.Bool("list-faults", false, "list the faults the reference system can inject and exit")
	var faults multiFlag
	fs.Var(&faults, "fault", "break one requirement: the fault's `name` (repeatable)")
	rest, err := fs.parse(m.Stdout, args)
	if err != nil {
		return err
	}
	if err := fs.noArgs(rest); err != nil {
		return err
	}
	if *list {
		fl, err := reference.Faults()
		if err != nil {
			return err
		}
		for _, f := range fl {
			fmt.Fprintf(m.Stdout, "%-36s %s [%s]\n", f.Name, f.Description, strings.Join(f.Requirements, ", "))
		}
		return nil
	}
	sys, err := reference.New(reference.Options{Faults: faults})
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(m.Stderr, nil))
	srv := &http.Server{Addr: *addr, Handler: sut.Handler(sys), ReadHeaderTimeout: 10 * time.Second}
	ln, err := listen(*addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	logger.Info("reference vendor system listening", "url", url, "faults", slices.Clip(faults))
	if m.Ready != nil {
		m.Ready(url)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return ln, nil
}
