package galileo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/config"
)

// Sentinel errors matched with errors.Is against an *APIError (by HTTP
// status) or against the errors of the client itself.
var (
	// ErrNotFound matches a 404 answer.
	ErrNotFound = errors.New("galileo: not found")
	// ErrUnauthorized matches 401 and 403 answers: the credentials were
	// missing, invalid, expired or not allowed to do this.
	ErrUnauthorized = errors.New("galileo: unauthorized")
	// ErrForbidden matches a 403 answer only.
	ErrForbidden = errors.New("galileo: forbidden")
	// ErrConflict matches a 409 answer.
	ErrConflict = errors.New("galileo: conflict")
	// ErrRateLimited matches a 429 answer.
	ErrRateLimited = errors.New("galileo: rate limited")
	// ErrNoCredentials is wrapped by the error of an authenticated call made
	// by a client that has neither an API key nor a JWT. Nothing is sent.
	ErrNoCredentials = errors.New("galileo: no credentials")
	// ErrOutcomeUnknown matches the error of a create that failed after the
	// request may have reached the server (the connection broke after it
	// was sent, a 5xx, a 408) and that was not repeated, because repeating
	// it could create a duplicate: the resource may or may not exist.
	ErrOutcomeUnknown = errors.New("galileo: outcome unknown")
	// ErrAttemptTimeout matches the failure of an attempt that got no answer
	// within the attempt timeout (WithAttemptTimeout). It is usually found
	// wrapped in the error of a call that gave up after several attempts.
	ErrAttemptTimeout = errors.New("galileo: attempt timed out")
	// ErrCrossOriginRedirect matches the error of a call that the API URL
	// answered with a redirect to another scheme, host or port. The client
	// does not follow it, so that no credential reaches that origin; point
	// the API URL (GALILEO_API_URL) at the address that answers instead.
	ErrCrossOriginRedirect = errors.New("galileo: redirect to another origin refused")
)

// attemptTimeoutError is the cause of an attempt abandoned by the attempt
// timeout.
type attemptTimeoutError struct{ d time.Duration }

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("no answer within the attempt timeout of %v", e.d)
}

// Is matches ErrAttemptTimeout (not context.DeadlineExceeded, which stays
// the mark of the caller's own deadline).
func (e *attemptTimeoutError) Is(target error) bool { return target == ErrAttemptTimeout }

// Timeout reports true, as net.Error does for timeouts.
func (e *attemptTimeoutError) Timeout() bool { return true }

// redirectError is a redirect the client refused to follow.
type redirectError struct {
	status  int
	to      string // redacted
	tooMany bool
}

func (e *redirectError) Error() string {
	what := "redirect"
	if e.status != 0 {
		what = strconv.Itoa(e.status) + " redirect"
	}
	if e.tooMany {
		return fmt.Sprintf("stopped after %d redirects (the last %s to %s)", maxRedirects, what, e.to)
	}
	return fmt.Sprintf("%s to another origin (%s) not followed, so that no credential is sent there; "+
		"set the API URL (GALILEO_API_URL) to the address that answers", what, e.to)
}

// Is matches ErrCrossOriginRedirect for a redirect to another origin.
func (e *redirectError) Is(target error) bool { return !e.tooMany && target == ErrCrossOriginRedirect }

// noCredentialsError is the error of an authenticated call without
// credentials.
type noCredentialsError struct{ label string }

func (e *noCredentialsError) Error() string {
	return "galileo: " + e.label + ": no credentials: set GALILEO_API_KEY (WithAPIKey) or GALILEO_JWT_TOKEN (WithJWT)"
}

func (e *noCredentialsError) Unwrap() error { return ErrNoCredentials }

// maxErrorBody is how much of an error answer is read.
const maxErrorBody = 64 << 10

// APIError is a non-2xx answer of the API. Its text is one line:
//
//	galileo: POST /projects/{id}/experiments: 422 Unprocessable Entity: body.name: field required (request id abc)
//
// Match it with errors.As, or its status with errors.Is and ErrNotFound,
// ErrUnauthorized, ErrForbidden, ErrConflict or ErrRateLimited. Known secrets
// (the API key, JWTs) are replaced by [REDACTED] in every field.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Message is what the API said: its detail string, the joined messages
	// of a validation error, or standard_error.message; for an answer that
	// is not JSON, a description such as "expected JSON, got text/html:
	// 502 Bad Gateway".
	Message string
	// Details are the entries of a 422 validation error.
	Details []ValidationError
	// Code is standard_error.error_code, or 0.
	Code int
	// RequestID is the X-Request-Id header of the answer, if any.
	RequestID string
	// RetryAfter is the wait the Retry-After header asked for, or 0.
	RetryAfter time.Duration
	// Method is the HTTP method of the request.
	Method string
	// URL is the request URL with credentials and secret query values removed.
	URL string
	// Body is the start of the answer's body (at most 64 KiB).
	Body string

	// label is the request's path below the API URL, for Error.
	label string
}

// Error returns the one-line description.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("galileo:")
	if e.Method != "" {
		b.WriteString(" " + e.Method)
	}
	if p := e.path(); p != "" {
		b.WriteString(" " + p)
	}
	if b.Len() > len("galileo:") {
		b.WriteString(":")
	}
	b.WriteString(" " + e.short())
	return b.String()
}

// path is the request path for messages.
func (e *APIError) path() string {
	if e.label != "" {
		return e.label
	}
	if u, err := url.Parse(e.URL); err == nil && e.URL != "" {
		p := u.EscapedPath()
		if p == "" {
			p = "/"
		}
		return p
	}
	return e.URL
}

// short is the description without the "galileo: METHOD /path: " prefix.
func (e *APIError) short() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(e.Status))
	if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" " + t)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, " (error code %d)", e.Code)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// Is matches the sentinel errors by status.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrConflict:
		return e.Status == http.StatusConflict
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	}
	return false
}

// FormatValidationError renders one validation entry as "a.b.c: msg", or
// "msg" when it has no location.
func FormatValidationError(v ValidationError) string {
	if len(v.Loc) == 0 {
		return v.Msg
	}
	parts := make([]string, len(v.Loc))
	for i, l := range v.Loc {
		switch x := l.(type) {
		case string:
			parts[i] = x
		case float64:
			parts[i] = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			parts[i] = fmt.Sprint(x)
		}
	}
	return strings.Join(parts, ".") + ": " + v.Msg
}

// newAPIError reads (at most maxErrorBody of) a non-2xx answer and closes
// its body.
func (c *Client) newAPIError(p *prepared, resp *http.Response) *APIError {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody+1))
	drainClose(resp.Body)
	truncated := len(raw) > maxErrorBody
	if truncated {
		raw = raw[:maxErrorBody]
	}
	body := c.scrub(string(raw), p.secrets...)
	e := &APIError{
		Status:     resp.StatusCode,
		Method:     p.r.method,
		URL:        p.shown,
		Body:       body,
		label:      p.r.path,
		RequestID:  c.scrub(resp.Header.Get("X-Request-Id"), p.secrets...),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), c.now()),
	}
	e.Message = c.scrub(c.errorMessage(e, resp.Header.Get("Content-Type"), []byte(body), truncated), p.secrets...)
	return e
}

// errorMessage fills Details and Code and returns the message of an error body.
func (c *Client) errorMessage(e *APIError, contentType string, body []byte, truncated bool) string {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return ""
	}
	if s := describeNonJSON(contentType, body); s != "" {
		return s
	}
	var eb ErrorBody
	if err := json.Unmarshal(trimmed, &eb); err != nil {
		if truncated {
			return fmt.Sprintf("error body larger than %d KiB, not decoded: %s", maxErrorBody>>10, snippet(string(trimmed), 80))
		}
		return "expected a JSON error body, got: " + snippet(string(trimmed), 80)
	}
	if eb.StandardError != nil {
		e.Code = eb.StandardError.ErrorCode
	}
	if msg := detailMessage(e, eb.Detail); msg != "" {
		return msg
	}
	if eb.StandardError != nil && eb.StandardError.Message != "" {
		return eb.StandardError.Message
	}
	// Other shapes: {"message": "..."} or {"error": "..."}.
	var other struct {
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	_ = json.Unmarshal(trimmed, &other)
	for _, m := range []json.RawMessage{other.Message, other.Error} {
		var s string
		if json.Unmarshal(m, &s) == nil && s != "" {
			return s
		}
	}
	return ""
}

// detailMessage decodes "detail": a string, a list of validation errors, or
// something else (rendered compactly).
func detailMessage(e *APIError, detail json.RawMessage) string {
	d := bytes.TrimSpace(detail)
	if len(d) == 0 || string(d) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(d, &s) == nil {
		return s
	}
	var list []ValidationError
	if json.Unmarshal(d, &list) == nil {
		e.Details = list
		msgs := make([]string, len(list))
		for i, v := range list {
			msgs[i] = FormatValidationError(v)
		}
		return strings.Join(msgs, "; ")
	}
	var compact bytes.Buffer
	if json.Compact(&compact, d) == nil {
		return snippet(compact.String(), 200)
	}
	return ""
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// transportError is a failure below HTTP: the connection could not be made,
// broke, or the body of an answer could not be read.
type transportError struct {
	Method string
	Path   string
	// What happened, e.g. "connection failed" or "reading the answer".
	Op  string
	Err error
}

func (e *transportError) Error() string {
	return "galileo: " + e.Method + " " + e.Path + ": " + e.short()
}

func (e *transportError) short() string { return e.Op + ": " + e.Err.Error() }

func (e *transportError) Unwrap() error { return e.Err }

// attemptsError ends a call that was tried more than once, was not retried
// because a repeat could duplicate a create, or whose context ended. It
// wraps the last failure (and the context's error).
type attemptsError struct {
	label    string // "METHOD /path"
	reason   string // "giving up after 4 attempts", ...
	last     error
	ctxErr   error
	lookup   error // the failure of onAmbiguous, if that is what ended the call
	attempts int
	// unknown: the last attempt may have been processed (matches
	// ErrOutcomeUnknown).
	unknown bool
}

// Is matches ErrOutcomeUnknown when the call may have been processed.
func (e *attemptsError) Is(target error) bool { return e.unknown && target == ErrOutcomeUnknown }

func (e *attemptsError) Error() string {
	var b strings.Builder
	b.WriteString("galileo: " + e.label + ": ")
	if e.ctxErr != nil {
		b.WriteString(e.ctxErr.Error())
		if e.last != nil {
			fmt.Fprintf(&b, " after %d %s; last error: %s", e.attempts, plural(e.attempts, "attempt"), shortError(e.last))
		}
		if e.unknown {
			b.WriteString(" (the request may have reached the server: it may or may not have been processed)")
		}
		return b.String()
	}
	if e.lookup != nil {
		fmt.Fprintf(&b, "the request may have reached the server (%s), and looking it up failed: %s",
			shortError(e.last), e.lookup.Error())
		return b.String()
	}
	b.WriteString(e.reason)
	if e.last != nil {
		b.WriteString(": " + shortError(e.last))
	}
	return b.String()
}

func (e *attemptsError) Unwrap() []error {
	var errs []error
	if e.ctxErr != nil {
		errs = append(errs, e.ctxErr)
	}
	if e.last != nil {
		errs = append(errs, e.last)
	}
	if e.lookup != nil {
		errs = append(errs, e.lookup)
	}
	return errs
}

// shortError renders err without its "galileo: METHOD /path: " prefix when
// it is one of ours.
func shortError(err error) string {
	var ae *APIError
	var te *transportError
	switch {
	case errors.As(err, &ae) && err == error(ae):
		return ae.short()
	case errors.As(err, &te) && err == error(te):
		return te.short()
	}
	return err.Error()
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// htmlSummary returns the title of an HTML page, or its first 80 characters.
func htmlSummary(body []byte) string {
	s := string(body)
	low := strings.ToLower(s)
	if i := strings.Index(low, "<title"); i >= 0 {
		if j := strings.Index(low[i:], ">"); j >= 0 {
			start := i + j + 1
			if k := strings.Index(low[start:], "</title"); k >= 0 {
				if t := snippet(html.UnescapeString(s[start:start+k]), 80); t != "" {
					return t
				}
			}
		}
	}
	return snippet(s, 80)
}

// snippet collapses whitespace and cuts s to n runes, marking a cut with "…".
func snippet(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// drainClose reads a little of what is left of body, so that the connection
// can be reused, and closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxErrorBody))
	_ = body.Close()
}

// sensitiveQueryKey reports whether a query parameter's value is a secret.
func sensitiveQueryKey(k string) bool {
	k = strings.ToLower(k)
	switch k {
	case "key", "token", "jwt", "auth", "code", "sig", "signature", "password", "secret", "session":
		return true
	}
	for _, w := range []string{"api_key", "apikey", "api-key", "access_token", "refresh_token", "id_token",
		"secret", "password", "credential", "authorization"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// requestSecrets lists the secret values a request carries besides the
// client's credentials: sensitive query values and the values of every
// header that is not known to be harmless.
func requestSecrets(q url.Values, headers ...http.Header) []string {
	var out []string
	for k, vs := range q {
		if sensitiveQueryKey(k) {
			out = append(out, vs...)
		}
	}
	for _, h := range headers {
		for k, vs := range h {
			if config.IsSensitiveHeader(k) {
				out = append(out, vs...)
			}
		}
	}
	return out
}

// redactURL renders a request URL without userinfo and with the values of
// sensitive query parameters replaced by REDACTED.
func redactURL(u *url.URL) string { return config.RedactedURL(u, sensitiveQueryKey) }

// scrub replaces every known secret in s by [REDACTED], in its plain, JSON
// escaped and URL-encoded forms: the client's credentials, and extra (the
// secret values a request carried in its query or headers). It also
// replaces anything shaped like a JWT (known or not), and the start of a
// known secret that ends s, where a length limit may have cut it (see
// redactCutSecret). Scrub a text before cutting it, and again after.
func (c *Client) scrub(s string, extra ...string) string {
	if s == "" {
		return s
	}
	all := c.secrets()
	for _, e := range extra {
		if len(e) >= minScrubbed {
			all = append(all, e)
		}
	}
	slices.SortFunc(all, func(a, b string) int { return len(b) - len(a) })
	for _, secret := range all { // longest first: a secret containing another goes whole
		for _, form := range secretForms(secret) {
			if strings.Contains(s, form) {
				s = strings.ReplaceAll(s, form, "[REDACTED]")
			}
		}
	}
	if strings.Contains(s, "eyJ") {
		s = jwtPattern.ReplaceAllString(s, "[REDACTED]")
	}
	return redactCutSecret(s, all)
}

// jwtPattern matches a JWT, or what is left of one after a cut, once its
// header is complete: base64url JSON ("eyJ"), a dot, and what follows.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_.-]*`)

// minCut is the shortest start of a secret that redactCutSecret replaces.
const minCut = 4

// redactCutSecret replaces the end of s (before a final "…" that marks a
// cut) when it is the start of one of secrets in any of its forms: what is
// left of a secret that a length limit cut in two, which a plain search for
// the whole secret would miss.
func redactCutSecret(s string, secrets []string) string {
	body, cut := strings.CutSuffix(s, "…")
	longest := 0
	for _, secret := range secrets {
		for _, form := range secretForms(secret) {
			for n := len(form) - 1; n >= minCut && n > longest; n-- {
				if strings.HasSuffix(body, form[:n]) {
					longest = n
					break
				}
			}
		}
	}
	if longest == 0 {
		return s
	}
	s = body[:len(body)-longest] + "[REDACTED]"
	if cut {
		s += "…"
	}
	return s
}

// secretForms returns secret as it may appear in a body or a URL.
func secretForms(secret string) []string {
	forms := []string{secret}
	if b, err := json.Marshal(secret); err == nil {
		if j := string(b[1 : len(b)-1]); j != secret {
			forms = append(forms, j)
		}
	}
	if q := url.QueryEscape(secret); q != secret {
		forms = append(forms, q)
	}
	return forms
}

// minScrubbed is the length below which a credential is not searched for in
// text: real API keys and JWTs are far longer, and replacing a short
// placeholder such as "test" everywhere would garble every message.
const minScrubbed = 8

// secrets lists the credentials the client knows.
func (c *Client) secrets() []string {
	candidates := []string{c.apiKey, c.jwt}
	if c.auth != nil {
		c.auth.mu.Lock()
		candidates = append(candidates, c.auth.token, c.auth.previous)
		c.auth.mu.Unlock()
	}
	var out []string
	for _, s := range candidates {
		if len(s) >= minScrubbed {
			out = append(out, s)
		}
	}
	return out
}
