package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileotest"
	"github.com/galileo-community/galileo-go/report"
)

const calibrateAbout = `Reruns an unchanged experiment K times and prints, per metric, how much
its average moves from run to run (the noise of the judge and the model),
the half-width of one run's 95% confidence interval, and the smallest drop
a comparison with a baseline on the same rows can detect (95%, 80% power).
Use it to choose a dataset size, a confidence level and the margin of a
baseline threshold (avg >= baseline - MARGIN).

FIXTURE is one fixture file; with several experiments in it, --name picks
one. Function fixtures run Go code: calibrate them from Go with
galileotest.Runner.Calibrate. Every run creates an experiment.
`

// runCalibrate is the calibrate command.
func runCalibrate(ctx context.Context, e *env, args []string) int {
	var runs int
	var name, backend, project string
	var timeout time.Duration
	fs := newFlagSet("calibrate", "FIXTURE --runs K [flags]", calibrateAbout, exitCodesHelp)
	fs.IntVar(&runs, "runs", 5, "run the experiment `K` times (at least 2)")
	fs.StringVar(&name, "name", "", "the experiment of the file to calibrate, by `NAME`")
	fs.StringVar(&backend, "backend", "", "which `auto|remote|emulator` backend to use (default: GALILEOTEST_BACKEND, else auto)")
	fs.StringVar(&project, "project", "", "the project `NAME|ID` when the fixture names none")
	fs.DurationVar(&timeout, "timeout", 0, "bound all runs (0: each run's own timeout)")
	operands, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	switch {
	case len(operands) != 1:
		e.errorf("calibrate", "expected one FIXTURE file, got %d arguments (see --help)", len(operands))
		return exitBadInput
	case runs < 2:
		e.errorf("calibrate", "--runs %d: expected at least 2", runs)
		return exitBadInput
	}
	exps, err := loadFixtureFile(operands[0])
	if err != nil {
		for _, l := range errorLines(err) {
			fmt.Fprintln(e.stderr, l)
		}
		return exitBadInput
	}
	x, msg := pickCalibrated(exps, name)
	if msg != "" {
		e.errorf("calibrate", "%s: %s", operands[0], msg)
		return exitBadInput
	}
	cfg, err := e.loadConfig(backend, project)
	if err != nil {
		printError(e, "calibrate", err)
		return exitBadInput
	}
	runner, err := e.newRunner(cfg, func(format string, args ...any) { fmt.Fprintf(e.stderr, format+"\n", args...) })
	if err != nil {
		printError(e, "calibrate", err)
		return codeFor(err)
	}
	defer runner.Close()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = withTimeout(ctx, timeout)
		defer cancel()
	}
	cal, err := runner.Calibrate(ctx, galileotest.Experiment(x), runs)
	if err != nil {
		printError(e, "calibrate", err)
		return codeFor(err)
	}
	printCalibration(e.stdout, cal)
	return exitOK
}

// pickCalibrated chooses the experiment to calibrate.
func pickCalibrated(exps []fixtures.Experiment, name string) (fixtures.Experiment, string) {
	var names []string
	for _, x := range exps {
		if x.Name == name || (name == "" && len(exps) == 1) {
			if x.Function != "" {
				return x, fmt.Sprintf("experiment %s runs the Go function %s; calibrate it from Go with galileotest.Runner.Calibrate", x.Name, x.Function)
			}
			return x, ""
		}
		names = append(names, x.Name)
	}
	if name == "" {
		return fixtures.Experiment{}, "holds several experiments (" + strings.Join(names, ", ") + "); pick one with --name"
	}
	return fixtures.Experiment{}, fmt.Sprintf("no experiment named %q (it holds %s)", name, strings.Join(names, ", "))
}

// printCalibration writes the table of a calibration.
func printCalibration(w io.Writer, cal *galileotest.Calibration) {
	fmt.Fprintf(w, "calibrated %s: %d runs of %d rows\n", cal.Experiment, cal.Runs, cal.Rows)
	if len(cal.Metrics) == 0 {
		fmt.Fprintln(w, "  no metric has row-level scores")
		return
	}
	fmt.Fprintf(w, "  %-22s %-8s %-14s %-18s %-16s %s\n", "metric", "mean", "run-to-run sd", "range", "interval ±", "smallest detectable drop")
	for _, m := range cal.Metrics {
		mean := 0.0
		for _, v := range m.Means {
			mean += v
		}
		mean /= float64(len(m.Means))
		f := func(v float64) string { return report.FormatValue(v, m.Unit) }
		fmt.Fprintf(w, "  %-22s %-8s %-14s %-18s %-16s %s\n", m.Metric, f(mean), f(m.SpreadSD), f(m.Min)+" – "+f(m.Max),
			f(m.HalfWidth)+fmt.Sprintf(" (%g%%)", m.Level*100), f(m.DetectableDrop))
	}
}
