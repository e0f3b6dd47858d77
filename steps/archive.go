package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
)

// The archive steps: check what the archive holds, through its control
// API (simulator/control).

func (w *World) versions(ctx context.Context, name string) ([]*api.Record, error) {
	d, err := w.doc(name)
	if err != nil {
		if c, ok := w.cases[name]; ok {
			return w.versions(ctx, "case:"+c.ref[len(w.prefix):])
		}
		return nil, err
	}
	vs, err := w.suite.Archive.Versions(ctx, d.SetID)
	if errors.Is(err, control.ErrNotFound) {
		return nil, fmt.Errorf("the archive holds no set %s for %q", d.SetID, name)
	}
	return vs, err
}

func (w *World) holdsVersion(ctx context.Context, name string, version int) error {
	vs, err := w.versions(ctx, name)
	if err != nil {
		return err
	}
	if last := vs[len(vs)-1]; last.Version != version {
		return fmt.Errorf("the archive holds %q at version %d, want %d", name, last.Version, version)
	}
	return nil
}

func (w *World) holdsAnnulled(ctx context.Context, name string) error {
	if _, ok := w.docs[name]; !ok {
		if _, ok := w.cases[name]; ok {
			name = "case:" + name
		} else if _, ok := w.clients[name]; ok {
			name = "crd:" + name
		}
	}
	vs, err := w.versions(ctx, name)
	if err != nil {
		return err
	}
	if !vs[len(vs)-1].Annulled {
		return fmt.Errorf("the archive's latest version of %q (version %d) is not an annulment", name, vs[len(vs)-1].Version)
	}
	return nil
}

func (w *World) notHeld(ctx context.Context, name string) error {
	o, err := w.lastOutcome()
	if err != nil {
		return err
	}
	if n := len(o.accepted()); n > 0 {
		return fmt.Errorf("the archive accepted %d message(s) of the last action, so %q may be archived", n, name)
	}
	if d, ok := w.docs[name]; ok {
		if vs, err := w.suite.Archive.Versions(ctx, d.SetID); err == nil && len(vs) > 0 {
			return fmt.Errorf("the archive holds %q (set %s)", name, d.SetID)
		}
	}
	for _, d := range o.answer.Result.Documents {
		if d.Ref == w.ref(name) {
			if vs, err := w.suite.Archive.Versions(ctx, d.SetID); err == nil && len(vs) > 0 {
				return fmt.Errorf("the archive holds %q (set %s)", name, d.SetID)
			}
		}
	}
	return nil
}

func (w *World) clientFilter(name string) (string, error) {
	c, err := w.client(name)
	if err != nil {
		return "", err
	}
	if c.hetu == "" {
		return "", fmt.Errorf("client %q has no identity code yet", name)
	}
	return c.hetu, nil
}

func (w *World) holdsClientRelation(ctx context.Context, name string) error {
	code, err := w.clientFilter(name)
	if err != nil {
		return err
	}
	sets, err := w.suite.Archive.Archive(ctx, control.ArchiveFilter{Client: code, Kind: "client-relation"})
	if err != nil {
		return err
	}
	for _, s := range sets {
		if !s.Latest.Annulled {
			return nil
		}
	}
	return fmt.Errorf("the archive holds no live client relation document for %q", name)
}

func (w *World) caseRecord(ctx context.Context, caseName string) (*api.Record, error) {
	if _, err := w.caseOf(caseName); err != nil {
		return nil, err
	}
	vs, err := w.versions(ctx, "case:"+caseName)
	if err != nil {
		return nil, err
	}
	return vs[len(vs)-1], nil
}

func (w *World) holdsCase(ctx context.Context, caseName, state string) error {
	r, err := w.caseRecord(ctx, caseName)
	if err != nil {
		return err
	}
	if got := map[bool]string{true: "closed", false: "open"}[r.CaseClosed]; got != state {
		return fmt.Errorf("the archive holds case %q as %s, want %s", caseName, got, state)
	}
	return nil
}

func (w *World) caseClients(ctx context.Context, caseName, list string) error {
	r, err := w.caseRecord(ctx, caseName)
	if err != nil {
		return err
	}
	var want []string
	for _, n := range quoted(list) {
		code, err := w.clientFilter(n)
		if err != nil {
			return err
		}
		want = append(want, code)
	}
	var got []string
	for _, c := range r.Clients {
		_, ext, _ := strings.Cut(c, "^")
		got = append(got, ext)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return fmt.Errorf("case %q has %d client(s) in the archive, want %d (%s)", caseName, len(got), len(want), list)
	}
	return nil
}

func (w *World) latest(ctx context.Context, name string) (*api.Record, error) {
	vs, err := w.versions(ctx, name)
	if err != nil {
		return nil, err
	}
	return vs[len(vs)-1], nil
}

func (w *World) delayed(ctx context.Context, name, ground string) error {
	r, err := w.latest(ctx, name)
	if err != nil {
		return err
	}
	if r.DelayUntil.IsZero() {
		return fmt.Errorf("the archive holds %q with no MittKanta delay", name)
	}
	if !slices.Contains(r.RestrictionGrounds, ground) {
		return fmt.Errorf("the archive holds %q with restriction grounds %v, want %q", name, r.RestrictionGrounds, ground)
	}
	return nil
}

func (w *World) guardianCode(ctx context.Context, name, code string) error {
	r, err := w.latest(ctx, name)
	if err != nil {
		return err
	}
	if r.GuardianConsent != code {
		return fmt.Errorf("the archive holds %q with guardian disclosure code %q, want %q", name, r.GuardianConsent, code)
	}
	return nil
}

func (w *World) underIdentityCode(ctx context.Context, name, clientName string) error {
	code, err := w.clientFilter(clientName)
	if err != nil {
		return err
	}
	r, err := w.latest(ctx, name)
	if err != nil {
		return err
	}
	for _, c := range r.Clients {
		if strings.HasSuffix(c, "^"+code) {
			return nil
		}
	}
	return fmt.Errorf("the archive's latest version of %q does not name %q by the identity code", name, clientName)
}

func (w *World) liveSets(ctx context.Context, n int, name string) error {
	code, err := w.clientFilter(name)
	if err != nil {
		return err
	}
	sets, err := w.suite.Archive.Archive(ctx, control.ArchiveFilter{Client: code})
	if err != nil {
		return err
	}
	live := 0
	for _, s := range sets {
		if !s.Latest.Annulled {
			live++
		}
	}
	if live != n {
		return fmt.Errorf("the archive holds %d live set(s) for %q, want %d", live, name, n)
	}
	return nil
}
