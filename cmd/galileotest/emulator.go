package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
)

// runEmulator serves the emulator until ctx ends (SIGINT or SIGTERM).
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("galileotest emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", emulator.DefaultAddr, "listen address (host:port)")
	key := fs.String("api-key", emulator.DefaultAPIKey, "the API key clients must use")
	delay := fs.Duration("scoring-delay", emulator.DefaultScoringDelay, "pace of background work per experiment row (negative: none)")
	dataDir := fs.String("data-dir", "", "directory that keeps the state across restarts (default: in memory only)")
	seed := fs.Int64("seed", 0, "seed of resource ids (0: from the clock)")
	quiet := fs.Bool("quiet", false, "do not log notices")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: galileotest emulator [flags]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Serves the Galileo API emulator until interrupted. Control routes: POST /_emulator/reset,")
		fmt.Fprintln(stderr, "GET /_emulator/dump, GET|POST|DELETE /_emulator/faults.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "galileotest emulator: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *key == "" {
		fmt.Fprintln(stderr, "galileotest emulator: --api-key must not be empty")
		return 2
	}
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelError
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if *delay == 0 {
		*delay = -1 // an explicit 0 means no pacing
	}
	s, err := emulator.New(emulator.Options{Addr: *addr, APIKey: *key, ScoringDelay: *delay, DataDir: *dataDir, Seed: *seed, Logger: logger})
	if err != nil {
		fmt.Fprintf(stderr, "galileotest emulator: %v\n", err)
		return 3
	}
	fmt.Fprintf(stdout, "Galileo emulator listening on %s\n", s.URL())
	fmt.Fprintln(stdout, "Point the SDKs at it with:")
	fmt.Fprintf(stdout, "  export GALILEO_API_URL=%s\n", s.URL())
	fmt.Fprintln(stdout, "  export GALILEO_API_KEY=<the --api-key value>")
	if *dataDir != "" {
		fmt.Fprintf(stdout, "State is kept in %s\n", *dataDir)
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "Shutting down")
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			fmt.Fprintf(stderr, "galileotest emulator: closing: %v\n", err)
			return 3
		}
	case <-time.After(10 * time.Second):
		fmt.Fprintln(stderr, "galileotest emulator: closing took longer than 10s; exiting")
		return 3
	}
	return 0
}
