package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/sqlstore"
)

// storeFile is the SQLite file of serve's store in its --data folder.
const storeFile = "store.db"

// defaultDataDir is serve's --data default: yhteistestaus in the user's
// data folder ($XDG_DATA_HOME, else ~/.local/share on Linux and the BSDs,
// else the user's configuration folder of the platform).
func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "yhteistestaus")
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "share", "yhteistestaus")
		}
	}
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "yhteistestaus")
	}
	return "yhteistestaus-data"
}

// openStore opens the store url names ("memory", "sqlite:PATH", or what
// sqlstore.Open knows), or, when url is empty, the SQLite file in the
// folder dir. It returns the store, a description for the log and a
// function that closes it.
func openStore(ctx context.Context, url, dir string) (simulator.Store, string, func() error, error) {
	if url == "memory" {
		return simulator.NewMemStore(), "memory", func() error { return nil }, nil
	}
	if url == "" {
		url = "sqlite:" + filepath.Join(dir, storeFile)
	}
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		return nil, "", nil, fmt.Errorf("--store/--data: %w", err)
	}
	return db, url, db.Close, nil
}
