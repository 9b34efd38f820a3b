// Package config resolves the settings of the Galileo client and the test
// harness from environment variables (the official Galileo SDKs' names, their
// Splunk Agent Observability aliases, plus a few of this module's own), an
// optional YAML file and explicit Go overrides.
//
// # Quick start
//
//	cfg, err := config.Load() // environment only
//	if err != nil {
//		return err // names every invalid variable and what was expected
//	}
//	backend, err := cfg.ResolveBackend() // remote or emulator
//	if err != nil {
//		return err // e.g. running in CI without credentials
//	}
//	slog.Info("galileo", "config", cfg) // secrets are redacted
//
// With a file and a setting forced from Go:
//
//	cfg, err := config.Load(
//		config.WithFile("galileo.yaml"),
//		config.WithOverride(func(c *config.Config) { c.Backend = config.BackendEmulator }),
//	)
//
// # Precedence
//
// Highest first; each setting is taken whole from the highest source that
// sets it (extra headers are not merged across sources):
//
//  1. [WithOverride] functions, in the order given;
//  2. environment variables (read through [WithLookup], default [os.LookupEnv]),
//     a GALILEO_ variable before its SPLUNK_AO_ alias (see below);
//  3. the YAML file ([WithFile] or [WithFS]);
//  4. defaults.
//
// Blank and whitespace-only values count as unset; other values are trimmed.
//
// # Environment variables
//
//	variable               Config field   meaning                                default
//	GALILEO_API_KEY        APIKey         API key, exchanged for a JWT (secret)  -
//	GALILEO_JWT_TOKEN      JWT            pre-issued JWT, used as is (secret)    -
//	GALILEO_CONSOLE_URL    ConsoleURL     web console, used for links            https://app.galileo.ai/
//	GALILEO_API_URL        APIURL         REST API base URL                      derived from the console URL
//	GALILEO_PROJECT        Project        default project name                   -
//	GALILEO_PROJECT_ID     ProjectID      default project id                     -
//	GALILEO_EXTRA_HEADERS  ExtraHeaders   JSON object of header name to value    -
//	GALILEOTEST_BACKEND    Backend        auto, remote or emulator               auto
//	GALILEOTEST_KEEP       Keep           keep what tests created (boolean)      false
//	GALILEOTEST_REPORT     ReportPath     path of a JSON report                  -
//	GALILEOTEST_SHARD      Shard          this job's part of the run, i/n        - (everything)
//	GALILEOTEST_PARALLEL   Parallel       experiments a harness runs at once     32
//	CI                     CI             set by CI systems                      false
//
// Three more set up the in-process emulator the harness starts for the
// emulator backend (they do nothing for the remote backend):
//
//	GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES  EmulatorNoStructuredAggregates (when false)  true
//	GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES     EmulatorPublishAggregates: incremental        incremental
//	                                            or at-completion
//	GALILEOTEST_EMULATOR_JUDGE_NOISE            EmulatorJudgeNoise: 0 to 1                    0
//
// Splunk Agent Observability (splunk-ao), the rebranded Galileo SDK, names
// the same settings SPLUNK_AO_*; they are read as aliases:
//
//	alias                  same as
//	SPLUNK_AO_API_KEY      GALILEO_API_KEY
//	SPLUNK_AO_JWT_TOKEN    GALILEO_JWT_TOKEN
//	SPLUNK_AO_CONSOLE_URL  GALILEO_CONSOLE_URL
//	SPLUNK_AO_API_URL      GALILEO_API_URL
//	SPLUNK_AO_PROJECT      GALILEO_PROJECT
//	SPLUNK_AO_PROJECT_ID   GALILEO_PROJECT_ID
//
// When both are set, the GALILEO_ variable wins, as in the splunk-ao Python
// SDK (it copies SPLUNK_AO_X to GALILEO_X only when GALILEO_X is unset). The
// choice is made per setting, so SPLUNK_AO_API_KEY with GALILEO_PROJECT is
// fine. A blank variable counts as unset, so a blank GALILEO_ variable does
// not hide its alias. Only the variable that is used is validated, and an
// error names it (SPLUNK_AO_CONSOLE_URL: ...). There is no alias of
// GALILEO_EXTRA_HEADERS (splunk-ao has none), and splunk-ao's Observability
// Cloud variables (SPLUNK_AO_REALM, SPLUNK_AO_O11Y_TOKEN) are not supported.
//
// A key from SPLUNK_AO_API_KEY is sent as is in the Splunk-AO-API-Key header
// of every request ([Config.APIKeyHeader]), the API-key header the API
// document declares, with no login; a key from GALILEO_API_KEY is exchanged
// for a JWT at POST /login/api_key, as the official SDKs do. Credentials
// are used in this order: GALILEO_JWT_TOKEN, SPLUNK_AO_JWT_TOKEN (sent as a
// bearer token), GALILEO_API_KEY (login), SPLUNK_AO_API_KEY
// (Splunk-AO-API-Key header).
//
// Booleans accept 1/0, t/f, true/false, y/n, yes/no and on/off in any case.
// CI counts as set when it is non-empty and not "false" or "0".
// GALILEOTEST_SHARD is i/n with 1 <= i <= n, such as 2/4: this job runs
// the second of four disjoint parts of the experiments (see [Shard] and
// package galileotest).
// URLs without a scheme get "https://" prepended; they must be http or https
// URLs with a host and without user credentials, query or fragment.
//
// # API URL and console URL
//
// An explicit API URL (GALILEO_API_URL, SPLUNK_AO_API_URL, api_url, or an
// override) wins. Otherwise it is derived from the console URL as the
// official SDKs do (see [DeriveAPIURL]): localhost or 127.0.0.1 gives
// http://localhost:8088, app.galileo.ai gives https://api.galileo.ai, and
// any other URL has "console" replaced by "api"
// (https://console.acme.galileo.ai gives https://api.acme.galileo.ai).
//
// Likewise an explicit console URL (GALILEO_CONSOLE_URL,
// SPLUNK_AO_CONSOLE_URL, console_url, or an override) wins, and with only
// an API URL configured the console URL is derived from it by the inverse
// rules (see [DeriveConsoleURL]): a localhost or loopback API URL gives the
// same URL (the emulator serves its console pages there),
// https://api.galileo.ai gives https://app.galileo.ai/, and a host starting
// with the label "api" gets "console" instead
// (https://api.acme.galileo.ai gives https://console.acme.galileo.ai). When
// none of these applies the console URL is empty and there are no console
// links, rather than links to the wrong place.
//
// With neither URL configured they are https://app.galileo.ai/ and
// https://api.galileo.ai/.
//
// # YAML file
//
// The file holds one mapping with these keys, all optional:
//
//	console_url: https://console.acme.galileo.ai
//	api_url: https://api.acme.galileo.ai
//	project: support-bot
//	project_id: 2b9c1c1e-0f4a-4d8e-9a53-6a1f3b0c7d21
//	extra_headers:
//	  X-Team: qa
//	backend: auto
//	keep: false
//	parallel: 32
//	report: galileo-report.json
//	api_key: ...
//
// report is used as written: a relative path is relative to the working
// directory, not to the file. Decoding is strict: an unknown or duplicate key, or a value of the wrong
// type, is an error of the form "FILE:LINE: KEY: what was expected".
// api_key is accepted, but prefer GALILEO_API_KEY (or SPLUNK_AO_API_KEY) in
// the environment (or your CI's secret store) so that keys are not committed; a JWT can only
// come from the environment or an override.
//
// # Backends
//
// [Config.ResolveBackend] turns the requested backend into remote or
// emulator. auto means remote when an API key or JWT is configured, and the
// emulator otherwise; but in CI, auto without credentials is an error that
// names GALILEO_API_KEY, SPLUNK_AO_API_KEY and GALILEOTEST_BACKEND=emulator,
// so that a quality gate never passes against the emulator by accident.
//
// # Secrets
//
// The API key, the JWT and the values of extra headers whose names look like
// credentials (see [IsSensitiveHeader]) never appear in the output of
// String, GoString, any fmt verb, json.Marshal, slog, or an error of this
// package; they are shown as "set (redacted)". Use the fields directly to
// pass them to a client.
package config
