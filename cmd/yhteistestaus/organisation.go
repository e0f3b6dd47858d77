package main

import (
	"flag"
	"os"

	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/organisation"
)

// organisationFlag adds --organisation to a command's flags.
func organisationFlag(fs *flag.FlagSet) *string {
	return fs.String("organisation", "", "YAML `file` declaring the vendor's organisations and service units (default $"+organisation.EnvVar+")")
}

// loadOrganisations reads the declaration named by --organisation or the
// environment; nil when neither names one.
func loadOrganisations(path string) (*organisation.Declaration, error) {
	return organisation.FromFlagOrEnv(path, os.Getenv)
}

// referenceOrganisation is the organisation the reference system archives
// for under a declaration: the first declared organisation with a service
// unit, and that unit. ok is false when none has one.
func referenceOrganisation(d *organisation.Declaration) (compose.Organisation, bool) {
	for _, o := range d.Organisations() {
		if len(o.ServiceUnits) > 0 {
			u := o.ServiceUnits[0]
			return compose.Organisation{OID: o.OID, Name: o.Name, ServiceUnitOID: u.OID, ServiceUnitName: u.Name}, true
		}
	}
	return compose.Organisation{}, false
}
