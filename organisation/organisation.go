// Package organisation reads the vendor's own organisations (organisaatiot)
// and service units (palveluyksiköt) from a small YAML file, so that the mock
// archive and the harness know them: the simulator bundles only the part of
// THL's SOTE-organisaatiorekisteri (1.2.246.537.6.202) that the public samples
// show, and a real vendor archives under its own OIDs.
//
// The file (given with --organisation FILE or the environment variable
// YHTEISTESTAUS_ORGANISATION) looks like this:
//
//	organisations:
//	  - oid: 1.2.246.10.12345678.10.0
//	    name: Esimerkin hyvinvointialue
//	    serviceUnits:
//	      - oid: 1.2.246.10.12345678.10.100
//	        name: Lapsiperheiden sosiaalityö
//	        serviceTasks: ["24"]
//
// serviceTasks are codes of Sosiaalihuolto - Palvelutehtävä
// (1.2.246.537.6.1221.201601), the service tasks the unit runs. The file is
// read strictly: an unknown field, a malformed or repeated OID or a missing
// name is an error.
package organisation

import (
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/yhteistestaus/yhteistestaus/datafile"
)

// EnvVar names the environment variable that gives the declaration file
// when --organisation is not given.
const EnvVar = "YHTEISTESTAUS_ORGANISATION"

// Organisation is an organisation (organisaatio, sv. organisation) of the
// vendor's customer: a service organiser or producer, identified by its OID
// in SOTE-organisaatiorekisteri.
type Organisation struct {
	OID          string        `yaml:"oid" json:"oid"`
	Name         string        `yaml:"name" json:"name"`
	ServiceUnits []ServiceUnit `yaml:"serviceUnits" json:"serviceUnits,omitempty"`
}

// ServiceUnit is a service unit (palveluyksikkö, sv. serviceenhet) of an
// organisation, with the service tasks (palvelutehtävät) it runs.
type ServiceUnit struct {
	OID          string   `yaml:"oid" json:"oid"`
	Name         string   `yaml:"name" json:"name"`
	ServiceTasks []string `yaml:"serviceTasks" json:"serviceTasks,omitempty"`
}

// Entry is what a declaration says about one OID.
type Entry struct {
	// Name is the declared name.
	Name string
	// Organisation is the OID of the organisation; for a service unit the
	// organisation it belongs to.
	Organisation string
	// ServiceUnit is true for a service unit.
	ServiceUnit bool
	// ServiceTasks are a service unit's service task codes.
	ServiceTasks []string
}

// Declaration is a loaded set of declared organisations. The nil
// Declaration declares nothing. A Declaration is read-only and safe for
// concurrent use.
type Declaration struct {
	source string
	orgs   []Organisation
	byOID  map[string]Entry
}

type file struct {
	Organisations []Organisation `yaml:"organisations"`
}

var oidSyntax = regexp.MustCompile(`^[0-2](\.(0|[1-9][0-9]*))+$`)

// maxOIDLength bounds one OID; real organisation OIDs are about 30
// characters.
const maxOIDLength = 128

// Parse reads a declaration from data; source names it in errors and in
// Source.
func Parse(source string, data []byte) (*Declaration, error) {
	var f file
	if err := datafile.Decode(data, &f); err != nil {
		return nil, fmt.Errorf("organisations %s: %w", source, err)
	}
	if len(f.Organisations) == 0 {
		return nil, fmt.Errorf("organisations %s: declares no organisation (want organisations: with at least one oid and name)", source)
	}
	d := &Declaration{source: source, orgs: f.Organisations, byOID: make(map[string]Entry)}
	add := func(oid, what string, e Entry) error {
		switch {
		case len(oid) > maxOIDLength || !oidSyntax.MatchString(oid):
			return fmt.Errorf("%s oid %q is not a dotted OID", what, oid)
		case e.Name == "":
			return fmt.Errorf("%s %s has no name", what, oid)
		}
		if _, dup := d.byOID[oid]; dup {
			return fmt.Errorf("%s %s is declared twice", what, oid)
		}
		d.byOID[oid] = e
		return nil
	}
	for i, o := range f.Organisations {
		if err := add(o.OID, "organisation", Entry{Name: o.Name, Organisation: o.OID}); err != nil {
			return nil, fmt.Errorf("organisations %s: organisation %d: %w", source, i+1, err)
		}
		for j, u := range o.ServiceUnits {
			for _, t := range u.ServiceTasks {
				if t == "" {
					return nil, fmt.Errorf("organisations %s: service unit %s: empty service task code", source, u.OID)
				}
			}
			e := Entry{Name: u.Name, Organisation: o.OID, ServiceUnit: true, ServiceTasks: u.ServiceTasks}
			if err := add(u.OID, "service unit", e); err != nil {
				return nil, fmt.Errorf("organisations %s: organisation %s, service unit %d: %w", source, o.OID, j+1, err)
			}
		}
	}
	return d, nil
}

// Load reads the declaration file at path.
func Load(path string) (*Declaration, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, datafile.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("organisations %s: %w", path, err)
	}
	if len(data) > datafile.MaxSize {
		return nil, fmt.Errorf("organisations %s: larger than %d bytes", path, datafile.MaxSize)
	}
	return Parse(path, data)
}

// FromFlagOrEnv loads the file named by flag, or when flag is empty by the
// environment variable EnvVar (looked up with getenv). Neither gives a nil
// Declaration and no error.
func FromFlagOrEnv(flag string, getenv func(string) string) (*Declaration, error) {
	path := flag
	if path == "" && getenv != nil {
		path = getenv(EnvVar)
	}
	if path == "" {
		return nil, nil
	}
	return Load(path)
}

// Source names where the declaration came from ("" for nil).
func (d *Declaration) Source() string {
	if d == nil {
		return ""
	}
	return d.source
}

// Organisations returns the declared organisations in file order, each
// with its service units; a copy the caller may change.
func (d *Declaration) Organisations() []Organisation {
	if d == nil {
		return nil
	}
	out := make([]Organisation, len(d.orgs))
	for i, o := range d.orgs {
		o.ServiceUnits = append([]ServiceUnit(nil), o.ServiceUnits...)
		for j := range o.ServiceUnits {
			o.ServiceUnits[j].ServiceTasks = append([]string(nil), o.ServiceUnits[j].ServiceTasks...)
		}
		out[i] = o
	}
	return out
}

// Lookup returns what the declaration says about an organisation or
// service unit OID.
func (d *Declaration) Lookup(oid string) (Entry, bool) {
	if d == nil {
		return Entry{}, false
	}
	e, ok := d.byOID[oid]
	if ok {
		e.ServiceTasks = append([]string(nil), e.ServiceTasks...)
	}
	return e, ok
}
