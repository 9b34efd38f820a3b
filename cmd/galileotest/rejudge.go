package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileotest"
	"github.com/galileo-community/galileo-go/report"
)

const rejudgeAbout = `Asserts thresholds against an experiment that already ran: nothing is run
and no model is called. The thresholds come from a fixture file (its
expect section; with several experiments in the file, the one whose name
the experiment's name starts with) or from --expect flags, never both.

--experiment is the experiment's id (a UUID) or its exact name. The
project is --project, else the fixture's project, else GALILEO_PROJECT_ID
or GALILEO_PROJECT; with none of them every project is searched. A name
that matches no experiment, or several, is bad input (exit 2); the message
lists the candidates.

Metric names are mapped to the experiment's aggregates as run maps them:
scorer names, labels or UUIDs through the scorers and the experiment
columns; cost, latency (duration_ns) and the token counts by their raw
keys. A metric the experiment did not score is bad input.

With --confidence (or a fixture's confidence) the thresholds are judged
on their confidence intervals, from the experiment's row-level scores.

rejudge needs the experiment's server: the remote backend (any
GALILEO_API_URL, including a standalone "galileotest emulator").
`

// rejudgeOptions are the flags of the rejudge command.
type rejudgeOptions struct {
	experiment string
	project    string
	expect     stringList
	backend    string
	timeout    time.Duration
	out        outputs
	verdicts   verdictFlags
}

// runRejudge is the rejudge command: it reads the flags and the fixture,
// lets the harness judge the experiment (galileotest.Runner.Judge), prints
// the verdicts and writes the reports.
func runRejudge(ctx context.Context, e *env, args []string) int {
	var o rejudgeOptions
	fs := newFlagSet("rejudge", "--experiment NAME|ID [--project NAME|ID] (PATH | --expect 'METRIC: EXPR'...) [flags]", rejudgeAbout, exitCodesHelp)
	fs.StringVar(&o.experiment, "experiment", "", "the experiment to judge: its `NAME|ID` (required)")
	fs.StringVar(&o.project, "project", "", "the experiment's project `NAME|ID`")
	fs.Var(&o.expect, "expect", "a threshold `'METRIC: EXPR'`, e.g. 'correctness: avg >= 0.9' (repeatable)")
	fs.StringVar(&o.backend, "backend", "", "which `auto|remote|emulator` backend to use (default: GALILEOTEST_BACKEND, else auto); only remote reaches an experiment that already ran")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "bound the API calls")
	o.out.register(fs)
	o.verdicts.register(fs)
	operands, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	if msg := o.check(operands); msg != "" {
		e.errorf("rejudge", "%s", msg)
		return exitBadInput
	}
	vopts, msg := o.verdicts.options()
	if msg != "" {
		e.errorf("rejudge", "%s", msg)
		return exitBadInput
	}
	decls, code, ok := o.declarations(e, operands)
	if !ok {
		return code
	}
	cfg, err := e.loadConfig(o.backend, "")
	if err != nil {
		printError(e, "rejudge", err)
		return exitBadInput
	}
	b, err := cfg.ResolveBackend()
	if err != nil {
		printError(e, "rejudge", err)
		return exitBadInput
	}
	if b == config.BackendEmulator {
		e.errorf("rejudge", "the emulator backend (%s) starts an empty in-process emulator, which has no experiment to judge; point GALILEO_API_URL and GALILEO_API_KEY at the server that ran it (for a standalone emulator: galileotest emulator, with GALILEOTEST_BACKEND=remote)", backendReason(cfg))
		return exitBadInput
	}
	runner, err := e.newRunner(cfg, func(format string, args ...any) { fmt.Fprintf(e.stderr, format+"\n", args...) }, vopts...)
	if err != nil {
		printError(e, "rejudge", err)
		return codeFor(err)
	}
	defer runner.Close()
	ctx, cancel := withTimeout(ctx, o.timeout)
	defer cancel()

	rex, err := runner.Judge(ctx, o.experiment, decls...)
	if err != nil {
		printError(e, "rejudge", err)
		return codeFor(err)
	}
	printRejudge(e.stdout, rex)
	code = exitOK
	if rex.Status != report.StatusPassed {
		code = exitFailed
	}
	if err := o.out.write(e, "rejudge", runner.Report()); err != nil {
		e.errorf("rejudge", "%v", err)
		code = worse(code, exitBadInput)
	}
	return code
}

// check returns what is wrong with the flags and operands, or "".
func (o *rejudgeOptions) check(operands []string) string {
	o.experiment = strings.TrimSpace(o.experiment)
	switch {
	case o.experiment == "":
		return "--experiment is required: the name or id of the experiment to judge (see --help)"
	case len(operands) > 1:
		return fmt.Sprintf("expected at most one fixture PATH, got %d: %s", len(operands), strings.Join(operands, " "))
	case len(operands) == 1 && len(o.expect) > 0:
		return "give either a fixture PATH or --expect, not both"
	case len(operands) == 0 && len(o.expect) == 0:
		return "no thresholds: give a fixture PATH or at least one --expect 'METRIC: EXPR'"
	case o.timeout <= 0:
		return fmt.Sprintf("--timeout %s: expected a positive duration", o.timeout)
	}
	return ""
}

// declarations are what the experiment is judged against: the fixture
// file's experiments, or one declaration holding the --expect thresholds;
// --project applies to them.
func (o *rejudgeOptions) declarations(e *env, operands []string) ([]galileotest.Experiment, int, bool) {
	var decls []galileotest.Experiment
	if len(operands) == 1 {
		exps, err := loadFixtureFile(operands[0])
		if err != nil {
			for _, l := range errorLines(err) {
				fmt.Fprintln(e.stderr, l)
			}
			e.errorf("rejudge", "the fixture is invalid; nothing was judged")
			return nil, exitBadInput, false
		}
		for _, x := range exps {
			decls = append(decls, galileotest.Experiment(x))
		}
	} else {
		x := galileotest.Experiment{}
		for _, s := range o.expect {
			metric, expr, ok := strings.Cut(s, ":")
			metric, expr = strings.TrimSpace(metric), strings.TrimSpace(expr)
			if !ok || metric == "" || expr == "" {
				e.errorf("rejudge", "--expect %q: expected 'METRIC: EXPR', e.g. 'correctness: avg >= 0.9'", s)
				return nil, exitBadInput, false
			}
			x.Expect = append(x.Expect, fixtures.Expectation{Metric: metric, Expr: expr})
		}
		decls = append(decls, x)
	}
	if o.project != "" {
		for i := range decls {
			decls[i].Project = o.project
		}
	}
	return decls, 0, true
}

// loadFixtureFile loads one fixture file; a directory is an error.
func loadFixtureFile(path string) ([]fixtures.Experiment, error) {
	files := loadFixtures([]string{path})
	if len(files) != 1 || files[0].Path != path {
		return nil, &fixtures.Error{File: path, Msg: "expected one fixture file, not a directory"}
	}
	return files[0].Experiments, files[0].Err
}

// printRejudge writes every verdict and the total.
func printRejudge(w io.Writer, rex *report.Experiment) {
	met := 0
	for _, t := range rex.Thresholds {
		if t.Pass {
			met++
		}
	}
	n := len(rex.Thresholds)
	word := map[string]string{report.StatusPassed: "PASS", report.StatusInconclusive: "INCONCLUSIVE"}[rex.Status]
	if word == "" {
		word = "FAIL"
	}
	loc := ""
	if rex.File != "" {
		loc = fmt.Sprintf(" (%s:%d)", rex.File, rex.Line)
	}
	fmt.Fprintf(w, "--- %-7s %s%s: rejudged experiment %s (id %s, project %s), %s, %d/%d thresholds met\n",
		word, rex.Name, loc, rex.RunName, rex.ID, rex.Project, plural(rex.Rows, "row", "rows"), met, n)
	for _, t := range rex.Thresholds {
		mark := verdictMark(t)
		line := fmt.Sprintf("    %s  %s", mark, t.Explanation)
		if !t.Pass && rex.File != "" && t.Line > 0 {
			line += fmt.Sprintf("  %s:%d", rex.File, t.Line)
		}
		fmt.Fprintln(w, line)
	}
	if rex.Link != "" {
		fmt.Fprintf(w, "    experiment %s: %s\n", rex.RunName, rex.Link)
	}
	fmt.Fprintf(w, "%s  %s, %d missed (no new run)\n", word, plural(n, "threshold", "thresholds"), n-met)
}
