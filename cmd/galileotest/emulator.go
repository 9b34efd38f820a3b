package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
)

// emulatorUsage is printed before the flags of galileotest emulator.
const emulatorUsage = `Usage: galileotest emulator [flags]

Serves the Galileo API emulator until interrupted. Control routes: POST /_emulator/reset,
GET /_emulator/dump, GET|POST|DELETE /_emulator/faults; they take the API key, or no
credentials from loopback, and refuse other web origins and non-JSON bodies.
`

// runEmulator serves the emulator until ctx ends (SIGINT or SIGTERM).
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, code := emulatorOptions(args, stderr)
	if code >= 0 {
		return code
	}
	s, err := emulator.New(opts)
	if err != nil {
		// The emulator's errors start with "emulator: " already.
		fmt.Fprintf(stderr, "galileotest emulator: %s\n", strings.TrimPrefix(err.Error(), "emulator: "))
		return 3
	}
	announce(stdout, stderr, s.URL(), opts)
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

// emulatorOptions parses the flags into emulator options; code is the exit
// code when the command should stop (help, bad flags), else -1.
func emulatorOptions(args []string, stderr io.Writer) (opts emulator.Options, code int) {
	fs := flag.NewFlagSet("galileotest emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", emulator.DefaultAddr, "listen address (host:port); any but a loopback one exposes the emulator to the network")
	key := fs.String("api-key", emulator.DefaultAPIKey, "the API key clients must use")
	delay := fs.Duration("scoring-delay", emulator.DefaultScoringDelay, "pace of background work per experiment row (negative: none)")
	dataDir := fs.String("data-dir", "", "directory that keeps the state across restarts (default: in memory only)")
	seed := fs.Int64("seed", 0, "seed of resource ids (0: from the clock)")
	dups := fs.String("duplicate-names", string(emulator.DefaultDuplicateNames), "a second experiment with a name taken in the project: allow, or reject with 409")
	structured := fs.Bool("structured-aggregates", true, "publish structured_aggregate_metrics on experiments; false emulates Galileo with the use_clickhouse_run_aggregates flag off (the field is null; count through records)")
	publish := fs.String("publish-aggregates", string(emulator.DefaultPublishAggregates), "when scores show in an experiment's aggregates: incremental (row by row), or at-completion (all at once when the run is complete)")
	noise := fs.Float64("judge-noise", 0, "make judge metrics noisy on purpose: Gaussian noise of this standard deviation on numeric scores, flips with this probability on boolean ones (0..1; 0: deterministic)")
	quiet := fs.Bool("quiet", false, "do not log notices")
	fs.Usage = func() {
		fmt.Fprint(stderr, emulatorUsage+"\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opts, 0
		}
		return opts, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "galileotest emulator: unexpected arguments %q\n", fs.Args())
		return opts, 2
	}
	if *key == "" {
		fmt.Fprintln(stderr, "galileotest emulator: --api-key must not be empty")
		return opts, 2
	}
	rule, err := emulator.ParseDuplicateNames(*dups)
	if err != nil {
		fmt.Fprintf(stderr, "galileotest emulator: --duplicate-names: %v\n", err)
		return opts, 2
	}
	when, err := emulator.ParsePublishAggregates(*publish)
	if err != nil {
		fmt.Fprintf(stderr, "galileotest emulator: --publish-aggregates: %v\n", err)
		return opts, 2
	}
	if !(*noise >= 0 && *noise <= 1) {
		fmt.Fprintf(stderr, "galileotest emulator: --judge-noise %v: expected a number from 0 to 1\n", *noise)
		return opts, 2
	}
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelError
	}
	if *delay == 0 {
		*delay = -1 // an explicit 0 means no pacing
	}
	return emulator.Options{Addr: *addr, APIKey: *key, ScoringDelay: *delay, DataDir: *dataDir, Seed: *seed,
		DuplicateNames: rule, DisableStructuredAggregates: !*structured, PublishAggregates: when, JudgeNoise: *noise, Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))}, -1
}

// announce prints where the server listens and how to point SDKs at it,
// and warns on stderr when it is reachable from the network.
func announce(stdout, stderr io.Writer, serverURL string, opts emulator.Options) {
	local, bound, warning := listenURLs(serverURL)
	if bound != "" {
		fmt.Fprintf(stdout, "Galileo emulator listening on %s, locally %s\n", bound, local)
	} else {
		fmt.Fprintf(stdout, "Galileo emulator listening on %s\n", local)
	}
	if warning != "" {
		fmt.Fprintf(stderr, "galileotest emulator: WARNING: %s\n", warning)
	}
	fmt.Fprintln(stdout, "Point the SDKs at it with:")
	fmt.Fprintf(stdout, "  export GALILEO_API_URL=%s\n", local)
	if opts.APIKey == emulator.DefaultAPIKey {
		fmt.Fprintf(stdout, "  export GALILEO_API_KEY=%s\n", opts.APIKey)
	} else {
		fmt.Fprintln(stdout, "  and GALILEO_API_KEY set to the value of --api-key (not printed)")
	}
	if opts.DataDir != "" {
		fmt.Fprintf(stdout, "State is kept in %s\n", opts.DataDir)
	}
	if opts.DuplicateNames == emulator.DuplicateNamesReject {
		fmt.Fprintln(stdout, "Duplicate experiment names are refused with 409")
	}
	if opts.DisableStructuredAggregates {
		fmt.Fprintln(stdout, "Experiments carry no structured_aggregate_metrics (null)")
	}
	if opts.PublishAggregates == emulator.PublishAtCompletion {
		fmt.Fprintln(stdout, "Aggregates are published when a run is complete")
	}
	if opts.JudgeNoise > 0 {
		fmt.Fprintf(stdout, "Judge metrics are noisy (judge noise %v)\n", opts.JudgeNoise)
	}
}

// listenURLs turns the URL of a listening server into a URL usable from
// this machine (local), the bind address when it differs (a wildcard such
// as [::] or 0.0.0.0), and a warning when the server is reachable from the
// network.
func listenURLs(serverURL string) (local, bound, warning string) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return serverURL, "", ""
	}
	ip := net.ParseIP(u.Hostname())
	const exposed = "the API (with the API key) and the control routes (/_emulator/reset wipes the state, /_emulator/dump reads it) " +
		"are reachable from the network; use --addr 127.0.0.1:PORT to serve this machine only"
	switch {
	case ip == nil || ip.IsLoopback():
		return serverURL, "", ""
	case ip.IsUnspecified():
		local := "http://" + net.JoinHostPort("127.0.0.1", u.Port())
		return local, u.Host + " (every network interface)", "listening on every network interface (" + u.Host + "): " + exposed
	default:
		return serverURL, "", "listening on " + u.Host + ", which is not a loopback address: " + exposed
	}
}
