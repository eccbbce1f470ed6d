// Command segue-ferretdb runs FerretDB with its SQLite backend as the
// MongoDB-compatible database for local use and tests.
//
// It is built from FerretDB's embeddable package rather than `go install`ed,
// because an installed FerretDB binary lacks its build/version files and
// panics at start (FerretDB issue 2982). The embeddable package also keeps
// telemetry, the state file and the debug HTTP listener off, so several
// instances can run side by side.
//
// Once listening it prints one JSON line, {"uri": "mongodb://…"}, on stdout.
// It stops on SIGINT/SIGTERM and when its stdin closes, so it never outlives
// the process that started it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free one)")
	dir := flag.String("dir", "data/ferretdb", "directory for the SQLite files")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	if err := run(*listen, *dir, *logLevel); err != nil {
		fmt.Fprintln(os.Stderr, "segue-ferretdb:", err)
		os.Exit(1)
	}
}

func run(listen, dir, logLevel string) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("invalid -log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return err
	}

	db, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(abs) + "/",
		Logger:    logger,
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		// the parent holds our stdin open; EOF means it is gone
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()

	done := make(chan error, 1)
	go func() { done <- db.Run(ctx) }()

	// MongoDBURI waits until the listener is up
	line, err := json.Marshal(map[string]string{"uri": db.MongoDBURI()})
	if err != nil {
		return err
	}
	fmt.Println(string(line))

	return <-done
}
