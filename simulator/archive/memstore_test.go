package archive_test

import (
	"testing"

	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive/archivetest"
)

func TestMemStore(t *testing.T) {
	archivetest.Run(t, func(*testing.T) archive.Store { return archive.NewMemStore() })
}
