package galileotest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

// Runner runs experiments and returns their reports; it is the core under
// the testing wrappers (New, RunDir, RunFile) and what programs such as the
// galileotest command use. It never touches a testing.TB: every problem is
// an error. A Runner is safe for concurrent use; experiments run in
// parallel share its client, and on the emulator backend its emulator.
type Runner struct {
	s       settings
	cfg     *config.Config
	backend config.Backend

	mu        sync.Mutex
	client    *galileo.Client
	emu       *emulator.Server
	clientErr error
	closed    bool

	factsOnce sync.Once
	facts     runFacts

	projects  flight[string, string]        // project name or id -> project id
	datasets  flight[string, *resolvedData] // content key -> dataset
	templates flight[string, string]        // template key -> version id
	names     keyedMutex                    // serialises naming per project and name

	slots     chan struct{} // one per running experiment of the harness (see DefaultParallel)
	started   time.Time     // when NewRunner made it
	reportsMu sync.Mutex
	reports   []*report.Experiment
}

// NewRunner resolves the configuration and the backend; it makes no call.
// The client (and for the emulator backend, the emulator) is created when
// the first experiment runs. Close the Runner when done.
//
// Backend selection follows package config: GALILEOTEST_BACKEND=remote
// needs credentials; emulator starts an in-process emulator on loopback;
// auto (the default) uses the remote API when credentials are configured,
// the emulator otherwise, and fails in CI without credentials (naming
// GALILEO_API_KEY and GALILEOTEST_BACKEND=emulator). WithClient bypasses the
// selection.
func NewRunner(opts ...Option) (*Runner, error) {
	r := &Runner{s: newSettings(opts), started: time.Now()}
	cfg := r.s.cfg
	if cfg == nil {
		var copts []config.Option
		if r.s.configFile != "" {
			copts = append(copts, config.WithFile(r.s.configFile))
		}
		if r.s.hasLookup {
			copts = append(copts, config.WithLookup(r.s.lookup))
		}
		c, err := config.Load(copts...)
		if err != nil {
			return nil, &SetupError{Step: "configuration", Err: err}
		}
		cfg = c
	}
	r.cfg = cfg
	r.slots = make(chan struct{}, r.parallel())
	if r.s.client != nil {
		r.client = r.s.client
		r.backend = config.BackendRemote // whatever server the client points at
		return r, nil
	}
	b, err := cfg.ResolveBackend()
	if err != nil {
		return nil, &SetupError{Step: "backend", Err: err}
	}
	r.backend = b
	return r, nil
}

// Backend returns the backend the Runner talks to: config.BackendEmulator
// for the in-process emulator it starts, config.BackendRemote otherwise
// (the Galileo API, a standalone emulator, or the server of a client given
// with WithClient). The report says the same (report.BackendRemote,
// report.BackendEmulator).
func (r *Runner) Backend() config.Backend { return r.backend }

// needsProject reports whether an experiment must name its project: on
// the Galileo API, a default project would put experiments where nobody
// looks; on an emulator (in-process, or a client for a loopback address)
// DefaultProject is harmless.
func (r *Runner) needsProject(c *galileo.Client) bool {
	if r.s.client != nil {
		return !isLoopback(c.BaseURL())
	}
	return r.backend == config.BackendRemote
}

// Close stops the emulator the Runner started, if any. Experiments are
// never deleted (see the package documentation on GALILEOTEST_KEEP).
func (r *Runner) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.emu != nil {
		err := r.emu.Close()
		r.emu = nil
		return err
	}
	return nil
}

// Report returns the verdict of everything the Runner ran so far:
// package report's model, which the
// harness writes when a test ends and the galileotest command writes for
// its run. Fixtures that cannot run (AddInputError) are in
// it with status error. Experiments are in declaration order: those of
// fixtures by file and line, then those declared in Go in the order they
// finished. It is a snapshot: thresholds checked later
// (Result.Check) show in the next call.
func (r *Runner) Report() *report.Report {
	r.reportsMu.Lock()
	defer r.reportsMu.Unlock()
	rep := &report.Report{
		SchemaVersion: report.SchemaVersion,
		StartedAt:     r.started.UTC(),
		FinishedAt:    time.Now().UTC(),
		Backend:       report.BackendRemote,
		Experiments:   make([]report.Experiment, 0, len(r.reports)),
	}
	if r.backend == config.BackendEmulator {
		rep.Backend = report.BackendEmulator
	}
	for _, e := range r.reports {
		rep.Experiments = append(rep.Experiments, *e)
	}
	// Declaration order, whatever order parallel runs finished in:
	// fixtures by file and line, then experiments declared in Go in the
	// order they finished.
	slices.SortStableFunc(rep.Experiments, func(a, b report.Experiment) int {
		switch {
		case a.File == "" || b.File == "":
			return cmp.Compare(boolRank(a.File == ""), boolRank(b.File == ""))
		}
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	return rep
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AddInputError records a fixture that cannot run — it failed to load,
// or a check before anything was created (Preflight, a function the
// command cannot run) found it wrong — so that the report lists it
// (status error, with its file, first line and every problem) next to the
// experiments that ran.
func (r *Runner) AddInputError(path string, err error) {
	e := &report.Experiment{
		Name:   strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)),
		File:   path,
		Status: report.StatusError,
		Error:  err.Error(),
	}
	var fe *fixtures.Error
	if errors.As(err, &fe) {
		if fe.File != "" {
			e.File = fe.File
		}
		e.Line = fe.Line
	}
	r.addReport(e)
}

func (r *Runner) addReport(rep *report.Experiment) {
	r.reportsMu.Lock()
	r.reports = append(r.reports, rep)
	r.reportsMu.Unlock()
}

// logf writes a progress line to the configured logger, if any.
func (r *Runner) logf(format string, args ...any) {
	if r.s.logf != nil {
		r.s.logf(format, args...)
	}
}

// emulatorNotice is logged once when the emulator backend starts.
const emulatorNotice = "galileotest: using the in-process Galileo emulator at %s (%s); scores are the emulator's deterministic approximations, not Galileo's"

// getClient returns the client, starting the emulator on first use for the
// emulator backend.
func (r *Runner) getClient(logf func(string, ...any)) (*galileo.Client, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.client != nil || r.clientErr != nil {
		return r.client, r.clientErr
	}
	if r.closed {
		return nil, errors.New("galileotest: the runner is closed")
	}
	switch r.backend {
	case config.BackendEmulator:
		var o emulator.Options
		if r.s.emuOpts != nil {
			o = *r.s.emuOpts
		}
		o.Addr = "127.0.0.1:0"
		if err := emulatorModes(&o, r.cfg); err != nil {
			r.clientErr = &SetupError{Step: "emulator", Err: err}
			return nil, r.clientErr
		}
		keptDir := ""
		if r.cfg.Keep && o.DataDir == "" {
			dir, err := os.MkdirTemp("", "galileotest-emulator-")
			if err != nil {
				r.clientErr = &SetupError{Step: "emulator", Err: err}
				return nil, r.clientErr
			}
			o.DataDir, keptDir = dir, dir
		}
		emu, err := emulator.New(o)
		if err != nil {
			r.clientErr = &SetupError{Step: "emulator", Err: err}
			return nil, r.clientErr
		}
		c, err := emu.Client(append([]galileo.Option{galileo.WithConsoleURL(emu.URL())}, r.s.clientOpts...)...)
		if err != nil {
			_ = emu.Close()
			r.clientErr = &SetupError{Step: "emulator", Err: err}
			return nil, r.clientErr
		}
		why := "GALILEOTEST_BACKEND=emulator"
		if r.cfg.Backend == config.BackendAuto || r.cfg.Backend == "" {
			why = "no Galileo credentials configured"
		}
		logf(emulatorNotice, emu.URL(), why)
		if keptDir != "" {
			logf("galileotest: GALILEOTEST_KEEP is set: the emulator's data is kept in %s (start an emulator with that data directory to inspect it)", keptDir)
		}
		r.emu, r.client = emu, c
	default:
		c, err := newClient(r.cfg, r.s.clientOpts...)
		if err != nil {
			r.clientErr = &SetupError{Step: "client", Err: err}
			return nil, r.clientErr
		}
		r.client = c
	}
	return r.client, nil
}

// emulatorModes applies GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES,
// GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES and
// GALILEOTEST_EMULATOR_JUDGE_NOISE to o where WithEmulatorOptions left the
// setting at its default.
func emulatorModes(o *emulator.Options, cfg *config.Config) error {
	if cfg.EmulatorNoStructuredAggregates {
		o.DisableStructuredAggregates = true
	}
	if o.JudgeNoise == 0 {
		o.JudgeNoise = cfg.EmulatorJudgeNoise
	}
	if o.PublishAggregates == "" && cfg.EmulatorPublishAggregates != "" {
		p, err := emulator.ParsePublishAggregates(cfg.EmulatorPublishAggregates)
		if err != nil {
			return fmt.Errorf("%s: %w", config.EnvEmulatorPublishAggregates, err)
		}
		o.PublishAggregates = p
	}
	return nil
}

// newClient builds a client for the API cfg points at (cfg.APIURL, which
// may be a standalone emulator): the console URL, the JWT or else the API
// key (in cfg.APIKeyHeader when set, else exchanged at login), and the
// extra headers of cfg, then opts. It makes no call.
func newClient(cfg *config.Config, opts ...galileo.Option) (*galileo.Client, error) {
	base := []galileo.Option{galileo.WithBaseURL(cfg.APIURL)}
	if cfg.ConsoleURL != "" { // "" when it cannot be derived from the API URL: no links, never wrong ones
		base = append(base, galileo.WithConsoleURL(cfg.ConsoleURL))
	}
	switch {
	case cfg.JWT != "":
		base = append(base, galileo.WithJWT(cfg.JWT))
	case cfg.APIKey != "" && cfg.APIKeyHeader != "":
		base = append(base, galileo.WithAPIKey(cfg.APIKey), galileo.WithAPIKeyHeaderName(cfg.APIKeyHeader))
	case cfg.APIKey != "":
		base = append(base, galileo.WithAPIKey(cfg.APIKey))
	}
	for k, v := range cfg.ExtraHeaders {
		base = append(base, galileo.WithHeader(k, v))
	}
	return galileo.NewClient(append(base, opts...)...)
}

// SetupError is a problem that prevents an experiment from running at all:
// configuration, backend, project, dataset, prompt or API failures. It is
// neither bad input (*fixtures.Error) nor a missed threshold.
type SetupError struct {
	Step string // what was being done: "backend", "dataset", "create experiment", ...
	Err  error
}

// Error renders "galileotest: <step>: <cause>".
func (e *SetupError) Error() string {
	return fmt.Sprintf("galileotest: %s: %v", e.Step, e.Err)
}

// Unwrap returns the cause, so errors.Is and errors.As reach API errors.
func (e *SetupError) Unwrap() error { return e.Err }

// flight runs one computation per key at a time and caches successes, so
// parallel experiments that need the same project, dataset or template
// resolve it once. Failures are not cached.
type flight[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*flightCall[V]
}

type flightCall[V any] struct {
	done chan struct{}
	val  V
	err  error
}

func (f *flight[K, V]) do(ctx context.Context, key K, fn func() (V, error)) (V, error) {
	for {
		f.mu.Lock()
		if f.calls == nil {
			f.calls = map[K]*flightCall[V]{}
		}
		if c, ok := f.calls[key]; ok {
			f.mu.Unlock()
			select {
			case <-c.done:
			case <-ctx.Done():
				var zero V
				return zero, context.Cause(ctx)
			}
			if c.err == nil {
				return c.val, nil
			}
			continue // the other caller failed; try ourselves
		}
		c := &flightCall[V]{done: make(chan struct{})}
		f.calls[key] = c
		f.mu.Unlock()
		c.val, c.err = fn()
		f.mu.Lock()
		if c.err != nil {
			delete(f.calls, key)
		}
		f.mu.Unlock()
		close(c.done)
		return c.val, c.err
	}
}

// keyedMutex hands out one mutex per key.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*sync.Mutex
}

func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*sync.Mutex{}
	}
	m, ok := k.m[key]
	if !ok {
		m = &sync.Mutex{}
		k.m[key] = m
	}
	k.mu.Unlock()
	m.Lock()
	return m.Unlock
}
