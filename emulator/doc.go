// Package emulator is an in-process emulator of the Galileo v2 REST API: the
// same routes, JSON and errors as Galileo for everything the galileo client
// and the official SDKs use, with deterministic scoring, an injectable clock
// and faults on demand. Every response it sends validates against the
// OpenAPI document embedded in internal/apispec, and the official
// JavaScript SDK (npm package galileo 1.33.1) runs its experiment workflow,
// its logger with sessions, getMetrics, enableMetrics, prompt updates and
// rendering, and dataset versions against it unmodified.
//
// # Quick start
//
//	func TestBot(t *testing.T) {
//		s := emulator.NewTest(t)            // loopback server, closed at the end of the test
//		c, err := s.Client()                // a *galileo.Client wired to it: API key, console links to it
//		if err != nil {
//			t.Fatal(err)
//		}
//		p, _ := c.Projects.Create(ctx, "demo")
//		...
//	}
//
// New(Options) starts a server on a loopback port (or Options.Addr) for
// programs; NewUnstarted does not listen: serve its Handler(), or use its
// Client, which calls the handler in memory (inside a testing/synctest
// bubble, waits then take no real time). Close stops the listener and
// every background goroutine. Options.Seed makes resource ids (uuid4
// strings) reproducible for a fresh server (after a restart on a data
// directory the stream depends on the stored state too, see below);
// nothing is package-global, so servers are independent.
//
// State can also be read and seeded without HTTP: CreateProject,
// CreateDataset, CreatePromptTemplate, RegisterScorer (user Go scorers,
// e.g. scoring.CodeScorer), RegisterModel, Experiment, Experiments, Traces,
// Dump (a JSON-encodable Snapshot), Reset and WaitIdle (block until no
// generation or scoring is pending). The Create methods go through the same
// code as their routes (POST /projects, /datasets, /templates): the same
// validation, the same uniqueness rules and the same errors, wrapped.
//
// # Authentication
//
// As on Galileo: GET /healthcheck is open; POST /login/api_key
// {"api_key": ...} (and the form login POST /login, with the API key as the
// password) answer an HS256 JWT whose exp is 24 hours after the server
// clock's now, plus a refresh_token cookie for POST /refresh_token. Every
// other route needs Authorization: Bearer <jwt> (signature and expiry are
// verified; every issued token stays valid until it expires), or the raw key
// in Galileo-API-Key or Splunk-AO-API-Key. Anything else is 401 with a
// string detail. The accepted key is Options.APIKey, default DefaultAPIKey
// ("emulator-key"). GET /current_user describes the emulator's single user.
//
// # Experiments, prompt runs and models
//
// Creating an experiment validates it as Galileo does (name, task_type 16
// or 17, dataset and version, prompt template version, scorers by id).
// A name another experiment of the project has is accepted by default
// (Options.DuplicateNames, DuplicateNamesAllow): the API document declares
// no 409 for POST /projects/{project_id}/experiments (only 200 and 422),
// and the official Python SDK (rungalileo/galileo-python,
// src/galileo/experiments.py run_experiment and src/galileo/experiment.py
// Experiment.create) looks the name up before creating and renames to
// "<name> <YYYY-MM-DD> at <HH:MM:SS.mmm>" itself; it never handles a
// refusal (its 409 branch is generated for every endpoint), and the change
// that introduced the rename ("experiments name should not be re used",
// #79) replaced a get-or-create. That is indirect evidence: Galileo's own
// rule is not documented. DuplicateNamesReject (galileotest emulator
// --duplicate-names reject) refuses a taken name, on create and on rename,
// with 409 {"detail": "Experiment with name ... already exists ..."}.
// An experiment that has traces is immutable: a second prompt run (trigger
// or POST /jobs playground_run) is a 409.
//
// trigger: true with a prompt template, or a playground_run job, renders the
// template for every dataset row and calls a model. Templates use Galileo's
// {{ variable }} syntax: {{input}} is the row input, a dotted path reaches
// into JSON ({{input.question}}, {{metadata.lang}}), other columns are
// available by name ({{output}}), and a bare key of a JSON input or of the
// metadata works too ({{question}}); unknown variables render empty. The
// model is chosen by prompt_settings.model_alias (case-insensitive):
//
//   - "echo": answers the rendered text of the last message;
//   - "ground-truth": answers the row's output column (a perfect model);
//   - "upper": the last message in upper case;
//   - "error": fails every row (status 500 on the trace and the LLM span);
//   - any name given to Server.RegisterModel (a Go ModelFunc);
//   - a model alias of the Galileo service (e.g. "GPT-4o", the SDKs'
//     default, "GPT-4o mini", "gpt-5.1"; see KnownModel) is answered by
//     DefaultModel (echo), logged once per alias;
//   - any other alias is refused when the run is started, as the service
//     refuses it: 422 with "Model alias '<alias>' not found".
//
// "echo", "ground-truth", "upper" and "error" exist only in the emulator:
// the service refuses them.
//
// Each generated row becomes a trace with one llm span carrying the model,
// the rendered messages and token counts (the model's, else
// scoring.CountTokens); its duration follows a fixed latency model:
// BaseLatency (300ms) + PerTokenLatency (2ms) per output token. trigger:
// true without a template copies the dataset's generated_output column; a
// dataset without it is a 422 carrying standard_error error_code 3512.
// trigger: true with neither a dataset nor a template (what the Python
// SDK's create() sends for an experiment without a dataset) creates the
// experiment with nothing to run.
//
// status.log_generation.progress_percent goes from 0 to 1 as rows are
// generated (prompt runs) or complete traces are ingested (function runs:
// ingested traces / dataset rows; without a dataset 1 once any complete
// trace arrived).
//
// # Scoring pace
//
// Scoring runs in the background, one worker goroutine per experiment with
// work. Each tick it generates at most one prompt-run row and scores at most
// one row, then waits Options.ScoringDelay on the clock (default
// DefaultScoringDelay, 20ms per row, so clients really wait; a negative
// delay processes rows in batches without waiting). Scores fill
// structured_aggregate_metrics (keyed by scorer UUID, plus "cost" and
// "duration_ns", and "num_input_tokens", "num_output_tokens" and
// "num_total_tokens" summed over each trace's LLM spans when at least one
// scored row has token counts; token counts do not affect the ranking),
// only over the rows scored so far, so each count grows to the number of
// rows; the legacy aggregate_metrics (average_<alias>,
// average_cost, average_latency in ms, total_cost, total_responses); per
// record metrics (by alias) and metric_info (pending, then success, error or
// not_applicable) in search and export; and metrics/<uuid> columns (label,
// metric_key_alias) in the experiments available_columns for every scorer
// used by any experiment of the project. Rank, ranking_score and winner are
// recomputed across the project (scoring.Rank) whenever aggregates change.
//
// Two switches emulate other server configurations. The API document says
// structured_aggregate_metrics is "present only when
// use_clickhouse_run_aggregates flag is enabled"; the field is declared
// nullable and not required, and the official SDKs read a missing and a null
// field alike (Python: None), so with Options.DisableStructuredAggregates
// (galileotest emulator --structured-aggregates=false) every experiment
// answer carries "structured_aggregate_metrics": null, while the records
// (metrics, metric_info), the legacy aggregate_metrics and the metrics
// routes are unchanged: clients must count through records search.
// Options.PublishAggregates (--publish-aggregates) PublishAtCompletion
// publishes the aggregates (structured and legacy) only once the run is
// complete, all at once, instead of row by row (PublishIncremental, the
// default).
//
// Scores are deterministic unless Options.JudgeNoise (galileotest emulator
// --judge-noise 0.1) is set: then every judge metric (an LLM or SLM scorer,
// not a formula such as BLEU) gets seeded noise — Gaussian with that
// standard deviation on numeric scores, clamped to 0..1, a flip with that
// probability on boolean ones — drawn from Seed, the trace id and the
// scorer, as scoring.Scorer.Perturb documents. A rerun of the same rows
// then scores differently, as with a real judge.
//
// # Faults
//
// Server.Fault installs a failure on one route, named by method and
// pattern, e.g. "GET /projects/{project_id}/experiments/{experiment_id}"
// ("*" matches every method). The name is the net/http.ServeMux pattern
// the route is registered with (Request.Pattern), without the /v2 prefix:
// a fault on a trace route fires below /v2 too, and a GET fault fires for
// HEAD. A fault is: a status code with an optional body, a
// Retry-After header, added latency (on the server clock, ended when the
// client goes away), a dropped connection, or PendingPolls (the experiment
// GET reports progress 0 and no aggregates for the next N polls). Times
// limits how often it fires; Faults reports how often it did. ClearFaults
// removes them all.
//
// # Control routes
//
// Reserved routes below /_emulator/ drive a standalone server:
//
//	POST   /_emulator/reset    forget every resource (and empty the data directory)
//	GET    /_emulator/dump     the Snapshot of Dump
//	GET    /_emulator/faults   installed faults and their counts
//	POST   /_emulator/faults   {"route": "GET /healthcheck", "fault": {"status": 503, "times": 1,
//	                            "retry_after_seconds": 2, "latency_ms": 100, "drop": false, "pending_polls": 0, "body": {...}}}
//	DELETE /_emulator/faults   remove every fault
//
// Because reset wipes the state (and the data directory) and dump reads
// all of it, a request is served only when
//
//   - it is not from a web page of another origin: an Origin header must
//     name the emulator itself (http or https and the request's Host;
//     "null" is foreign) and Sec-Fetch-Site, when sent, must be
//     same-origin or none, else 403;
//   - a POST or DELETE with a body sends Content-Type application/json
//     (a POST without a body, such as curl -X POST .../reset, needs
//     none), else 415: HTML forms and text/plain fetches cannot reach them;
//   - and it carries the API's credentials (Galileo-API-Key,
//     Splunk-AO-API-Key or Authorization: Bearer <jwt>; wrong ones are 401),
//     or none at all from a loopback address to a loopback Host
//     (127.0.0.1, [::1] or localhost), else 401. Tests and local scripts
//     therefore keep working without a key; a network client needs it, and
//     a DNS-rebinding page (whose Host is its own name) is refused. A
//     request served through Handler() by other means (a recorder, a
//     proxy) counts as loopback only if its RemoteAddr is one.
//
// The command "go run ./cmd/galileotest emulator" serves the emulator on
// 127.0.0.1:8088 (flags --addr, --api-key, --scoring-delay, --data-dir,
// --seed, --duplicate-names, --structured-aggregates, --publish-aggregates)
// for other processes and other languages'
// SDKs; point them at it with GALILEO_API_URL and GALILEO_API_KEY. With
// an --addr that is not loopback it warns on stderr that the API and the
// control routes are reachable from the network.
//
// # Data directory
//
// With Options.DataDir every change is appended as a JSON line to
// wal.jsonl and fsynced before the request is answered, so state survives a
// restart and a crash (kill -9) right after a successful write. On start the
// server loads snapshot.json, replays the log, then writes a fresh snapshot
// and empties the log. A torn last record (a write cut short: a last line
// that does not decode or lacks its newline) is dropped with a warning in
// the log; it was never acknowledged. Any other record that does not decode
// or apply makes New fail with an error naming the file, the line, the byte
// offset and the reason, and leaves the files untouched, because dropping
// it would lose the acknowledged changes after it. After a replay the id
// generator switches to a stream derived from Options.Seed and a digest of
// the stored records, and skips every stored id, so a fixed seed never
// hands out an id of the stored state again. Scores are not
// stored: after a restart every trace is scored again, without delay.
// Registered Go models and scorers are not stored either; register them
// again after a restart.
//
// # Limits
//
// Request bodies are limited to Options.MaxBodyBytes (DefaultMaxBodyBytes,
// 32 MiB); larger ones get 413 {"detail": "Request body too large: ..."}.
// Unknown routes are 404 {"detail": "Not Found"}, a wrong method 405
// {"detail": "Method Not Allowed"} with an Allow header (routing is a
// net/http.ServeMux; trailing slashes are ignored), bad bodies 422 with FastAPI's
// {"detail": [{"loc": [...], "msg": ..., "type": ...}]}, unknown ids 404
// with a string detail. Unknown JSON fields and query parameters are
// ignored; filters and sorts take name or column_id; multipart booleans take
// Python's True/False. Pagination tokens are offsets; next_starting_token is
// null on the last page. Trace ingest is idempotent by id: a trace id that
// is already stored is not stored again. A JSONL dataset whose rows have
// different keys gets the union of the columns; a CSV row with the wrong
// number of fields is a 422 and nothing is stored.
//
// # Where the emulator differs from Galileo
//
//   - Scores are deterministic approximations (see package scoring): judge
//     metrics such as Correctness are formulas over the text, not LLM votes.
//   - Models are Go functions; no provider is called. Token counts and
//     latency come from fixed formulas, costs from scoring.Cost.
//   - One user and no permissions: every resource is created by the same
//     user, the permissions lists are empty, any username logs in with the
//     API key as password; SSO login (/login/social) is not served.
//   - Duplicate project, dataset and prompt template names are refused
//     with 409, duplicate experiment names per Options.DuplicateNames
//     (Galileo's behaviour is not documented).
//   - GET /ingest/healthz is 404, so SDKs use the documented API; the
//     separate ingest service, OTLP export, experiment groups listing,
//     playgrounds, annotations, feedback, /metrics/search/v2 and
//     /metrics/custom_search are not served.
//   - POST /projects/{id}/metrics/search aggregates the metrics the
//     records carry (scorer results, cost, duration_ns, logged metrics):
//     aggregate_metrics holds the mean of each numeric metric, or the count
//     of each value of a text one; each bucket of bucketed_metrics holds
//     "value" and "count" (with group_by, one aggregate per value of the
//     column instead). The API document leaves the bucket fields open, so
//     these names are the emulator's.
//   - Traces of a log stream are not scored: scorer settings on a log
//     stream are stored and read back, but metric values, metric_info and
//     aggregates exist for experiment traces only.
//   - Experiment groups are only names: an experiment reports
//     "<dataset> Experiment Group" or the system "Ungrouped" group.
//   - Sessions exist through their traces (one per trace unless the client
//     sets session_id); POST .../sessions hands out an id only. The model
//     column of a trace or session (available columns, filters, sort) is
//     the model of its first LLM span; Galileo does not document how it
//     derives it.
//   - Export answers carry Content-Type text/csv (csv) or
//     application/jsonl (json and jsonl, one record per line), where the
//     API document declares application/json.
//   - Dataset uploads in feather format are refused; copy_record_data edits
//     copy traces by id only.
//   - Deleting a dataset leaves experiments that used it untouched.
//   - Scorer versions: every scorer has exactly version 1.
package emulator
