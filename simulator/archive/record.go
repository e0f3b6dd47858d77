// Package archive keeps the state of the mock archive (Sosiaalihuollon
// asiakastiedon arkisto) and applies the rules that depend on it: version
// numbering, annulment, storage order, case membership and the life of a
// client's identifiers.
//
// State lives behind the Store interface; NewMemStore is the in-memory
// implementation. Archive decides, from the document group, setId,
// versionNumber and record status of a validated message, whether the
// message stores a new document, a new version (replacement) or an
// annulment, checks the state rules and records the version.
package archive

import (
	"errors"
)

// ErrNotFound is returned by Store lookups that find nothing.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned by Store.Add when the set's latest version is not
// the one the caller expected (another message was stored in between).
var ErrConflict = errors.New("conflicting concurrent version")
