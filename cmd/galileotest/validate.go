package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
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
	var chk *onlineChecker
	if *online {
		cfg, err := e.loadConfig(*backend, *project)
		if err != nil {
			printError(e, "validate", err)
			return exitBadInput
		}
		bc, err := e.openBackend(cfg)
		if err != nil {
			printError(e, "validate", err)
			return codeFor(err)
		}
		defer bc.Close()
		if bc.backend == config.BackendEmulator {
			e.errorf("validate", "checking online against an in-process emulator (%s): metric names are checked against the emulator's catalogue; stored datasets and templates do not exist there", backendReason(cfg))
		}
		var cancel context.CancelFunc
		ctx, cancel = withTimeout(ctx, *timeout)
		defer cancel()
		chk = &onlineChecker{c: bc.c, cfg: cfg, remote: bc.backend == config.BackendRemote}
	} else if *backend != "" || *project != "" {
		e.errorf("validate", "--backend and --project only apply with --online")
		return exitBadInput
	}

	files := loadFixtures(paths)
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
			if chk != nil {
				p, n, err := chk.check(ctx, x)
				if err != nil {
					e.errorf("validate", "%s (%s): %s", where(x), x.Name, strings.Join(errorLines(err), "\n  "))
					return codeFor(err)
				}
				problems, notes = append(problems, p...), append(notes, n...)
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
	if chk != nil {
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

// onlineChecker resolves what a fixture names through the API.
type onlineChecker struct {
	c      *galileo.Client
	cfg    *config.Config
	remote bool
}

// check resolves x's metrics, project, stored dataset and prompt
// template. problems are "file:line: field: msg" lines; notes are
// informative; err is an infrastructure failure.
func (k *onlineChecker) check(ctx context.Context, x fixtures.Experiment) (problems, notes []string, err error) {
	at := func(line int) string {
		if line <= 0 {
			line = x.Line
		}
		return fmt.Sprintf("%s:%d", x.File, line)
	}
	var scorers []string
	for _, m := range x.Metrics {
		if !assert.IsSystemMetric(m) {
			scorers = append(scorers, m)
		}
	}
	if len(scorers) > 0 {
		_, err := k.c.Scorers.Resolve(ctx, scorers)
		var ue *galileo.UnknownMetricError
		switch {
		case errors.As(err, &ue):
			problems = append(problems, fmt.Sprintf("%s: metrics: %s", at(0), strings.TrimPrefix(ue.Error(), "galileo: ")))
		case err != nil:
			return nil, nil, err
		}
	}

	name, id := strings.TrimSpace(x.Project), ""
	if name == "" {
		name, id = k.cfg.Project, k.cfg.ProjectID
	}
	switch {
	case id != "":
		_, err := k.c.Projects.Get(ctx, id)
		switch {
		case errors.Is(err, galileo.ErrNotFound):
			problems = append(problems, fmt.Sprintf("%s: project: no project has the id %s (GALILEO_PROJECT_ID or --project)", at(0), id))
		case err != nil:
			return nil, nil, err
		}
	case name != "":
		_, err := k.c.Projects.GetByName(ctx, name)
		switch {
		case errors.Is(err, galileo.ErrNotFound):
			notes = append(notes, fmt.Sprintf("%s: project %q does not exist yet; run creates it", x.Name, name))
		case err != nil:
			return nil, nil, err
		}
	case k.remote:
		problems = append(problems, fmt.Sprintf("%s: project: missing; set project in the fixture, GALILEO_PROJECT or --project", at(0)))
	}

	if ds := x.Dataset; ds.Stored() {
		d, err := k.c.Datasets.GetByName(ctx, ds.Name)
		switch {
		case errors.Is(err, galileo.ErrNotFound):
			problems = append(problems, fmt.Sprintf("%s: dataset.name: no dataset named %q is stored on Galileo", at(ds.Line), ds.Name))
		case err != nil:
			return nil, nil, err
		case ds.Version != nil && *ds.Version > d.CurrentVersionIndex:
			problems = append(problems, fmt.Sprintf("%s: dataset.version: dataset %q has no version %d (current version %d)", at(ds.Line), ds.Name, *ds.Version, d.CurrentVersionIndex))
		}
	}

	if pr := x.Prompt; pr != nil && pr.Template != "" {
		t, err := k.c.Prompts.GetByName(ctx, pr.Template)
		switch {
		case errors.Is(err, galileo.ErrNotFound):
			problems = append(problems, fmt.Sprintf("%s: prompt.template: no prompt template named %q is stored on Galileo", at(pr.Line), pr.Template))
		case err != nil:
			return nil, nil, err
		case pr.Version != nil:
			_, err := k.c.Prompts.GetVersion(ctx, t.ID, *pr.Version)
			switch {
			case errors.Is(err, galileo.ErrNotFound):
				problems = append(problems, fmt.Sprintf("%s: prompt.version: prompt template %q has no version %d (versions: %v)", at(pr.Line), pr.Template, *pr.Version, t.AllAvailableVersions))
			case err != nil:
				return nil, nil, err
			}
		}
	}
	return problems, notes, nil
}
