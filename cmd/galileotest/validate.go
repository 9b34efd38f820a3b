package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileotest"
)

const validateAbout = `Checks fixture files without running anything: the schema, the dataset
files and every threshold expression. PATH is a file, a directory or
DIR/..., as for run. Function fixtures are valid (they run under go test);
validate says so.

Offline by default: no network, no credentials needed. With --online it
also resolves, through the configured backend, every metric name (scorer
names, labels or UUIDs), every stored dataset and prompt template (with
its version) and every project given by id, so that a typo fails before
a run spends anything. A project named by name that does not exist yet
is only noted: run creates it. Online checks against the in-process
emulator (GALILEOTEST_BACKEND=emulator, or auto without credentials)
check metric names against the emulator's catalogue; stored datasets and
templates do not exist there.
`

const validateExitCodes = `Exit codes:
  0  every fixture is valid
  2  a fixture is invalid, or a flag, path or the configuration is bad
  3  infrastructure (--online): authentication, network or server errors
`

// runValidate is the validate command.
func runValidate(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("validate", "[flags] PATH...", validateAbout, validateExitCodes)
	online := fs.Bool("online", false, "also resolve metrics, stored datasets, prompt templates and projects through the API")
	backend := fs.String("backend", "", "which `auto|remote|emulator` backend --online uses (default: GALILEOTEST_BACKEND, else auto)")
	project := fs.String("project", "", "the project, `NAME|ID`, of experiments whose fixture names none, for --online")
	timeout := fs.Duration("timeout", 2*time.Minute, "bound the --online checks")
	paths, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	if len(paths) == 0 {
		e.errorf("validate", "no fixture paths; usage: galileotest validate [flags] PATH... (see --help)")
		return exitBadInput
	}
	if *timeout <= 0 {
		e.errorf("validate", "--timeout %s: expected a positive duration", *timeout)
		return exitBadInput
	}
	var runner *galileotest.Runner
	if *online {
		cfg, err := e.loadConfig(*backend, *project)
		if err != nil {
			printError(e, "validate", err)
			return exitBadInput
		}
		b, err := cfg.ResolveBackend()
		if err != nil {
			printError(e, "validate", err)
			return codeFor(err)
		}
		if runner, err = e.newRunner(cfg, func(string, ...any) {}); err != nil {
			printError(e, "validate", err)
			return codeFor(err)
		}
		defer runner.Close()
		if b == config.BackendEmulator {
			e.errorf("validate", "checking online against an in-process emulator (%s): metric names are checked against the emulator's catalogue; stored datasets and templates do not exist there", backendReason(cfg))
		}
		var cancel context.CancelFunc
		ctx, cancel = withTimeout(ctx, *timeout)
		defer cancel()
	} else if *backend != "" || *project != "" {
		e.errorf("validate", "--backend and --project only apply with --online")
		return exitBadInput
	}

	files, skipNotes := loadFixturesNotes(paths)
	for _, n := range skipNotes {
		e.errorf("validate", "note: %s", n)
	}
	nFiles, nExps, bad := 0, 0, 0
	for _, f := range files {
		nFiles++
		var problems, notes []string
		if f.Err != nil {
			problems = errorLines(f.Err)
		}
		var names []string
		for _, x := range f.Experiments {
			nExps++
			desc := x.Name
			if x.Function != "" {
				desc += fmt.Sprintf(" (function %s: runs under go test only)", x.Function)
			}
			names = append(names, desc)
			if runner != nil {
				n, err := runner.Preflight(ctx, galileotest.Experiment(x))
				notes = append(notes, n...)
				switch {
				case errors.Is(err, fixtures.ErrInvalid):
					problems = append(problems, errorLines(err)...)
				case err != nil:
					e.errorf("validate", "%s (%s): %s", where(x), x.Name, strings.Join(errorLines(err), "\n  "))
					return codeFor(err)
				}
			}
		}
		if len(problems) > 0 {
			bad++
			fmt.Fprintf(e.stdout, "INVALID  %s\n", f.Path)
			for _, p := range problems {
				fmt.Fprintf(e.stdout, "    %s\n", p)
			}
			continue
		}
		fmt.Fprintf(e.stdout, "ok       %s: %s\n", f.Path, strings.Join(names, ", "))
		for _, n := range notes {
			fmt.Fprintf(e.stdout, "    note: %s\n", n)
		}
	}
	mode := "offline"
	if runner != nil {
		mode = "online"
	}
	if bad > 0 {
		fmt.Fprintf(e.stdout, "INVALID  %s, %s: %d invalid (%s)\n", plural(nFiles, "file", "files"), plural(nExps, "experiment", "experiments"), bad, mode)
		return exitBadInput
	}
	fmt.Fprintf(e.stdout, "VALID    %s, %s (%s)\n", plural(nFiles, "file", "files"), plural(nExps, "experiment", "experiments"), mode)
	return exitOK
}

// backendReason says why the emulator backend was chosen.
func backendReason(cfg *config.Config) string {
	if cfg.Backend == config.BackendEmulator {
		return "GALILEOTEST_BACKEND=emulator"
	}
	return "no Galileo credentials configured"
}
