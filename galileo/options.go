package galileo

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/config"
)

// Option configures a Client. Options are applied in order by NewClient;
// an invalid value makes NewClient fail with an error naming the option.
type Option func(*Client) error

// WithBaseURL sets the API URL, for example https://api.galileo.ai or an
// emulator's URL. It must be an absolute http or https URL with a host and
// may carry a path prefix; it must not carry credentials, a query or a
// fragment. The default is DefaultBaseURL.
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := parseHTTPURL("API URL", raw)
		if err != nil {
			return err
		}
		c.baseURL = u
		return nil
	}
}

// WithConsoleURL sets the URL of the web console, used in links to
// experiments. The default is DefaultConsoleURL. It is validated like
// WithBaseURL.
func WithConsoleURL(raw string) Option {
	return func(c *Client) error {
		u, err := parseHTTPURL("console URL", raw)
		if err != nil {
			return err
		}
		c.consoleURL = u.String()
		return nil
	}
}

// WithDefaultProject sets the project used when a call names none (no id
// and no name): [ProjectsService.Resolve], and through it
// [Experiment.Create], [ExperimentsService.OpenIn] and
// [ExperimentsService.OpenAllIn]. As in the official SDKs a non-blank id
// wins over the name. Blank values leave the default unset.
func WithDefaultProject(id, name string) Option {
	return func(c *Client) error {
		c.projectID, c.projectName = strings.TrimSpace(id), strings.TrimSpace(name)
		return nil
	}
}

// WithEnvProject is [WithDefaultProject] with the values of the
// environment, the Python SDK's fallback: GALILEO_PROJECT_ID, else
// GALILEO_PROJECT (and their SPLUNK_AO_ aliases), read once by
// [config.Load] with opts when the client is built. An invalid
// configuration makes NewClient fail with config's error.
func WithEnvProject(opts ...config.Option) Option {
	return func(c *Client) error {
		cfg, err := config.Load(opts...)
		if err != nil {
			return fmt.Errorf("galileo: WithEnvProject: %w", err)
		}
		c.projectID, c.projectName = cfg.ProjectID, cfg.Project
		return nil
	}
}

// WithAPIKey sets the API key (GALILEO_API_KEY). By default the client
// exchanges it for a JWT at POST /login/api_key on first use and logs in
// again shortly before that token expires; see WithAPIKeyHeader for the
// alternative. A pre-issued JWT set with WithJWT takes precedence.
func WithAPIKey(key string) Option {
	return func(c *Client) error { c.apiKey = strings.TrimSpace(key); return nil }
}

// WithAPIKeyHeader makes the client send the API key itself in the
// Galileo-API-Key header of every authenticated request instead of logging
// in for a JWT. It needs WithAPIKey.
func WithAPIKeyHeader() Option {
	return WithAPIKeyHeaderName(HeaderAPIKey)
}

// WithAPIKeyHeaderName is WithAPIKeyHeader with the header named:
// HeaderAPIKey or HeaderSplunkAPIKey (any case). Splunk Agent Observability
// deployments document Splunk-AO-API-Key; config.Config.APIKeyHeader names
// it for a key from SPLUNK_AO_API_KEY. It needs WithAPIKey.
func WithAPIKeyHeaderName(name string) Option {
	return func(c *Client) error {
		switch h := http.CanonicalHeaderKey(strings.TrimSpace(name)); h {
		case http.CanonicalHeaderKey(HeaderAPIKey):
			c.apiKeyHeader = HeaderAPIKey
		case http.CanonicalHeaderKey(HeaderSplunkAPIKey):
			c.apiKeyHeader = HeaderSplunkAPIKey
		default:
			return fmt.Errorf("galileo: WithAPIKeyHeaderName: %q is not %s or %s", name, HeaderAPIKey, HeaderSplunkAPIKey)
		}
		return nil
	}
}

// WithJWT sets a pre-issued JWT (GALILEO_JWT_TOKEN). It is sent as is, as
// a bearer token, without any login call and without looking at its expiry.
func WithJWT(token string) Option {
	return func(c *Client) error { c.jwt = strings.TrimSpace(token); return nil }
}

// WithHTTPClient sets the HTTP client used for every request. Its Timeout,
// if any, applies to each attempt and, unlike WithAttemptTimeout, also cuts
// the reading of a streamed export; leave it 0 and use WithAttemptTimeout.
// The context passed to each method bounds the whole call, retries included.
// The client never follows a redirect to another origin: it uses a shallow
// copy of hc whose CheckRedirect refuses such redirects before hc's own
// CheckRedirect, if any, is asked.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("galileo: WithHTTPClient: nil *http.Client")
		}
		c.hc = hc
		return nil
	}
}

// WithHeader adds a header sent with every request, such as the entries of
// GALILEO_EXTRA_HEADERS. The client's own authentication, content and SDK
// headers win over a header of the same name. The value is treated as a
// secret (kept out of errors and logs, never sent to another origin) unless
// the header is known to be harmless, such as User-Agent or Accept. Values
// shorter than 8 characters are not searched for in texts.
func WithHeader(name, value string) Option {
	return func(c *Client) error {
		if name == "" || strings.ContainsAny(name, " \t\r\n:") {
			return fmt.Errorf("galileo: WithHeader: invalid header name %q", name)
		}
		if strings.ContainsAny(value, "\r\n") {
			return fmt.Errorf("galileo: WithHeader: the value of %s contains a line break", name)
		}
		c.header.Add(name, value)
		return nil
	}
}

// WithAttemptTimeout bounds each attempt of a call, the login included: an
// attempt that has not received the answer's headers (and, except for a
// streamed export, its whole body) d after it started is abandoned and
// counts as a failed connection, retried where a repeat is safe (see the
// package documentation, "Retries"). Once the request body has been sent
// the attempt gets d again, so uploading a large dataset does not eat the
// time the server has to answer. Reading a streamed export is never cut by
// it: only the context passed to the method bounds that.
//
// The default is DefaultAttemptTimeout; 0 disables the attempt timeout, so
// that only the context bounds an attempt. A negative d is an error.
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return fmt.Errorf("galileo: WithAttemptTimeout: negative timeout %v; expected 0 (none) or more", d)
		}
		c.attemptTimeout = d
		return nil
	}
}

// WithClock sets the clock used to decide when a login token is about to
// expire and to read Retry-After dates. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now == nil {
			return errors.New("galileo: WithClock: nil clock")
		}
		c.now = now
		return nil
	}
}

// WithLogger sets the logger. The client logs logins and retries at debug
// level, never a secret. The default discards everything; nil restores it.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.log = l
		return nil
	}
}

// WithRetry sets the retry policy: at most maxAttempts attempts per call
// (1 disables retries), waiting between them an exponentially growing,
// randomized delay that starts around initial and never exceeds max by more
// than the randomization (but at least what a Retry-After header asks for).
// A zero initial or max keeps the default (500ms and 10s). The default
// policy is 4 attempts.
func WithRetry(maxAttempts int, initial, max time.Duration) Option {
	return func(c *Client) error {
		if maxAttempts < 1 {
			return fmt.Errorf("galileo: WithRetry: maxAttempts is %d; expected 1 or more (1 disables retries)", maxAttempts)
		}
		if initial < 0 || max < 0 {
			return fmt.Errorf("galileo: WithRetry: negative delay (initial %v, max %v)", initial, max)
		}
		p := retryPolicy{maxAttempts: maxAttempts, initial: defaultRetry.initial, max: defaultRetry.max}
		if initial > 0 {
			p.initial = initial
		}
		if max > 0 {
			p.max = max
		}
		if p.max < p.initial {
			return fmt.Errorf("galileo: WithRetry: max delay %v is shorter than the initial delay %v", p.max, p.initial)
		}
		c.retry = p
		return nil
	}
}

// parseHTTPURL validates an absolute http(s) URL and returns it without a
// trailing slash. what names the setting in errors.
func parseHTTPURL(what, raw string) (*url.URL, error) {
	const expected = "expected an absolute http(s) URL such as https://api.galileo.ai"
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, fmt.Errorf("galileo: %s is empty; %s", what, expected)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("galileo: %s is not a valid URL; %s", what, expected)
	}
	// Any query value, fragment or userinfo may be a credential
	// (?api_key=...): messages show the URL without them.
	shown := s
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		shown = config.RedactedURL(u, nil)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		u.Scheme = strings.ToLower(u.Scheme)
	case "":
		return nil, fmt.Errorf("galileo: %s %q has no scheme; %s", what, shown, expected)
	default:
		if !strings.Contains(s, "://") {
			return nil, fmt.Errorf("galileo: %s %q has no scheme (missing \"https://\"?); %s", what, shown, expected)
		}
		return nil, fmt.Errorf("galileo: %s %q has scheme %q; %s", what, shown, u.Scheme, expected)
	}
	switch {
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("galileo: %s %q has no host; %s", what, shown, expected)
	case u.User != nil:
		return nil, fmt.Errorf("galileo: %s %q contains credentials; pass them with WithAPIKey or WithJWT instead", what, shown)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("galileo: %s %q has a query or fragment; %s", what, shown, expected)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}
