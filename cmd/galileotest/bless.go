package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/report"
)

const blessAbout = `Writes an experiment that already ran as a committed baseline: a JSON
report (the stable schema) holding the experiment with its metrics'
aggregates and row-level scores. A fixture compares with it through
baseline: {file: FILE}, so a baseline changes only by a reviewed commit.

--experiment is the experiment's id or exact name; the project is
--project, else GALILEO_PROJECT_ID or GALILEO_PROJECT, else every project.
--metrics limits the metrics written (default: every metric it has).
Like rejudge, bless needs the experiment's server (the remote backend).
`

// runBless is the bless command.
func runBless(ctx context.Context, e *env, args []string) int {
	var experiment, project, out, metrics, backend string
	var timeout time.Duration
	fs := newFlagSet("bless", "--experiment NAME|ID --out FILE [flags]", blessAbout, exitCodesHelp)
	fs.StringVar(&experiment, "experiment", "", "the experiment to bless: its `NAME|ID` (required)")
	fs.StringVar(&project, "project", "", "the experiment's project `NAME|ID`")
	fs.StringVar(&out, "out", "", "write the baseline to `FILE`, e.g. baselines/support-bot.json (required)")
	fs.StringVar(&metrics, "metrics", "", "comma-separated `METRICS` to keep (default: all)")
	fs.StringVar(&backend, "backend", "", "which `auto|remote|emulator` backend to use (default: GALILEOTEST_BACKEND, else auto)")
	fs.DurationVar(&timeout, "timeout", 2*time.Minute, "bound the API calls")
	operands, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	switch {
	case strings.TrimSpace(experiment) == "":
		e.errorf("bless", "--experiment is required: the name or id of the experiment to bless (see --help)")
		return exitBadInput
	case strings.TrimSpace(out) == "":
		e.errorf("bless", "--out is required: the baseline file to write, e.g. baselines/support-bot.json")
		return exitBadInput
	case len(operands) > 0:
		e.errorf("bless", "unexpected arguments: %s", strings.Join(operands, " "))
		return exitBadInput
	}
	cfg, err := e.loadConfig(backend, "")
	if err != nil {
		printError(e, "bless", err)
		return exitBadInput
	}
	if b, err := cfg.ResolveBackend(); err != nil || b == config.BackendEmulator {
		if err == nil {
			err = fmt.Errorf("the emulator backend starts an empty in-process emulator, which has no experiment to bless; point GALILEO_API_URL and GALILEO_API_KEY at the server that ran it")
		}
		printError(e, "bless", err)
		return exitBadInput
	}
	runner, err := e.newRunner(cfg, func(format string, args ...any) { fmt.Fprintf(e.stderr, format+"\n", args...) })
	if err != nil {
		printError(e, "bless", err)
		return codeFor(err)
	}
	defer runner.Close()
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	var names []string
	for _, m := range strings.Split(metrics, ",") {
		if m = strings.TrimSpace(m); m != "" {
			names = append(names, m)
		}
	}
	snap, err := runner.Snapshot(ctx, experiment, project, names...)
	if err != nil {
		printError(e, "bless", err)
		return codeFor(err)
	}
	if dir := filepath.Dir(out); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			e.errorf("bless", "%v", err)
			return exitBadInput
		}
	}
	rep := &report.Report{StartedAt: snap.StartedAt, Backend: report.BackendRemote, Experiments: []report.Experiment{*snap}}
	if err := report.WriteFile(out, report.FormatJSON, rep); err != nil {
		e.errorf("bless", "%v", err)
		return exitBadInput
	}
	rows := 0
	for _, m := range snap.Metrics {
		rows = max(rows, len(m.RowValues))
	}
	fmt.Fprintf(e.stdout, "blessed %s (id %s, project %s): %d metrics, %d row scores each at most, written to %s\n", snap.RunName, snap.ID, snap.Project, len(snap.Metrics), rows, out)
	return exitOK
}
