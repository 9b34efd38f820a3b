package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand.
type command struct {
	summary string
	// run executes the command with its arguments; it returns the exit code.
	run func(ctx context.Context, e *env, args []string) int
}

func commands() map[string]command {
	return map[string]command{
		"run":       {summary: "run fixtures and assert their thresholds (exit 0, 1, 2 or 3)", run: runRun},
		"validate":  {summary: "check fixtures offline, or with --online against the API", run: runValidate},
		"rejudge":   {summary: "assert thresholds against an experiment that already ran", run: runRejudge},
		"bless":     {summary: "write an experiment that ran as a committed baseline file", run: runBless},
		"calibrate": {summary: "rerun an unchanged experiment and measure its metrics' noise", run: runCalibrate},
		"merge":     {summary: "merge the JSON reports of a gate's shards into one (exit 0, 1 or 2)", run: runMerge},
		"emulator": {summary: "serve the Galileo API emulator on loopback", run: func(ctx context.Context, e *env, args []string) int {
			return runEmulator(ctx, args, e.stdout, e.stderr)
		}},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: galileotest <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, exitCodesHelp)
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "galileotest <command> --help" for the flags of a command.`)
}

// run dispatches args (without the program name) and returns the exit
// code: 0 success, 2 bad usage, other codes as the command defines.
// getenv reads the environment; nil means the process environment (and
// then the harness also reads git facts for experiment tags).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return dispatch(ctx, newEnv(stdin, stdout, stderr, getenv), args)
}

// dispatch runs the command named by args[0] in e.
func dispatch(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitBadInput
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(e.stdout)
		return exitOK
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "galileotest: unknown command %q\n\n", args[0])
		usage(e.stderr)
		return exitBadInput
	}
	return cmd.run(ctx, e, args[1:])
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, nil)
	stop()
	os.Exit(code)
}
