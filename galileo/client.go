package galileo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/galileo-community/galileo-go/config"
)

// Version is the version of this package, sent in the X-Galileo-SDK and
// User-Agent headers.
const Version = "0.1.0"

// Defaults used when no option says otherwise.
const (
	// DefaultBaseURL is the API URL of Galileo's hosted service.
	DefaultBaseURL = "https://api.galileo.ai"
	// DefaultConsoleURL is the console URL of Galileo's hosted service.
	DefaultConsoleURL = "https://app.galileo.ai"
	// DefaultAttemptTimeout bounds each attempt of a call unless
	// WithAttemptTimeout says otherwise. Galileo answers its slowest calls
	// (logins, record searches, metric aggregates, trace batches) within
	// seconds, so 30s is far beyond a healthy answer, while a stalled
	// attempt still leaves room for the retries within the few minutes a
	// test usually gives a call. The timer restarts once the request body
	// is sent, so slow uploads are not counted against it, and it never
	// cuts a streamed export.
	DefaultAttemptTimeout = 30 * time.Second
)

// Header names the client sends.
const (
	// HeaderSDK identifies the client to the API: "galileo-go/<Version>".
	HeaderSDK = "X-Galileo-SDK"
	// HeaderAPIKey carries the raw API key when WithAPIKeyHeader is used.
	HeaderAPIKey = "Galileo-API-Key"
	// HeaderSplunkAPIKey carries the raw API key when
	// WithAPIKeyHeaderName(HeaderSplunkAPIKey) is used: the name the API
	// document gives its API-key scheme (Splunk Agent Observability).
	HeaderSplunkAPIKey = config.HeaderSplunkAPIKey
)

// Client talks to the Galileo v2 REST API. It is safe for concurrent use.
// Create one with NewClient and share it.
//
// A Client never shows its credentials: fmt verbs, String, GoString and
// LogValue print the API URL and the kind of credentials only.
type Client struct {
	baseURL    *url.URL
	consoleURL string
	// projectID and projectName are the default project (WithDefaultProject).
	projectID, projectName string
	hc                     *http.Client
	apiKey                 string // secret
	apiKeyHeader           string // header the raw key is sent in; "" to log in
	jwt                    string // secret, pre-issued
	header                 http.Header
	now                    func() time.Time
	log                    *slog.Logger
	retry                  retryPolicy
	// attemptTimeout bounds each attempt; 0 for none.
	attemptTimeout time.Duration
	userAgent      string
	auth           *tokenState
	// unsureTags holds the unsureTag keys of AddTag calls that ended with
	// their outcome unknown.
	unsureTags *sync.Map
	// sleep waits between attempts; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error

	// Services, one per API area.
	Projects    *ProjectsService
	Datasets    *DatasetsService
	Prompts     *PromptsService
	Scorers     *ScorersService
	Experiments *ExperimentsService
	Traces      *TracesService
	Records     *RecordsService
	Jobs        *JobsService
}

// NewClient returns a client configured by opts. Without WithBaseURL it
// talks to DefaultBaseURL. Credentials are optional: without them only
// unauthenticated calls such as Healthcheck work, and every other call fails
// with an error wrapping ErrNoCredentials before anything is sent.
func NewClient(opts ...Option) (*Client, error) {
	c := &Client{
		hc:             &http.Client{},
		header:         http.Header{},
		now:            time.Now,
		log:            slog.New(slog.DiscardHandler),
		retry:          defaultRetry,
		attemptTimeout: DefaultAttemptTimeout,
		consoleURL:     DefaultConsoleURL,
		auth:           &tokenState{},
		unsureTags:     &sync.Map{},
		sleep:          sleepContext,
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if c.baseURL == nil {
		u, err := parseHTTPURL("API URL", DefaultBaseURL)
		if err != nil {
			return nil, err
		}
		c.baseURL = u
	}
	if c.apiKeyHeader != "" && c.apiKey == "" && c.jwt == "" {
		return nil, errors.New("galileo: WithAPIKeyHeader needs an API key: add WithAPIKey (GALILEO_API_KEY)")
	}
	c.hc = sameOriginRedirects(c.hc)
	c.userAgent = fmt.Sprintf("galileo-go/%s (%s; %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	c.Projects = &ProjectsService{c: c}
	c.Datasets = &DatasetsService{c: c}
	c.Prompts = &PromptsService{c: c}
	c.Scorers = &ScorersService{c: c}
	c.Experiments = &ExperimentsService{c: c}
	c.Traces = &TracesService{c: c}
	c.Records = &RecordsService{c: c}
	c.Jobs = &JobsService{c: c}
	return c, nil
}

// BaseURL returns the API URL the client talks to, without a trailing slash.
func (c *Client) BaseURL() string { return c.baseURL.String() }

// ConsoleURL returns the console URL used in links, without a trailing slash.
func (c *Client) ConsoleURL() string { return c.consoleURL }

// authMode names the kind of credentials, for String and logs.
func (c Client) authMode() string {
	switch {
	case c.jwt != "":
		return "jwt"
	case c.apiKey != "" && c.apiKeyHeader != "":
		return "api-key-header"
	case c.apiKey != "":
		return "api-key-login"
	}
	return "none"
}

func (c Client) describe() string {
	base := "<nil>"
	if c.baseURL != nil {
		base = config.RedactedURL(c.baseURL, nil)
	}
	return fmt.Sprintf("galileo.Client{BaseURL: %q, Auth: %q}", base, c.authMode())
}

// String describes the client without its credentials.
func (c Client) String() string { return c.describe() }

// GoString describes the client without its credentials.
func (c Client) GoString() string { return c.describe() }

// Format implements fmt.Formatter so that every verb, %+v and %#v included,
// prints the redacted description.
func (c Client) Format(f fmt.State, verb rune) {
	_, _ = io.WriteString(f, c.describe())
}

// LogValue implements slog.LogValuer without the credentials.
func (c Client) LogValue() slog.Value {
	base := ""
	if c.baseURL != nil {
		base = config.RedactedURL(c.baseURL, nil)
	}
	return slog.GroupValue(slog.String("base_url", base), slog.String("auth", c.authMode()))
}

// request describes one API call. Services build it; call and stream send it.
type request struct {
	method string
	path   string     // escaped path below the base URL, e.g. "/projects/" + url.PathEscape(id)
	query  url.Values // nil for none
	body   any        // JSON-encoded when non-nil, unless raw is set
	raw    []byte     // a pre-encoded body (multipart, form); contentType must be set
	// contentType of raw.
	contentType string
	header      http.Header // extra headers for this call only (e.g. If-Match)
	noAuth      bool        // healthcheck and login
	// idempotent marks a call that may be repeated after an ambiguous failure
	// (GET, PUT, DELETE, searches). Creates leave it false.
	idempotent bool
	// onAmbiguous, for a non-idempotent create, is called after a failure that
	// may or may not have reached the server (connection reset, 5xx, timeout)
	// and before a retry. It looks the resource up; found=true stops the
	// retries and makes the call succeed (it must fill the caller's result).
	onAmbiguous func(ctx context.Context) (found bool, err error)
}

// foundBy returns an onAmbiguous hook that looks the resource up with get.
// ErrNotFound means that it was not created; anything else get returns is
// copied to out, unless match (when non-nil) rejects it.
func foundBy[T any](out *T, get func(context.Context) (*T, error), match func(*T) bool) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		v, err := get(ctx)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if match != nil && !match(v) {
			return false, nil
		}
		*out = *v
		return true, nil
	}
}

// ensure is get-or-create: it returns what get finds, else what create
// makes. When create fails with ErrConflict (someone created it since the
// lookup), it looks again. check, when not nil, vets what get finds.
func ensure[T any](ctx context.Context, get, create func(context.Context) (*T, error), check func(*T) error) (*T, error) {
	found := func(v *T) (*T, error) {
		if check != nil {
			if err := check(v); err != nil {
				return nil, err
			}
		}
		return v, nil
	}
	v, err := get(ctx)
	if err == nil {
		return found(v)
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	v, err = create(ctx)
	if !errors.Is(err, ErrConflict) {
		return v, err
	}
	v, again := get(ctx)
	switch {
	case errors.Is(again, ErrNotFound):
		return nil, fmt.Errorf("%w (created elsewhere meanwhile, yet looking it up again found nothing: %v)", err, again)
	case again != nil:
		return nil, again
	}
	return found(v)
}

// response is what call returns besides the decoded body.
type response struct {
	status int
	header http.Header
}

// call sends r and decodes a JSON answer into out (when out is non-nil and
// the answer has a body). A non-2xx answer is an *APIError. When
// r.onAmbiguous reports that an ambiguous create did happen, call returns
// status 200 with an empty header and leaves out to the hook.
func (c *Client) call(ctx context.Context, r *request, out any) (*response, error) {
	p, err := c.prepare(r)
	if err != nil {
		return nil, err
	}
	res, err := c.send(ctx, p, false)
	if err != nil {
		return nil, err
	}
	if res.found {
		return &response{status: http.StatusOK, header: http.Header{}}, nil
	}
	if out != nil && res.resp.StatusCode != http.StatusNoContent {
		if err := c.decodeJSON(p, res.resp.Header, res.body, out); err != nil {
			return nil, err
		}
	}
	return &response{status: res.resp.StatusCode, header: res.resp.Header}, nil
}

// stream sends r and returns the open response of a 2xx answer; the caller
// closes its body. A non-2xx answer is an *APIError. r must not have an
// onAmbiguous hook: a look-up has no answer to stream.
func (c *Client) stream(ctx context.Context, r *request) (*http.Response, error) {
	if r.onAmbiguous != nil {
		return nil, fmt.Errorf("galileo: %s %s: a streamed request cannot look its result up", r.method, r.path)
	}
	p, err := c.prepare(r)
	if err != nil {
		return nil, err
	}
	res, err := c.send(ctx, p, true)
	if err != nil {
		return nil, err
	}
	return res.resp, nil
}

// prepared is a request ready to be sent any number of times.
type prepared struct {
	r     *request
	url   *url.URL
	shown string // the URL for errors: redacted
	body  []byte // nil for none
	ctype string
	// secrets are values of the request to keep out of errors and logs.
	secrets []string
}

// label is "METHOD /path" for messages.
func (p *prepared) label() string { return p.r.method + " " + p.r.path }

// prepare resolves the URL and encodes the body once.
func (c *Client) prepare(r *request) (*prepared, error) {
	if r.method == "" {
		r.method = http.MethodGet
	}
	if !strings.HasPrefix(r.path, "/") {
		r.path = "/" + r.path
	}
	u := *c.baseURL
	raw := c.baseURL.EscapedPath() + r.path
	unescaped, err := url.PathUnescape(raw)
	if err != nil {
		return nil, fmt.Errorf("galileo: %s %s: invalid path: %w", r.method, r.path, err)
	}
	u.Path, u.RawPath = unescaped, raw
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	p := &prepared{r: r, url: &u, secrets: requestSecrets(r.query, c.header, r.header)}
	p.shown = c.scrub(redactURL(&u), p.secrets...)
	switch {
	case r.raw != nil:
		if r.contentType == "" {
			return nil, fmt.Errorf("galileo: %s: a raw body needs a content type", p.label())
		}
		p.body, p.ctype = r.raw, r.contentType
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("galileo: %s: encoding the request body: %w", p.label(), err)
		}
		p.body, p.ctype = b, "application/json"
	}
	return p, nil
}

// newHTTPRequest builds one attempt's request, with a fresh body reader.
func (c *Client) newHTTPRequest(ctx context.Context, p *prepared, cred credential) (*http.Request, error) {
	var body io.Reader
	if p.body != nil {
		body = bytes.NewReader(p.body)
	}
	req, err := http.NewRequestWithContext(ctx, p.r.method, p.url.String(), body)
	if err != nil {
		return nil, fmt.Errorf("galileo: %s: building the request: %w", p.label(), err)
	}
	for k, v := range c.header {
		req.Header[k] = append([]string(nil), v...)
	}
	for k, v := range p.r.header {
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), v...)
	}
	if p.ctype != "" {
		req.Header.Set("Content-Type", p.ctype)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	req.Header.Set(HeaderSDK, "galileo-go/"+Version)
	if cred.name != "" {
		req.Header.Set(cred.name, cred.value)
	}
	return req, nil
}

// decodeJSON decodes a 2xx body into out, with an error that names what was
// expected and what arrived.
func (c *Client) decodeJSON(p *prepared, h http.Header, body []byte, out any) error {
	what := typeName(out)
	if notJSON := describeNonJSON(h.Get("Content-Type"), body); notJSON != "" {
		// Describe the scrubbed body: the description cuts it, and a cut
		// secret no longer matches the whole one.
		if scrubbed := describeNonJSON(h.Get("Content-Type"), []byte(c.scrub(string(body), p.secrets...))); scrubbed != "" {
			notJSON = scrubbed
		}
		return fmt.Errorf("galileo: %s: decoding %s: %s", p.label(), what, c.scrub(notJSON, p.secrets...))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("galileo: %s: decoding %s: empty body; expected JSON", p.label(), what)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("galileo: %s: decoding %s: %w", p.label(), what, err)
	}
	return nil
}

// describeNonJSON returns "" for a body that may be JSON, and otherwise a
// short description: "expected JSON, got text/html: <title>".
func describeNonJSON(contentType string, body []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(body)
	isHTML := mt == "text/html" || mt == "application/xhtml+xml" ||
		(mt == "" && len(trimmed) > 0 && trimmed[0] == '<')
	switch {
	case isHTML:
		if mt == "" {
			mt = "text/html"
		}
		return "expected JSON, got " + mt + ": " + htmlSummary(body)
	case mt == "" || strings.Contains(mt, "json"):
		return ""
	case len(trimmed) == 0:
		return ""
	case json.Valid(trimmed):
		return ""
	}
	return "expected JSON, got " + mt + ": " + snippet(string(trimmed), 80)
}

// typeName renders out's type for messages: *[]galileo.Project → []Project.
func typeName(out any) string {
	t := reflect.TypeOf(out)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "the answer"
	}
	return strings.NewReplacer("galileo.", "", "interface {}", "any").Replace(t.String())
}
