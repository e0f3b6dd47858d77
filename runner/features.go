package runner

import (
	"io/fs"

	"github.com/yhteistestaus/yhteistestaus/features"
)

// DefaultFeatures returns the embedded feature files.
func DefaultFeatures() fs.FS { return features.FS() }
