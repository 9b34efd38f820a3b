// Package galileo is a client for the Galileo v2 REST API, the LLM
// evaluation platform: projects, datasets, prompt templates, scorers,
// experiments, traces and records.
//
// # Quick start
//
// Create one [Client] and share it; it is safe for concurrent use. Every
// method takes a context first, which bounds the whole call, retries
// included.
//
//	c, err := galileo.NewClient(
//		galileo.WithBaseURL(os.Getenv("GALILEO_API_URL")), // omit for https://api.galileo.ai
//		galileo.WithAPIKey(os.Getenv("GALILEO_API_KEY")),
//	)
//	if err != nil {
//		return err
//	}
//	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
//	defer cancel()
//
//	project, err := c.Projects.GetByName(ctx, "acme-support")
//	if err != nil {
//		return err
//	}
//	exp, err := c.Experiments.Open(ctx, project.ID, "support-bot")
//	if err != nil {
//		return err // errors.Is(err, galileo.ErrNotFound) when there is none
//	}
//	// Wait until the metric is scored for every row: an aggregate read
//	// while scoring goes on may count only some of the rows.
//	st, err := exp.WaitForMetrics(ctx, nil, galileo.MetricCorrectness)
//	if err != nil {
//		return err
//	}
//	agg := st.Metrics[0].Aggregates
//	fmt.Printf("correctness: avg %.2f over %d rows\n", *agg.Avg, agg.Rows())
//
// The config package resolves GALILEO_API_KEY, GALILEO_CONSOLE_URL,
// GALILEO_API_URL and the other settings the official SDKs read; this package
// reads no environment variable itself, except the default project when
// asked: [WithEnvProject] loads GALILEO_PROJECT_ID / GALILEO_PROJECT through
// config, for calls that name no project ([ExperimentsService.OpenIn],
// [ExperimentsService.OpenAllIn], [Experiment.Create]), as the Python SDK
// falls back on them.
//
// # Authentication
//
// Three kinds of credentials are supported, in this order of precedence:
//
//   - [WithJWT]: a pre-issued token (GALILEO_JWT_TOKEN), sent as
//     "Authorization: Bearer <jwt>" as is, without any login;
//   - [WithAPIKey] with [WithAPIKeyHeader] or [WithAPIKeyHeaderName]: the
//     raw key in the Galileo-API-Key or Splunk-AO-API-Key header of every
//     request (config sends a SPLUNK_AO_API_KEY key this way);
//   - [WithAPIKey] alone (GALILEO_API_KEY), as the official SDKs do it: the
//     key is exchanged for a JWT at POST /login/api_key on first use. The
//     token's exp claim is read without verifying the signature, and the
//     client logs in again when less than five minutes are left (a token
//     without a readable exp is renewed on every call). Concurrent callers
//     share a single login. A 401 answer to a call made with such a token
//     triggers one new login and one repeat of the call.
//
// Without credentials, unauthenticated calls such as [Client.Healthcheck]
// work; any other call fails with an error matching [ErrNoCredentials]
// before anything is sent. [Client.CurrentUser] is the cheapest check that
// the credentials work.
//
// Every request carries "X-Galileo-SDK: galileo-go/<Version>" and a
// User-Agent; [WithHeader] adds headers such as GALILEO_EXTRA_HEADERS,
// whose values are treated as secrets (see Secrets).
//
// # Retries
//
// Connection failures and the answers 408, 429 and 5xx other than 501 are
// retried with exponential backoff and jitter: by default 4 attempts in all,
// starting around 500ms and never more than about 10s apart (see
// [WithRetry]; WithRetry(1, 0, 0) disables retries). A Retry-After header,
// in seconds or as an HTTP date, is always waited out in full unless the
// context ends first. Other 4xx answers are never retried.
//
// Each attempt has its own timeout, [DefaultAttemptTimeout] (30s) unless
// [WithAttemptTimeout] says otherwise (0 disables it): an attempt that has
// not received the answer's headers, and its whole body for an answer the
// client reads itself, within that time is abandoned and counts as a
// failed connection, so one stalled request (a poll, a trace batch, the
// login) costs one attempt, not the whole call. The timer starts again
// once the request body has been sent, so large uploads are not counted
// against it, and it stops when the headers of a streamed export arrive:
// only the context bounds reading an export. The context always bounds
// everything: a deadline shorter than the attempt timeout ends the call,
// without a retry. An abandoned attempt matches [ErrAttemptTimeout]; one
// abandoned while the connection was still being opened sent nothing and
// is retried like a refused connection.
//
// A request that creates something is not repeated blindly after a failure
// that may have reached the server (a connection cut after the request was
// sent, an attempt timeout, a 5xx, a 408): where this package can look the
// resource up, it does so first and returns what it finds; otherwise it
// returns the error rather than risk a duplicate; that error matches
// [ErrOutcomeUnknown], as does the error of a create that the context
// interrupted after it was sent. [ExperimentsService.AddTag] also remembers
// such an outcome and looks the tag up first when the call is repeated. Pass
// [WithoutNameLookup] to [ExperimentsService.Create] when the experiment's
// name may also be created by someone else, so that the look-up cannot
// return their experiment. A 429, or a connection that could not even be
// opened, is retried for every request.
//
// When retries run out the error reads
// "galileo: GET /projects: giving up after 4 attempts: <last failure>"; when
// the context ends it wraps the context's error and still names the last
// failure. Both wrap the last failure, so errors.As finds the [*APIError].
//
// # Redirects
//
// Redirects are followed only within the origin (scheme, host and port) of
// the API URL. A redirect to another origin is refused, whatever its
// status, and the call fails at once with an error matching
// [ErrCrossOriginRedirect] that names the target: following it would hand
// that host the credentials (the login's body carries the API key, which
// a 307 or 308 re-sends) and the extra headers. Point the API URL at the
// address that answers instead.
//
// # Experiments
//
// [ExperimentsService.New] and [Experiment.Create] create an experiment as
// the Python SDK's create() does: by default (RunMode RunAtCreate) the
// request carries trigger: true and the scorers, and the server starts the
// run. With a prompt template it runs the prompt over every dataset row;
// without one it scores the dataset's generated_output column (a dataset
// without that column is refused with API error code 3512, as Galileo
// does); without a dataset nothing runs. [Experiment.Run] then only returns
// the result. RunByClient is the function flow: no trigger, the metrics
// are registered with the run's scorer settings
// ([ScorersService.SetRunSettings]) and the caller logs the traces.
// RunDeferred creates a prompt experiment without trigger, and Run later
// starts it through the legacy jobs route (POST /jobs, [JobsService]),
// which the Python SDK no longer calls; it is the only use of that route.
//
// # Get or create
//
// [ProjectsService.Ensure], [DatasetsService.Ensure] and
// [PromptsService.Ensure] look a resource up by name and create it when
// there is none. Several processes may call them at once: the one that
// loses the race to create (the server answers 409) looks the name up again
// and returns what the winner created. [PromptsService.ResolveVersion] turns
// a stored template's name and optional version number into the version an
// experiment runs.
//
// # Errors
//
// A non-2xx answer is an [*APIError] with the status, the API's message
// (its detail, the joined entries of a 422 validation error, or
// standard_error.message), the parsed validation [APIError.Details], the
// error code, the X-Request-Id, and the method and URL of the request. Its
// text is one line:
//
//	galileo: POST /projects/{id}/experiments: 422 Unprocessable Entity: body.name: field required (request id abc)
//
// Match a status with errors.Is and [ErrNotFound], [ErrUnauthorized] (401
// and 403), [ErrForbidden] (403), [ErrConflict] or [ErrRateLimited]:
//
//	var apiErr *galileo.APIError
//	switch {
//	case errors.Is(err, galileo.ErrNotFound):
//		// create it
//	case errors.As(err, &apiErr) && apiErr.Status == http.StatusUnprocessableEntity:
//		for _, d := range apiErr.Details {
//			log.Print(galileo.FormatValidationError(d))
//		}
//	}
//
// Error bodies are read up to 64 KiB. An answer that is not the JSON that
// was expected (an HTML page from a proxy, plain text, truncated JSON, or
// JSON of another shape) is one error that says what was expected and what
// arrived, e.g. "decoding ExperimentResponse: json: cannot unmarshal array
// ..." or "expected JSON, got text/html: 502 Bad Gateway".
//
// # Secrets
//
// The API key, every JWT the client knows and the values of the extra
// headers ([WithHeader], GALILEO_EXTRA_HEADERS; all but a few harmless
// ones such as User-Agent and Accept) are kept out of errors and logs:
// they are replaced by [REDACTED] where an answer echoes them. Anything
// shaped like a JWT is replaced too, known or not, and so is the start of a
// secret left at the end of a text that a length limit cut. Texts are
// scrubbed before they are cut. URLs in errors lose their userinfo and the
// values of query parameters such as api_key or token; a configured URL
// that is rejected (it may not carry a query, a fragment or credentials)
// is shown with every query value and fragment redacted. fmt, String,
// GoString and LogValue of a Client show only the API URL and the kind of
// credentials. No credential is sent to another origin (see Redirects).
// [WithLogger] receives logins and retries at debug level; the default
// logger discards everything.
package galileo
