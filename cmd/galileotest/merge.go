package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/galileo-community/galileo-go/report"
)

const mergeAbout = `Joins the JSON reports of the shards of one gate (CI jobs that each ran
part of the fixtures with "run --json", or go test with GALILEOTEST_REPORT)
into one report, and writes it like run writes its reports. Nothing is run
or judged again: the verdict is the shards' verdicts together.

Experiments are ordered by fixture file, line and name (those declared in
Go after them) and each appears once, so a report merged again with one
of its shards is unchanged. The merged run spans the earliest start and
the latest finish. Reports from different backends (remote and emulator)
are not merged: a gate partly judged by the emulator says nothing about
Galileo's scores.

The summary goes to stdout. When $GITHUB_STEP_SUMMARY is set, the
Markdown summary is appended to it.
`

// mergeExitCodes is the exit-code table of the merge command.
const mergeExitCodes = `Exit codes:
  0  every experiment of every report passed
  1  a threshold was missed, an experiment errored or timed out, or the
     reports hold no experiment: the merged report did not pass
  2  bad input: a flag, an input that cannot be read or is not a report,
     reports of different backends, a report path that cannot be written
`

// runMerge is the merge command: JSON reports in, one merged report
// written out, the exit code of its verdict back.
func runMerge(_ context.Context, e *env, args []string) int {
	var out outputs
	fs := newFlagSet("merge", "--json OUT [--junit FILE] [--markdown FILE] [--html FILE] IN.json...", mergeAbout, mergeExitCodes)
	out.register(fs)
	inputs, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	switch {
	case !slices.ContainsFunc(out.files, func(f output) bool { return f.flag == "json" }):
		e.errorf("merge", "--json OUT is required: the file to write the merged report to (see --help)")
		return exitBadInput
	case len(inputs) == 0:
		e.errorf("merge", "no reports to merge; usage: galileotest merge --json OUT IN.json... (see --help)")
		return exitBadInput
	}
	if err := out.check(); err != nil {
		e.errorf("merge", "%v", err)
		return exitBadInput
	}
	reports, err := readReports(inputs)
	if err != nil {
		for _, l := range errorLines(err) {
			e.errorf("merge", "%s", l)
		}
		return exitBadInput
	}
	merged, err := report.Merge(reports...)
	if err != nil {
		printError(e, "merge", err)
		for i, r := range reports {
			fmt.Fprintf(e.stderr, "  %s: backend %s\n", inputs[i], cmp.Or(r.Backend, "not stated"))
		}
		return exitBadInput
	}
	printMergeSummary(e.stdout, reports, merged)
	code = exitOK
	if !merged.Passed() {
		code = exitFailed
	}
	if err := out.write(e, "merge", merged); err != nil {
		e.errorf("merge", "%v", err)
		code = worse(code, exitBadInput)
	}
	return code
}

// readReports reads every input with report.ReadJSON. Every input that
// cannot be read or is not a report is one line of the joined error,
// naming the file.
func readReports(paths []string) ([]*report.Report, error) {
	var reports []*report.Report
	var errs []error
	for _, p := range paths {
		r, err := readReportFile(p)
		if err != nil {
			errs = append(errs, badInput("%s: %s", p, err))
			continue
		}
		reports = append(reports, r)
	}
	return reports, errors.Join(errs...)
}

func readReportFile(path string) (*report.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.New(rootCause(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, errors.New("is a directory; expected a JSON report")
	}
	r, err := report.ReadJSON(f)
	if err != nil {
		return nil, errors.New("not a JSON report: " + strings.TrimPrefix(strings.TrimPrefix(err.Error(), "report: "), "read JSON: "))
	}
	return r, nil
}

// printMergeSummary writes what was merged, then the merged report's
// summary as run prints it.
func printMergeSummary(w io.Writer, reports []*report.Report, merged *report.Report) {
	total := 0
	for _, r := range reports {
		total += len(r.Experiments)
	}
	line := fmt.Sprintf("merged %s: %s", plural(len(reports), "report", "reports"), plural(len(merged.Experiments), "experiment", "experiments"))
	if dup := total - len(merged.Experiments); dup > 0 {
		line += fmt.Sprintf(" (%s left out)", plural(dup, "duplicate", "duplicates"))
	}
	fmt.Fprintln(w, line)
	outs := make([]outcome, len(merged.Experiments))
	for i := range merged.Experiments {
		x := &merged.Experiments[i]
		outs[i] = outcome{rep: x}
		if x.Status != report.StatusPassed && x.Status != report.StatusFailed && x.Status != report.StatusInconclusive {
			outs[i].err = errors.New(cmp.Or(x.Error, "the experiment ended with status "+x.Status))
		}
	}
	printRunSummary(w, nil, outs, false, merged.Duration())
}
