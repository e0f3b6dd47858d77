package main

import (
	"flag"
	"os"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta"
)

// sosmetaFlag defines --sosmeta, THL's Sosmeta export; its default is the
// folder the environment variable simulator.EnvSosmeta names.
func sosmetaFlag(fs *flag.FlagSet) *string {
	return fs.String("sosmeta", os.Getenv(simulator.EnvSosmeta),
		"`folder` of THL's Sosmeta structures (JSON Schemas named by OID); default $"+simulator.EnvSosmeta+", else the embedded fallback schemas")
}

// openStructures opens THL's Sosmeta export in dir; nil (the embedded
// fallback) for "".
func openStructures(dir string) (*sosmeta.Set, error) {
	if dir == "" {
		return nil, nil
	}
	return sosmeta.Open(dir)
}
