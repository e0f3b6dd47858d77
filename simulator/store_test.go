package simulator_test

import (
	"testing"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/storetest"
)

func TestMemStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) simulator.Store { return simulator.NewMemStore() })
}
