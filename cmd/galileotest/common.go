package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/galileotest"
)

// Exit codes of run, validate and rejudge.
const (
	exitOK       = 0 // every threshold met; every fixture valid
	exitFailed   = 1 // a threshold was missed (or inconclusive under on_inconclusive fail)
	exitBadInput = 2 // a fixture, flag, path or configuration problem
	exitInfra    = 3 // authentication, network, server error or timeout
)

// exitCodesHelp is the exit-code table of the gate commands.
const exitCodesHelp = `Exit codes:
  0  every threshold met
  1  a threshold was missed, or inconclusive (its confidence interval
     straddles it) unless the fixture says on_inconclusive: pass or skip
  2  bad input: a fixture, a flag, a path, a report path or the configuration
  3  infrastructure: authentication, network, server errors or a timeout
When several apply the first of 2, 1, 3 wins: bad input must be fixed first,
and a missed threshold is a result that retrying will not change.
`

// worse returns the exit code that wins when a and b both apply: 2 over 1
// over 3 over 0.
func worse(a, b int) int {
	rank := func(c int) int {
		switch c {
		case exitBadInput:
			return 3
		case exitFailed:
			return 2
		case exitInfra:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// env is what a command may touch of the outside world. Tests build one
// with fixed values.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// getenv reads a variable; osEnv is true when it is the process
	// environment, in which case the harness also reads git facts.
	getenv func(string) string
	osEnv  bool
	// isTerminal reports whether w is a terminal that takes ANSI redraws,
	// and termSize its width and height (0, 0 when unknown).
	isTerminal func(w io.Writer) bool
	termSize   func(w io.Writer) (width, height int)
	// tick is the redraw interval of the live display.
	tick time.Duration
	// clientOpts are added to every client the command builds itself
	// (validate --online, rejudge).
	clientOpts []galileo.Option
	// runnerOpts are added to the harness runner of the run command.
	runnerOpts []galileotest.Option
}

func newEnv(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *env {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, tick: 150 * time.Millisecond}
	if getenv == nil {
		e.getenv, e.osEnv = os.Getenv, true
	}
	e.isTerminal = func(w io.Writer) bool {
		f, ok := w.(*os.File)
		return ok && term.IsTerminal(int(f.Fd())) && e.getenv("TERM") != "dumb"
	}
	e.termSize = func(w io.Writer) (int, int) {
		if f, ok := w.(*os.File); ok {
			if cols, rows, err := term.GetSize(int(f.Fd())); err == nil {
				return cols, rows
			}
		}
		return 0, 0
	}
	return e
}

// lookup is getenv in the form package config takes; a blank value counts
// as unset there anyway.
func (e *env) lookup(key string) (string, bool) {
	if e.osEnv {
		return os.LookupEnv(key)
	}
	v := e.getenv(key)
	return v, v != ""
}

// errorf prints one line "galileotest <cmd>: msg" on stderr.
func (e *env) errorf(cmd, format string, args ...any) {
	fmt.Fprintf(e.stderr, "galileotest %s: %s\n", cmd, fmt.Sprintf(format, args...))
}

// flagSet is a flag set whose usage lists a synopsis, a description, the
// flags and a trailer (the exit codes).
type flagSet struct {
	*flag.FlagSet
	name     string
	synopsis string
	about    string
	trailer  string
}

func newFlagSet(name, synopsis, about, trailer string) *flagSet {
	fs := flag.NewFlagSet("galileotest "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, name: name, synopsis: synopsis, about: about, trailer: trailer}
}

// printUsage writes the command's help.
func (f *flagSet) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: galileotest %s %s\n\n", f.name, f.synopsis)
	fmt.Fprint(w, f.about)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Flags:")
	f.SetOutput(w)
	f.PrintDefaults()
	f.SetOutput(io.Discard)
	if f.trailer != "" {
		fmt.Fprintln(w)
		fmt.Fprint(w, f.trailer)
	}
}

// parse parses args, flags and operands in any order ("--" ends the
// flags). It returns the operands, or ok false with the exit code: 0 after
// printing the help for -h/--help, 2 after one line on stderr for a bad
// flag.
func (f *flagSet) parse(e *env, args []string) (operands []string, code int, ok bool) {
	rest := args
	for {
		if err := f.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printUsage(e.stdout)
				return nil, exitOK, false
			}
			e.errorf(f.name, "%v (see galileotest %s --help)", err, f.name)
			return nil, exitBadInput, false
		}
		left := f.Args()
		consumed := len(rest) - len(left)
		if consumed > 0 && rest[consumed-1] == "--" {
			return append(operands, left...), 0, true
		}
		if len(left) == 0 {
			return operands, 0, true
		}
		operands = append(operands, left[0])
		rest = left[1:]
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ", ") }

func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// loadConfig resolves the configuration from the environment, with the
// --backend and --project flags on top. A project that looks like a UUID
// is a project id.
func (e *env) loadConfig(backend, project string) (*config.Config, error) {
	var b config.Backend
	if backend != "" {
		var err error
		if b, err = config.ParseBackend(backend); err != nil {
			return nil, fmt.Errorf("--backend: %w", err)
		}
	}
	return config.Load(config.WithLookup(e.lookup), config.WithOverride(func(c *config.Config) {
		if b != "" {
			c.Backend = b
		}
		if p := strings.TrimSpace(project); p != "" {
			if galileo.IsID(p) {
				c.ProjectID, c.Project = p, ""
			} else {
				c.Project, c.ProjectID = p, ""
			}
		}
	}))
}

// newRunner returns the harness runner the commands use for cfg, with the
// environment's client and runner options; logf receives the harness's
// log lines.
func (e *env) newRunner(cfg *config.Config, logf func(string, ...any), opts ...galileotest.Option) (*galileotest.Runner, error) {
	opts = append([]galileotest.Option{galileotest.WithConfig(cfg), galileotest.WithLogf(logf), galileotest.WithClientOptions(e.clientOpts...),
		galileotest.WithEmulatorOptions(emulator.Options{Logger: slog.New(slog.DiscardHandler)})}, opts...)
	if !e.osEnv {
		opts = append(opts, galileotest.WithLookupEnv(e.lookup))
	}
	return galileotest.NewRunner(append(opts, e.runnerOpts...)...)
}

// codeFor maps an error to an exit code: bad input and configuration
// problems are 2, everything else (authentication, network, server
// errors, timeouts) is 3.
func codeFor(err error) int {
	var cfgErr *config.Error
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, fixtures.ErrInvalid), errors.As(err, &cfgErr),
		errors.Is(err, config.ErrNoCredentials), errors.Is(err, galileo.ErrNoCredentials),
		errors.Is(err, errBadInput):
		return exitBadInput
	}
	return exitInfra
}

// errBadInput marks the command's own bad-input errors.
var errBadInput = errors.New("bad input")

// badInput returns an error matching errBadInput with the given text.
func badInput(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

type inputError struct{ msg string }

func (e *inputError) Error() string        { return e.msg }
func (e *inputError) Is(target error) bool { return target == errBadInput }

// errorLines splits a (possibly joined) error into its lines.
func errorLines(err error) []string {
	var out []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// withTimeout bounds ctx by d when d > 0, naming the flag as the cause.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, d, fmt.Errorf("the --timeout of %s", d))
}

// plural returns "1 thing" or "n things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
