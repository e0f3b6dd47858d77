package body

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta"
)

//go:embed schemas/*.json
var embeddedSchemas embed.FS

// DefaultSchemas returns the embedded fallback schemas in schemas/, the
// structures the simulator judges documents by when it is not given THL's
// Sosmeta export (see package sosmeta). They are the simulator's own: they
// must never refuse what THL's structure of the same OID allows, so they
// are open (no additionalProperties: false) and constrain only what every
// real document of the structure has. Each schema is compiled on first
// use.
func DefaultSchemas() (*sosmeta.Set, error) {
	sub, err := fs.Sub(embeddedSchemas, "schemas")
	if err != nil {
		return nil, fmt.Errorf("embedded schemas: %w", err)
	}
	s, err := sosmeta.Load(sub, sosmeta.Source{Embedded: true})
	if err != nil {
		return nil, fmt.Errorf("embedded schemas: %w", err)
	}
	return s, nil
}
