package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileotest"
	"github.com/galileo-community/galileo-go/report"
)

const runAbout = `Runs the experiments of fixture files through the harness (the same core
as go test with galileotest.RunDir), waits for their scores and asserts
their thresholds. PATH is a fixture file, a directory (its *.yaml and
*.yml files), or DIR/... (DIR and every directory below it, except
testdata and names starting with "." or "_"; a note on stderr names each
skipped testdata directory that holds fixtures).

Every fixture is loaded and checked before anything runs: a broken
fixture, a missing path or a report path that cannot be written stops the
run with exit code 2 and nothing is created on the server.

Function fixtures (function: NAME) name Go code, which only go test can
run: they are bad input here (exit 2, naming the fixture's file:line)
unless --skip-functions is given, which skips them with a note.

The backend is chosen as in go test: GALILEOTEST_BACKEND (or --backend)
auto, remote or emulator; auto uses the remote API when GALILEO_API_KEY or
GALILEO_JWT_TOKEN is set, the in-process emulator otherwise, and fails in
CI without credentials. GALILEO_API_URL points the remote backend
anywhere, e.g. at "galileotest emulator".

--shard i/n (or GALILEOTEST_SHARD=i/n) runs job i's part of the
experiments for n parallel jobs, as go test does: every experiment runs in
exactly one of the n jobs (see package galileotest). Every fixture is
still loaded and checked in every job.

On a terminal stderr shows a live display (per experiment: phase, rows
run, rows scored, elapsed); elsewhere one line per change of phase. The
summary goes to stdout. When $GITHUB_STEP_SUMMARY is set, the Markdown
summary is appended to it.
`

// runOptions are the flags of the run command.
type runOptions struct {
	parallel      int
	timeout       time.Duration
	backend       string
	project       string
	verbose       bool
	skipFunctions bool
	shard         string
	out           outputs
	verdicts      verdictFlags
	verdictOpts   []galileotest.Option
}

// runRun is the run command: flags and fixtures in, the runner's verdict
// printed and written out, an exit code back.
func runRun(ctx context.Context, e *env, args []string) int {
	var o runOptions
	paths, code, ok := o.parse(e, args)
	if !ok {
		return code
	}
	cfg, err := e.loadConfig(o.backend, o.project)
	if err != nil {
		printError(e, "run", err)
		return exitBadInput
	}
	if o.shard != "" {
		if cfg.Shard, err = config.ParseShard(o.shard); err != nil {
			e.errorf("run", "--shard: %v", err)
			return exitBadInput
		}
	}
	if _, err := cfg.ResolveBackend(); err != nil {
		printError(e, "run", err)
		return exitBadInput
	}
	if err := o.out.check(); err != nil {
		e.errorf("run", "%v", err)
		return exitBadInput
	}

	disp := newDisplay(e.stderr, displayOptions{
		tty:     e.isTerminal(e.stderr),
		verbose: o.verbose,
		size:    func() (int, int) { return e.termSize(e.stderr) },
		tick:    e.tick,
	})
	runner, err := e.newRunner(cfg, disp.logf, append(o.verdictOpts, galileotest.WithProgress(disp.progress))...)
	if err != nil {
		printError(e, "run", err)
		return codeFor(err)
	}
	defer runner.Close()

	ctx, cancel := withTimeout(ctx, o.timeout)
	defer cancel()
	files, skipNotes := loadFixturesNotes(paths)
	for _, n := range skipNotes {
		e.errorf("run", "note: %s", n)
	}
	exps, skipped, problems := selectExperiments(runner, files, o.skipFunctions)
	if len(problems) == 0 {
		// Everything that needs the network is checked for every fixture
		// before anything is created: one bad fixture stops the run while
		// it has cost nothing.
		problems = preflight(ctx, runner, exps)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(e.stderr, p)
		}
		e.errorf("run", "%s in the fixtures; nothing was run", plural(len(problems), "problem", "problems"))
		if err := o.out.write(e, "run", runner.Report()); err != nil {
			e.errorf("run", "%v", err)
		}
		return exitBadInput
	}
	for _, s := range skipped {
		e.errorf("run", "skipping %s", s)
	}
	if len(exps) == 0 {
		e.errorf("run", "no experiments to run: every fixture was skipped")
		return exitBadInput
	}
	if mine, others := runner.Shard(exps); others > 0 {
		e.errorf("run", "shard %s: running %d of %d experiments; the other shards run the rest", cfg.Shard, len(mine), len(exps))
		if exps = mine; len(exps) == 0 {
			return worse(exitOK, o.writeReport(e, runner))
		}
	}

	started := time.Now()
	outs := runAll(ctx, runner, disp, exps, o.parallel)
	printRunSummary(e.stdout, skipped, outs, o.verbose, time.Since(started))
	code = exitOK
	for _, out := range outs {
		code = worse(code, outcomeCode(out))
	}
	if err := o.out.write(e, "run", runner.Report()); err != nil {
		e.errorf("run", "%v", err)
		code = worse(code, exitBadInput)
	}
	return code
}

// preflight resolves every experiment through the API without creating
// anything (galileotest.Runner.Preflight). Problems are returned one line
// each and recorded in the runner's report. An infrastructure failure
// (network, authentication) ends the checks: the run then reports it per
// experiment, as it would have met it.
func preflight(ctx context.Context, runner *galileotest.Runner, exps []galileotest.Experiment) (problems []string) {
	for _, x := range exps {
		_, err := runner.Preflight(ctx, x)
		switch {
		case errors.Is(err, fixtures.ErrInvalid):
			problems = append(problems, errorLines(err)...)
			runner.AddInputError(x.File, err)
		case err != nil:
			return problems
		}
	}
	return problems
}

// parse reads the run command's flags; it returns the paths, or ok false
// with the exit code.
func (o *runOptions) parse(e *env, args []string) (paths []string, code int, ok bool) {
	fs := newFlagSet("run", "[flags] PATH...", runAbout, exitCodesHelp)
	fs.IntVar(&o.parallel, "parallel", 4, "run at most `N` experiments at once")
	fs.DurationVar(&o.timeout, "timeout", 0, "bound the whole run (e.g. 15m); 0: only each fixture's own timeout applies")
	fs.StringVar(&o.backend, "backend", "", "which `auto|remote|emulator` backend to use (default: GALILEOTEST_BACKEND, else auto)")
	fs.StringVar(&o.project, "project", "", "the project, `NAME|ID`, of experiments whose fixture names none (default: GALILEO_PROJECT / GALILEO_PROJECT_ID)")
	fs.BoolVar(&o.verbose, "v", false, "verbose: print every harness log line and every threshold, met or not")
	fs.BoolVar(&o.skipFunctions, "skip-functions", false, "skip function fixtures with a note instead of failing with exit code 2")
	fs.StringVar(&o.shard, "shard", "", "run only part `i/n` of the experiments, for job i of n parallel jobs (default: GALILEOTEST_SHARD); every fixture is still checked")
	o.out.register(fs)
	o.verdicts.register(fs)
	paths, code, ok = fs.parse(e, args)
	if !ok {
		return nil, code, false
	}
	var msg string
	if o.verdictOpts, msg = o.verdicts.options(); msg != "" {
		e.errorf("run", "%s", msg)
		return nil, exitBadInput, false
	}
	switch {
	case len(paths) == 0:
		e.errorf("run", "no fixture paths; usage: galileotest run [flags] PATH... (see --help)")
		return nil, exitBadInput, false
	case o.parallel < 1:
		e.errorf("run", "--parallel %d: expected at least 1", o.parallel)
		return nil, exitBadInput, false
	case o.timeout < 0:
		e.errorf("run", "--timeout %s: expected a positive duration or 0", o.timeout)
		return nil, exitBadInput, false
	}
	return paths, 0, true
}

// writeReport writes the run's report where the flags say; it returns the
// exit code of a failure to write it.
func (o *runOptions) writeReport(e *env, runner *galileotest.Runner) int {
	if err := o.out.write(e, "run", runner.Report()); err != nil {
		e.errorf("run", "%v", err)
		return exitBadInput
	}
	return exitOK
}

// runAll runs the experiments, at most parallel at once, on the display.
func runAll(ctx context.Context, runner *galileotest.Runner, disp *display, exps []galileotest.Experiment, parallel int) []outcome {
	outs := make([]outcome, len(exps))
	ids := make([]int, len(exps))
	for i, x := range exps {
		ids[i] = disp.add(x)
	}
	disp.start()
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, x := range exps {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			disp.begin(ids[i])
			rep, err := runner.Run(ctx, x)
			outs[i] = outcome{rep: rep, err: err}
			disp.finish(ids[i], displayState(rep, err))
		})
	}
	wg.Wait()
	disp.stop()
	return outs
}

// selectExperiments takes the experiments of every loaded file in order.
// Broken files and, unless skipped, function fixtures are problems, one
// line each, recorded in the runner's report; skipped function fixtures
// are notes.
func selectExperiments(runner *galileotest.Runner, files []fixtureFile, skipFunctions bool) (exps []galileotest.Experiment, skipped, problems []string) {
	for _, f := range files {
		if f.Err != nil {
			problems = append(problems, errorLines(f.Err)...)
			runner.AddInputError(f.Path, f.Err)
			continue
		}
		for _, x := range f.Experiments {
			if x.Function == "" {
				exps = append(exps, galileotest.Experiment(x))
				continue
			}
			if skipFunctions {
				skipped = append(skipped, fmt.Sprintf("%s (%s): function %q is Go code, which only go test can run", where(x), x.Name, x.Function))
				continue
			}
			line, _ := x.FieldLine("function")
			err := &fixtures.Error{File: x.File, Line: line, Field: "function", Experiment: x.Name,
				Msg: fmt.Sprintf("%q is Go code, which the galileotest command cannot run; run this fixture with go test (galileotest.RunDir or RunFile with galileotest.WithFunc(%q, fn)), give the experiment a prompt, or pass --skip-functions", x.Function, x.Function)}
			problems = append(problems, err.Error())
			runner.AddInputError(f.Path, err)
		}
	}
	return exps, skipped, problems
}

// where is an experiment's fixture location, file:line.
func where(x fixtures.Experiment) string {
	if x.Line > 0 {
		return fmt.Sprintf("%s:%d", x.File, x.Line)
	}
	return x.File
}

// outcome is what Runner.Evaluate returned for one experiment.
type outcome struct {
	rep *report.Experiment
	err error
}

// outcomeCode is the exit code of one experiment's outcome.
func outcomeCode(o outcome) int {
	switch {
	case o.err != nil:
		return codeFor(o.err)
	case o.rep == nil || o.rep.Status != report.StatusPassed:
		return exitFailed
	}
	return exitOK
}

// displayState is the final state of an outcome on the display.
func displayState(rep *report.Experiment, err error) string {
	var te *galileotest.TimeoutError
	switch {
	case errors.As(err, &te):
		return stateTimeout
	case err != nil:
		return stateError
	case rep != nil && rep.Status == report.StatusInconclusive:
		return stateInconclusive
	case rep == nil || rep.Status != report.StatusPassed:
		return stateFailed
	}
	return stateOK
}

// printRunSummary writes the outcome of every experiment, in declaration
// order, then one line with the totals:
//
//	--- PASS    support-bot (evals/support-bot.yaml:1): 2 rows, 1/1 thresholds met, took 1.2s
//	    console: https://console.example.test/project/.../experiments/...
//	--- FAIL    strict-bot (evals/strict.yaml:1): 2 rows, 1/2 thresholds met, took 1.1s
//	    MISS  correctness avg = 0.5, want >= 0.9 (2 rows)  evals/strict.yaml:9
//	...
//	FAIL  2 experiments: 1 passed, 1 failed, 0 did not complete; 3 thresholds, 1 missed; took 2.4s
//
// Inconclusive experiments (a confidence interval contained a threshold)
// are counted apart ("1 inconclusive") and fail the run unless their
// on_inconclusive passed them; rows run several times show as
// "5 rows × 3 repeats".
func printRunSummary(w io.Writer, skipped []string, outs []outcome, verbose bool, total time.Duration) {
	for _, s := range skipped {
		fmt.Fprintf(w, "--- SKIP    %s\n", s)
	}
	passed, failed, inconclusive, errored, thresholds, missed := 0, 0, 0, 0, 0, 0
	for _, o := range outs {
		rep := o.rep
		status := rep.Status
		word := map[string]string{report.StatusPassed: "PASS", report.StatusFailed: "FAIL", report.StatusInconclusive: "INCONCLUSIVE", report.StatusError: "ERROR", report.StatusTimeout: "TIMEOUT"}[status]
		loc := ""
		if rep.File != "" {
			loc = fmt.Sprintf(" (%s:%d)", rep.File, rep.Line)
		}
		met := 0
		for _, v := range rep.Thresholds {
			if v.Pass {
				met++
			}
		}
		took := shortDuration(rep.Duration())
		switch status {
		case report.StatusPassed, report.StatusFailed, report.StatusInconclusive:
			switch status {
			case report.StatusPassed:
				passed++
			case report.StatusInconclusive:
				inconclusive++
			default:
				failed++
			}
			thresholds += len(rep.Thresholds)
			missed += len(rep.Thresholds) - met
			rows := plural(rep.Rows, "row", "rows")
			if rep.Repeats > 1 && rep.Rows%rep.Repeats == 0 {
				rows = fmt.Sprintf("%s × %d repeats", plural(rep.Rows/rep.Repeats, "row", "rows"), rep.Repeats)
			}
			fmt.Fprintf(w, "--- %-7s %s%s: %s, %d/%d thresholds met, took %s\n", word, rep.Name, loc, rows, met, len(rep.Thresholds), took)
			for _, v := range rep.Thresholds {
				if v.Pass && !verbose {
					continue
				}
				mark := verdictMark(v)
				line := fmt.Sprintf("    %s  %s", mark, v.Explanation)
				if !v.Pass && rep.File != "" && v.Line > 0 {
					line += fmt.Sprintf("  %s:%d", rep.File, v.Line)
				}
				fmt.Fprintln(w, line)
			}
		default:
			errored++
			fmt.Fprintf(w, "--- %-7s %s%s: took %s\n", word, rep.Name, loc, took)
			for _, l := range errorLines(o.err) {
				fmt.Fprintf(w, "    %s\n", strings.TrimLeft(l, " "))
			}
		}
		if rep.Link != "" && (o.err == nil || !strings.Contains(o.err.Error(), rep.Link)) {
			name := rep.RunName
			if name == "" {
				name = rep.Name
			}
			fmt.Fprintf(w, "    experiment %s: %s\n", name, rep.Link)
		}
	}
	verdict := "PASS"
	if failed+inconclusive+errored > 0 || passed == 0 {
		verdict = "FAIL"
	}
	counts := fmt.Sprintf("%d passed, %d failed", passed, failed)
	if inconclusive > 0 {
		counts += fmt.Sprintf(", %d inconclusive", inconclusive)
	}
	fmt.Fprintf(w, "%s  %s: %s, %d did not complete; %s, %d missed; took %s\n",
		verdict, plural(len(outs), "experiment", "experiments"), counts, errored,
		plural(thresholds, "threshold", "thresholds"), missed, shortDuration(total))
}

// printError prints an error on stderr, one line per line of its text.
func printError(e *env, cmd string, err error) {
	lines := errorLines(err)
	if len(lines) == 0 {
		return
	}
	e.errorf(cmd, "%s", strings.TrimPrefix(lines[0], "galileotest: "))
	for _, l := range lines[1:] {
		fmt.Fprintln(e.stderr, "  "+strings.TrimLeft(l, " "))
	}
}
