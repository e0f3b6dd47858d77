package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
)

// codesFlag adds --codes to a command's flags.
func codesFlag(fs *flag.FlagSet) *string {
	return fs.String("codes", "", "`folder` of code lists (YAML or OID.csv) that replace the bundled ones (default $"+codes.EnvVar+")")
}

// loadCodes reads the overlay folder named by --codes or the environment
// and prints what it replaced to w; the embedded lists when neither names
// one.
func loadCodes(dir string, w io.Writer) (*codes.Set, error) {
	cs, notes, err := codes.FromFlagOrEnv(dir, os.Getenv)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		fmt.Fprintln(w, "yhteistestaus: "+n)
	}
	return cs, nil
}
