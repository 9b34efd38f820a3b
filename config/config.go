package config

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
)

// Environment variables read by [Load]. The GALILEO_ ones are the official
// Galileo SDKs' names; the GALILEOTEST_ ones belong to this module.
const (
	EnvAPIKey       = "GALILEO_API_KEY"
	EnvJWT          = "GALILEO_JWT_TOKEN"
	EnvConsoleURL   = "GALILEO_CONSOLE_URL"
	EnvAPIURL       = "GALILEO_API_URL"
	EnvProject      = "GALILEO_PROJECT"
	EnvProjectID    = "GALILEO_PROJECT_ID"
	EnvExtraHeaders = "GALILEO_EXTRA_HEADERS"
	EnvBackend      = "GALILEOTEST_BACKEND"
	EnvKeep         = "GALILEOTEST_KEEP"
	EnvReport       = "GALILEOTEST_REPORT"
	EnvShard        = "GALILEOTEST_SHARD"
	EnvParallel     = "GALILEOTEST_PARALLEL"
	EnvCI           = "CI"

	// EnvEmulatorStructuredAggregates set to false makes the in-process
	// emulator publish no structured aggregates (emulator
	// Options.DisableStructuredAggregates), like a Galileo deployment
	// without that feature.
	EnvEmulatorStructuredAggregates = "GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES"
	// EnvEmulatorPublishAggregates is when the in-process emulator publishes
	// an experiment's aggregates: EmulatorPublishIncremental (as rows are
	// scored, the default) or EmulatorPublishAtCompletion (emulator
	// Options.PublishAggregates).
	EnvEmulatorPublishAggregates = "GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES"
	// EnvEmulatorJudgeNoise, a number from 0 to 1, makes the in-process
	// emulator's judge metrics noisy (emulator Options.JudgeNoise: the
	// standard deviation of the noise on numeric judge scores, the flip
	// probability of boolean ones), so repeats, intervals and calibration
	// can be tried against run-to-run variance. 0, the default, keeps
	// scores deterministic.
	EnvEmulatorJudgeNoise = "GALILEOTEST_EMULATOR_JUDGE_NOISE"
)

// The values of [EnvEmulatorPublishAggregates]: the names of the emulator's
// PublishAggregates rules.
const (
	EmulatorPublishIncremental  = "incremental"
	EmulatorPublishAtCompletion = "at-completion"
)

// Environment variables of Splunk Agent Observability (splunk-ao), the
// rebranded Galileo SDK, accepted as aliases of the GALILEO_ variables with
// the same suffix. When both are set (non-blank), the GALILEO_ variable wins,
// as in the splunk-ao Python SDK, which copies a SPLUNK_AO_ variable to its
// GALILEO_ twin only when that one is not set. Unlike splunk-ao, a blank
// GALILEO_ variable counts as unset here, as every blank value does.
// splunk-ao has no variable for extra headers, so GALILEO_EXTRA_HEADERS has
// no alias.
const (
	EnvSplunkAPIKey     = "SPLUNK_AO_API_KEY"
	EnvSplunkJWT        = "SPLUNK_AO_JWT_TOKEN"
	EnvSplunkConsoleURL = "SPLUNK_AO_CONSOLE_URL"
	EnvSplunkAPIURL     = "SPLUNK_AO_API_URL"
	EnvSplunkProject    = "SPLUNK_AO_PROJECT"
	EnvSplunkProjectID  = "SPLUNK_AO_PROJECT_ID"
)

// HeaderSplunkAPIKey is the header that carries a raw API key on Splunk
// Agent Observability: the name the API document gives its API-key scheme
// (APIKeyHeader) and the header splunk-ao's Python SDK sends its key in
// when it exports without logging in. See [Config.APIKeyHeader].
const HeaderSplunkAPIKey = "Splunk-AO-API-Key"

// Backend selects what the harness talks to.
type Backend string

// The backends. The zero Backend means [BackendAuto].
const (
	// BackendAuto uses the remote API when credentials are configured and
	// the emulator otherwise, except in CI, where missing credentials are an
	// error (see [Config.ResolveBackend]).
	BackendAuto Backend = "auto"
	// BackendRemote uses the real Galileo API and requires credentials.
	BackendRemote Backend = "remote"
	// BackendEmulator uses the in-process emulator.
	BackendEmulator Backend = "emulator"
)

// ParseBackend parses "auto", "remote" or "emulator" (case-insensitive,
// surrounding spaces ignored). A blank string gives [BackendAuto].
func ParseBackend(s string) (Backend, error) {
	switch b := Backend(strings.ToLower(strings.TrimSpace(s))); b {
	case "":
		return BackendAuto, nil
	case BackendAuto, BackendRemote, BackendEmulator:
		return b, nil
	}
	return "", fmt.Errorf("%q is not one of auto, remote, emulator", strings.TrimSpace(s))
}

// Config is the resolved configuration. Build one with [Load]; a literal
// Config is fine for tests as long as it is filled in completely.
//
// APIKey, JWT and the values of sensitive ExtraHeaders (see
// [IsSensitiveHeader]) are secrets: String, GoString, every fmt verb,
// MarshalJSON and LogValue show "set (redacted)" in their place.
type Config struct {
	// APIKey is exchanged for a JWT at login (GALILEO_API_KEY), or sent
	// in the APIKeyHeader header (SPLUNK_AO_API_KEY, used when
	// GALILEO_API_KEY is unset). Secret.
	APIKey string
	// APIKeyHeader, when set, is the header the client sends APIKey in with
	// every request instead of exchanging it for a JWT. Load sets it to
	// [HeaderSplunkAPIKey] when the key came from SPLUNK_AO_API_KEY, and
	// leaves it empty (log in at POST /login/api_key, as the official SDKs
	// do) for a key from GALILEO_API_KEY, the file or an override. A JWT
	// still wins over the key.
	APIKeyHeader string
	// JWT is a pre-issued token used as-is (GALILEO_JWT_TOKEN, else
	// SPLUNK_AO_JWT_TOKEN). Secret.
	JWT string
	// ConsoleURL is the web console, used for links (GALILEO_CONSOLE_URL,
	// else SPLUNK_AO_CONSOLE_URL). Unless set explicitly it is derived from
	// an explicit APIURL by [DeriveConsoleURL], and is empty — no links —
	// when it cannot be derived; with neither URL configured it is
	// [DefaultConsoleURL].
	ConsoleURL string
	// APIURL is the REST API base URL (GALILEO_API_URL, else
	// SPLUNK_AO_API_URL), derived from ConsoleURL by [DeriveAPIURL] unless
	// set explicitly. Load always sets it; with neither URL configured it
	// is [DefaultAPIURL]. It may or may not end in a slash.
	APIURL string
	// Project is the default project name (GALILEO_PROJECT, else
	// SPLUNK_AO_PROJECT).
	Project string
	// ProjectID is the default project id (GALILEO_PROJECT_ID, else
	// SPLUNK_AO_PROJECT_ID).
	ProjectID string
	// ExtraHeaders are added to every request (GALILEO_EXTRA_HEADERS).
	ExtraHeaders map[string]string
	// Backend is the requested backend (GALILEOTEST_BACKEND); Load sets it
	// to BackendAuto when unset. Use ResolveBackend for the effective one.
	Backend Backend
	// Keep asks the harness to keep what a test created (GALILEOTEST_KEEP).
	Keep bool
	// ReportPath is where the harness writes a JSON report (GALILEOTEST_REPORT).
	ReportPath string
	// Shard is the part of the run this job runs (GALILEOTEST_SHARD=i/n);
	// the zero Shard, the default, runs everything.
	Shard Shard
	// Parallel is how many experiments a harness runs at once
	// (GALILEOTEST_PARALLEL); 0, the default, means the harness's own
	// default (galileotest.DefaultParallel), independent of go test
	// -parallel.
	Parallel int
	// CI is true when the CI variable is non-empty and not "false" or "0".
	CI bool
	// EmulatorNoStructuredAggregates makes the in-process emulator publish
	// no structured aggregates
	// (GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES=false).
	EmulatorNoStructuredAggregates bool
	// EmulatorPublishAggregates is when the in-process emulator publishes
	// aggregates: "" (its default), EmulatorPublishIncremental or
	// EmulatorPublishAtCompletion (GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES).
	EmulatorPublishAggregates string
	// EmulatorJudgeNoise is the in-process emulator's judge noise, from 0
	// (the default: deterministic scores) to 1
	// (GALILEOTEST_EMULATOR_JUDGE_NOISE).
	EmulatorJudgeNoise float64
}

// HasCredentials reports whether an API key or a JWT is configured.
func (c *Config) HasCredentials() bool {
	return c.APIKey != "" || c.JWT != ""
}

// ResolveBackend returns the backend to use: [BackendRemote] or
// [BackendEmulator], never [BackendAuto].
//
//   - remote: needs credentials, else an error wrapping [ErrNoCredentials];
//   - emulator: always the emulator;
//   - auto (or unset): remote with credentials; without them the emulator,
//     except when CI is set: then an error wrapping [ErrNoCredentials] that
//     names GALILEO_API_KEY, SPLUNK_AO_API_KEY and
//     GALILEOTEST_BACKEND=emulator, because a
//     quality gate that silently ran against the emulator would be a false
//     green.
//
// A Backend value other than these is an error.
func (c *Config) ResolveBackend() (Backend, error) {
	b, err := ParseBackend(string(c.Backend))
	if err != nil {
		return "", fmt.Errorf("%s: %w", EnvBackend, err)
	}
	switch b {
	case BackendEmulator:
		return BackendEmulator, nil
	case BackendRemote:
		if !c.HasCredentials() {
			return "", fmt.Errorf("%s=remote: %w: set %s or %s (or %s or %s)",
				EnvBackend, ErrNoCredentials, EnvAPIKey, EnvSplunkAPIKey, EnvJWT, EnvSplunkJWT)
		}
		return BackendRemote, nil
	}
	if c.HasCredentials() {
		return BackendRemote, nil
	}
	if c.CI {
		return "", fmt.Errorf("running in CI (CI is set) with %s=auto and %w: "+
			"set %s (or %s) to run against Galileo, or set %s=emulator to run against the emulator on purpose",
			EnvBackend, ErrNoCredentials, EnvAPIKey, EnvSplunkAPIKey, EnvBackend)
	}
	return BackendEmulator, nil
}

// ConsoleLink returns the console page of an experiment:
// {ConsoleURL without trailing slash}/project/{projectID}/experiments/{experimentID},
// or "" when ConsoleURL is empty (the console is unknown: no link).
func (c *Config) ConsoleLink(projectID, experimentID string) string {
	base := strings.TrimRight(c.ConsoleURL, "/")
	if base == "" {
		return ""
	}
	return base + "/project/" + url.PathEscape(projectID) +
		"/experiments/" + url.PathEscape(experimentID)
}

// Option configures [Load].
type Option func(*loader)

// WithLookup replaces the environment lookup (default [os.LookupEnv]); tests
// pass a map-backed function so that they do not depend on the process
// environment. A nil lookup reads no environment at all.
func WithLookup(lookup func(key string) (string, bool)) Option {
	return func(l *loader) {
		if lookup == nil {
			lookup = func(string) (string, bool) { return "", false }
		}
		l.lookup = lookup
	}
}

// WithFile reads the YAML file at path (see the package documentation for
// its keys). A missing file is an error. The last WithFile or WithFS wins.
func WithFile(path string) Option {
	return func(l *loader) { l.fsys, l.path = nil, path }
}

// WithFS is like [WithFile] but reads path from fsys.
func WithFS(fsys fs.FS, path string) Option {
	return func(l *loader) { l.fsys, l.path = fsys, path }
}

// WithOverride registers fn to change the configuration after the file and
// the environment were applied and before defaults, derivation and
// validation, so explicit Go settings win over everything else. fn sees
// blank strings for unset values (in particular APIURL is blank unless it
// was set explicitly, so setting only ConsoleURL re-derives it, and
// ConsoleURL is blank unless it was set explicitly, so setting only APIURL
// re-derives ConsoleURL). Several
// overrides run in order. Values fn sets are validated like the others and
// reported as coming from "WithOverride".
func WithOverride(fn func(*Config)) Option {
	return func(l *loader) {
		if fn != nil {
			l.overrides = append(l.overrides, fn)
		}
	}
}

// loader holds the options of one Load call.
type loader struct {
	lookup    func(string) (string, bool)
	fsys      fs.FS
	path      string
	overrides []func(*Config)
}

// Load resolves the configuration. Precedence, highest first:
// [WithOverride] functions, environment variables (a GALILEO_ variable
// before its SPLUNK_AO_ alias), the YAML file ([WithFile] or [WithFS]),
// defaults. Each setting is taken whole from the
// highest source that sets it (ExtraHeaders are not merged across sources).
// Blank and whitespace-only values count as unset; other values are trimmed.
//
// Every invalid value is reported, as one [*Error] each, joined with
// [errors.Join].
func Load(opts ...Option) (*Config, error) {
	l := loader{lookup: os.LookupEnv}
	for _, opt := range opts {
		opt(&l)
	}
	var (
		c    Config
		from origins
		errs errorList
	)
	if l.path != "" {
		l.applyFile(&c, &from, &errs)
	}
	applyEnv(l.lookup, &c, &from, &errs)
	for _, fn := range l.overrides {
		applyOverride(fn, &c, &from)
	}
	finish(&c, &from, &errs)
	if err := errs.join(); err != nil {
		return nil, err
	}
	return &c, nil
}
