// Package features embeds the conformance suite's Gherkin feature files:
// one folder per functional area of the profile tables, every scenario
// tagged with the requirements it verifies (@req:ID) and its area
// (@area:ID).
package features

import (
	"embed"
	"io/fs"
)

//go:embed */*.feature
var files embed.FS

// FS returns the feature files.
func FS() fs.FS { return files }
