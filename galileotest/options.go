package galileotest

import (
	"io"

	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
)

// Option configures a Harness, a Runner or Evaluate.
type Option func(*settings)

// settings is what the options set.
type settings struct {
	funcs      map[string]Func
	client     *galileo.Client
	cfg        *config.Config
	lookup     func(string) (string, bool)
	hasLookup  bool
	configFile string
	logf       func(format string, args ...any)
	progress   func(ProgressEvent)
	emuOpts    *emulator.Options
	clientOpts []galileo.Option
	stdout     io.Writer // GitHub annotations; nil: os.Stdout (tests set it)
	parallel   int       // WithParallel

	confidence     float64 // WithConfidence: the default confidence level
	onInconclusive string  // WithConfidence: the default on_inconclusive
}

// WithConfidence judges the thresholds of every experiment that sets no
// confidence of its own on their confidence intervals at level (0.95 for
// 95%), as the fixture field confidence does; onInconclusive is "fail"
// (also when ""), "pass" or "skip", used when the experiment sets none.
// An experiment's own Confidence and OnInconclusive win.
func WithConfidence(level float64, onInconclusive string) Option {
	return func(s *settings) { s.confidence, s.onInconclusive = level, onInconclusive }
}

// verdictDefaults applies WithConfidence to an experiment that sets no
// confidence level.
func (s *settings) verdictDefaults(x *fixtures.Experiment) {
	if x.Confidence == 0 && s.confidence != 0 {
		x.Confidence = s.confidence
		if x.OnInconclusive == "" {
			x.OnInconclusive = s.onInconclusive
		}
	}
}

// WithFunc registers a Go function under name; fixtures run it with
// `function: <name>`. A later registration of the same name wins.
func WithFunc(name string, fn Func) Option {
	return func(s *settings) {
		if s.funcs == nil {
			s.funcs = map[string]Func{}
		}
		s.funcs[name] = fn
	}
}

// WithClient makes the harness use c for every call, whatever the
// configured backend. The caller owns c (for example a client from an
// emulator.Server it started).
func WithClient(c *galileo.Client) Option {
	return func(s *settings) { s.client = c }
}

// WithConfig makes the harness use cfg instead of loading the configuration
// from the environment (config.Load).
func WithConfig(cfg *config.Config) Option {
	return func(s *settings) { s.cfg = cfg }
}

// WithConfigFile makes the harness load the configuration with a YAML file
// (config.WithFile) under the environment.
func WithConfigFile(path string) Option {
	return func(s *settings) { s.configFile = path }
}

// WithLookupEnv replaces the environment (os.LookupEnv) for everything the
// harness reads from it: the configuration, and the git and CI facts
// (GITHUB_SHA, CI_COMMIT_SHA, ...). With a replaced environment the harness
// does not run git either. Tests use it to pin the backend rules.
func WithLookupEnv(lookup func(key string) (string, bool)) Option {
	return func(s *settings) { s.lookup, s.hasLookup = lookup, true }
}

// WithEmulatorOptions sets the options of the in-process emulator the
// harness starts for the emulator backend (for example a faster
// ScoringDelay). Addr is ignored: the emulator listens on a free loopback
// port.
func WithEmulatorOptions(o emulator.Options) Option {
	return func(s *settings) { s.emuOpts = &o }
}

// WithLogf sends the harness's progress lines to logf (a Harness logs to
// its test; a Runner discards them by default). The lines are for people;
// a program that follows the progress uses WithProgress.
func WithLogf(logf func(format string, args ...any)) Option {
	return func(s *settings) { s.logf = logf }
}

// WithClientOptions adds options to the client the Runner builds for the
// remote API or the emulator (for example galileo.WithRetry or
// galileo.WithHTTPClient); it has no effect with WithClient.
func WithClientOptions(opts ...galileo.Option) Option {
	return func(s *settings) { s.clientOpts = append(s.clientOpts, opts...) }
}

func newSettings(opts []Option) settings {
	var s settings
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	return s
}
