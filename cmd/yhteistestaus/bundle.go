package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/bundle"
	"github.com/yhteistestaus/yhteistestaus/reports"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
)

// runConfiguration is configuration.json of a run's evidence bundle: what
// was run, against what, with which settings and which build. It carries
// no secret: a flag whose name speaks of a token, secret, password or key
// is written as "(redacted)", and URLs lose their user information.
type runConfiguration struct {
	Command string `json:"command"`
	Profile string `json:"profile"`
	Tags    string `json:"tags,omitempty"`
	// SUT is the kind of system under test (reference, http, exec,
	// manual) and System its description.
	SUT    string `json:"sut"`
	System string `json:"system"`
	// Archive is "embedded" or the URL of the running simulator.
	Archive string `json:"archive"`
	Session string `json:"session"`
	// Flags are every flag of the command with the value it had.
	Flags map[string]string `json:"flags"`
	Build bundle.Build      `json:"build"`
	// Codes is the folder of code lists the archive used, or "bundled".
	Codes string `json:"codes"`
	// Structures are the document structures the archive judged with.
	Structures *api.Structures `json:"structures,omitempty"`
	Started    time.Time       `json:"started"`
	Verdict    string          `json:"verdict"`
	NotTested  string          `json:"notTested,omitempty"`
}

// secretFlag reports whether a flag's value must not go into a bundle.
func secretFlag(name string) bool {
	name = strings.ToLower(name)
	for _, w := range []string{"token", "secret", "password", "key"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// withoutUserinfo returns an http(s) URL without its user information; any
// other text as it is.
func withoutUserinfo(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User == nil {
		return s
	}
	u.User = nil
	return u.String()
}

// sutKind is the kind of system --sut names.
func sutKind(spec string) string {
	switch {
	case strings.HasPrefix(spec, "http://"), strings.HasPrefix(spec, "https://"):
		return "http"
	case strings.HasPrefix(spec, "exec:"):
		return "exec"
	}
	return spec
}

// writeRunBundle writes the run's evidence bundle to file: the run's
// configuration, the reports written into the report directory, and every
// message of the run's archive session with its acknowledgement and
// findings, fetched through the control API while the archive still runs.
// The file appears whole or not at all.
func writeRunBundle(ctx context.Context, file string, fs *flag.FlagSet, f *runFlags, system string, ac *control.Client, result *yhteistestaus.Run) (err error) {
	cfg := runConfiguration{
		Command: "yhteistestaus run", Profile: f.profile, Tags: f.tags,
		SUT: sutKind(f.sut), System: withoutUserinfo(system),
		Archive: "embedded", Session: ac.Session, Flags: make(map[string]string),
		Codes: "bundled", Started: result.Started, Verdict: string(result.Verdict), NotTested: result.NotTested,
	}
	if f.archive != "" {
		cfg.Archive = withoutUserinfo(f.archive)
	}
	fs.VisitAll(func(fl *flag.Flag) {
		v := fl.Value.String()
		if secretFlag(fl.Name) && v != "" {
			v = "(redacted)"
		}
		cfg.Flags[fl.Name] = withoutUserinfo(v)
	})
	cfg.Build, _ = bundle.ReadBuild()
	if dir := *f.codes; dir != "" {
		cfg.Codes = dir
	} else if dir := os.Getenv(codes.EnvVar); dir != "" {
		cfg.Codes = dir
	}
	if st, err := ac.Structures(ctx); err == nil {
		cfg.Structures = st
	}
	exs, err := sessionExchanges(ctx, ac)
	if err != nil {
		return err
	}

	out, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := out.Name()
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(tmp)
		}
	}()
	b := bundle.NewWriter(out, time.Now())
	if err := b.AddJSON("configuration.json", cfg); err != nil {
		return err
	}
	for _, name := range reports.Files() {
		if err := b.AddFile(path.Join("reports", name), filepath.Join(f.out, name)); err != nil {
			return err
		}
	}
	for _, m := range result.Messages {
		for _, rel := range []string{m.Frame, m.Document} {
			if rel == "" {
				continue
			}
			if err := b.AddFile(path.Join("reports", rel), filepath.Join(f.out, filepath.FromSlash(rel))); err != nil {
				return err
			}
		}
	}
	if err := b.AddExchanges(ac.Session, exs); err != nil {
		return err
	}
	if err := b.Close(); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// sessionExchanges returns every message the archive session's log keeps,
// with its parts and acknowledgement.
func sessionExchanges(ctx context.Context, ac *control.Client) ([]*api.Exchange, error) {
	list, err := ac.Messages(ctx, control.MessageFilter{})
	if err != nil {
		return nil, fmt.Errorf("list the session's messages: %w", err)
	}
	exs := make([]*api.Exchange, 0, len(list))
	for _, x := range list {
		m, err := ac.Message(ctx, x.Seq)
		if errors.Is(err, control.ErrNotFound) {
			continue // the log no longer keeps it
		}
		if err != nil {
			return nil, fmt.Errorf("message %d: %w", x.Seq, err)
		}
		ex := m.Exchange
		ex.Frame, ex.Document, ex.Ack = []byte(m.FrameXML), []byte(m.DocumentXML), []byte(m.AckXML)
		exs = append(exs, &ex)
	}
	return exs, nil
}

// bundleCommand runs `yhteistestaus bundle verify FILE.zip`.
func (m *Main) bundleCommand(args []string) (int, error) {
	c := newCommand("bundle", `bundle verify FILE.zip

Checks an evidence bundle (run --bundle, GET /api/sessions/{s}/bundle)
against its manifest: every file listed is there with its SHA-256 and size,
and nothing else is. Exit status: 0 the bundle verifies, 1 it does not (the
first mismatch is named; also a damaged zip), 2 usage error or the file
cannot be opened.`)
	rest, err := c.parse(m.Stdout, args)
	if err != nil {
		return 0, err
	}
	if len(rest) != 2 || rest[0] != "verify" {
		return 0, fmt.Errorf("%w: bundle: give verify FILE.zip (see yhteistestaus bundle -h)", errUsage)
	}
	file := rest[1]
	zf, err := os.Open(file)
	if err != nil {
		return 0, fmt.Errorf("bundle verify: %w", err)
	}
	defer zf.Close()
	st, err := zf.Stat()
	if err != nil {
		return 0, fmt.Errorf("bundle verify: %w", err)
	}
	mf, err := bundle.Verify(zf, st.Size(), bundle.Limits{})
	if err != nil {
		fmt.Fprintf(m.Stdout, "%s: does NOT verify: %v\n", file, err)
		return exitInvalid, nil
	}
	fmt.Fprintf(m.Stdout, "%s: verifies: %d files match the manifest of %s\n", file, len(mf.Files), mf.Created.Format(time.RFC3339))
	return exitOK, nil
}
