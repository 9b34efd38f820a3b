package galileo

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/galileo-community/galileo-go/config"
)

func TestAPIError_FromAnswer(t *testing.T) {
	sentinels := []error{ErrNotFound, ErrUnauthorized, ErrForbidden, ErrConflict, ErrRateLimited}
	tests := []struct {
		name    string
		method  string
		path    string
		status  int
		header  map[string]string
		body    string
		wantErr string  // exact Error()
		wantIs  []error // the sentinels it matches; it matches no other
		check   func(t *testing.T, e *APIError)
	}{
		{name: "404 string detail", method: http.MethodGet, path: "/projects/p1", status: 404,
			header:  map[string]string{"X-Request-Id": "req-1"},
			body:    `{"detail":"Project not found"}`,
			wantErr: "galileo: GET /projects/p1: 404 Not Found: Project not found (request id req-1)",
			wantIs:  []error{ErrNotFound},
			check: func(t *testing.T, e *APIError) {
				assert.Equal(t, "req-1", e.RequestID)
				assert.Equal(t, "Project not found", e.Message)
				assert.Equal(t, `{"detail":"Project not found"}`, e.Body)
			}},
		{name: "401", method: http.MethodGet, path: "/projects", status: 401,
			body:    `{"detail":"Could not validate credentials"}`,
			wantErr: "galileo: GET /projects: 401 Unauthorized: Could not validate credentials",
			wantIs:  []error{ErrUnauthorized}},
		{name: "403", method: http.MethodDelete, path: "/projects/p1", status: 403,
			header:  map[string]string{"X-Request-ID": "r-403"},
			body:    `{"detail":"User does not have access"}`,
			wantErr: "galileo: DELETE /projects/p1: 403 Forbidden: User does not have access (request id r-403)",
			wantIs:  []error{ErrUnauthorized, ErrForbidden}},
		{name: "409", method: http.MethodPost, path: "/projects", status: 409,
			body:    `{"detail":"Project with name x already exists"}`,
			wantErr: "galileo: POST /projects: 409 Conflict: Project with name x already exists",
			wantIs:  []error{ErrConflict}},
		{name: "429 with Retry-After", method: http.MethodGet, path: "/projects", status: 429,
			header:  map[string]string{"Retry-After": "12"},
			body:    `{"detail":"Too many requests"}`,
			wantErr: "galileo: GET /projects: 429 Too Many Requests: Too many requests",
			wantIs:  []error{ErrRateLimited},
			check: func(t *testing.T, e *APIError) {
				assert.Equal(t, 12*time.Second, e.RetryAfter)
			}},
		{name: "422 validation list", method: http.MethodPost, path: "/projects/p1/experiments", status: 422,
			header: map[string]string{"X-Request-Id": "abc"},
			body: `{"detail":[{"loc":["body","name"],"msg":"field required","type":"missing"},` +
				`{"loc":["body","prompt_settings","model_alias"],"msg":"Model alias 'foo' not found","type":"value_error","input":"foo"},` +
				`{"loc":["body","rows",3,"input"],"msg":"too long","type":"string_too_long"}]}`,
			wantErr: "galileo: POST /projects/p1/experiments: 422 Unprocessable Entity: body.name: field required; " +
				"body.prompt_settings.model_alias: Model alias 'foo' not found; body.rows.3.input: too long (request id abc)",
			check: func(t *testing.T, e *APIError) {
				require.Len(t, e.Details, 3)
				assert.Equal(t, "missing", e.Details[0].Type)
				assert.Equal(t, "foo", e.Details[1].Input)
				assert.Equal(t, "body.rows.3.input: too long", FormatValidationError(e.Details[2]))
			}},
		{name: "422 string detail", method: http.MethodPost, path: "/projects/p1/experiments", status: 422,
			body:    `{"detail":"Model alias 'foo' not found"}`,
			wantErr: "galileo: POST /projects/p1/experiments: 422 Unprocessable Entity: Model alias 'foo' not found",
			check:   func(t *testing.T, e *APIError) { assert.Empty(t, e.Details) }},
		{name: "standard_error with detail", method: http.MethodGet, path: "/projects/p1/experiments/e1", status: 404,
			body: `{"detail":"Experiment group not found","standard_error":{"error_code":3520,"error_type":"not_found",` +
				`"error_group":"experiment","severity":"error","message":"The experiment group was not found",` +
				`"user_action":null,"documentation_link":null,"retriable":false,"blocking":false,"http_status_code":404,"context":{}}}`,
			wantErr: "galileo: GET /projects/p1/experiments/e1: 404 Not Found: Experiment group not found (error code 3520)",
			wantIs:  []error{ErrNotFound},
			check:   func(t *testing.T, e *APIError) { assert.Equal(t, 3520, e.Code) }},
		{name: "standard_error only", method: http.MethodPost, path: "/projects/p1/experiments", status: 400,
			body:    `{"standard_error":{"error_code":3512,"message":"Dataset has no generated_output column"}}`,
			wantErr: "galileo: POST /projects/p1/experiments: 400 Bad Request: Dataset has no generated_output column (error code 3512)"},
		{name: "other JSON shape", method: http.MethodGet, path: "/x", status: 500,
			body:    `{"message":"internal failure"}`,
			wantErr: "galileo: GET /x: 500 Internal Server Error: internal failure"},
		{name: "object detail", method: http.MethodGet, path: "/x", status: 400,
			body:    `{"detail": {"reason": "bad filter", "field": "name"}}`,
			wantErr: `galileo: GET /x: 400 Bad Request: {"reason":"bad filter","field":"name"}`},
		{name: "HTML page from a proxy", method: http.MethodGet, path: "/projects", status: 502,
			header: map[string]string{"Content-Type": "text/html"},
			body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n" +
				"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
			wantErr: "galileo: GET /projects: 502 Bad Gateway: expected JSON, got text/html: 502 Bad Gateway"},
		{name: "plain text", method: http.MethodGet, path: "/projects", status: 503,
			header:  map[string]string{"Content-Type": "text/plain"},
			body:    "upstream connect error or disconnect/reset before headers. reset reason: connection termination",
			wantErr: "galileo: GET /projects: 503 Service Unavailable: expected JSON, got text/plain: upstream connect error or disconnect/reset before headers. reset reason: connect…"},
		{name: "truncated JSON", method: http.MethodGet, path: "/projects", status: 500,
			body:    `{"detail": "Proj`,
			wantErr: `galileo: GET /projects: 500 Internal Server Error: expected a JSON error body, got: {"detail": "Proj`},
		{name: "empty body", method: http.MethodGet, path: "/projects", status: 500,
			wantErr: "galileo: GET /projects: 500 Internal Server Error"},
		{name: "unknown status", method: http.MethodGet, path: "/projects", status: 599,
			body:    `{"detail":"odd"}`,
			wantErr: "galileo: GET /projects: 599: odd"},
		{name: "oversize body", method: http.MethodGet, path: "/projects", status: 500,
			body:    `{"detail":"` + strings.Repeat("x", 1<<20) + `"}`,
			wantErr: "galileo: GET /projects: 500 Internal Server Error: error body larger than 64 KiB, not decoded: {\"detail\":\"" + strings.Repeat("x", 69) + "…",
			check: func(t *testing.T, e *APIError) {
				assert.Len(t, e.Body, 64<<10)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				for k, v := range tt.header {
					w.Header()[k] = []string{v}
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}), WithJWT("test-jwt-token"), WithRetry(1, 0, 0))
			_, err := c.call(context.Background(), &request{method: tt.method, path: tt.path}, nil)
			require.EqualError(t, err, tt.wantErr)
			var e *APIError
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.status, e.Status)
			assert.Equal(t, tt.method, e.Method)
			assert.True(t, strings.HasSuffix(e.URL, tt.path), e.URL)
			for _, s := range sentinels {
				want := false
				for _, w := range tt.wantIs {
					want = want || w == s
				}
				assert.Equal(t, want, errors.Is(err, s), "errors.Is(err, %v)", s)
			}
			if tt.check != nil {
				tt.check(t, e)
			}
		})
	}
}

func TestAPIError_Error(t *testing.T) {
	tests := []struct {
		e    *APIError
		want string
	}{
		{&APIError{Status: 404, Method: "GET", URL: "https://api.example.com/projects/p1?limit=1"},
			"galileo: GET /projects/p1: 404 Not Found"},
		{&APIError{Status: 500, Method: "POST", URL: "https://api.example.com", Message: "boom", RequestID: "r1"},
			"galileo: POST /: 500 Internal Server Error: boom (request id r1)"},
		{&APIError{Status: 409, Method: "POST"}, "galileo: POST: 409 Conflict"},
		{&APIError{Status: 409}, "galileo: 409 Conflict"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.e.Error())
	}
}

func TestAPIError_Is(t *testing.T) {
	tests := []struct {
		status int
		want   []error
	}{
		{400, nil},
		{401, []error{ErrUnauthorized}},
		{403, []error{ErrUnauthorized, ErrForbidden}},
		{404, []error{ErrNotFound}},
		{409, []error{ErrConflict}},
		{422, nil},
		{429, []error{ErrRateLimited}},
		{500, nil},
	}
	for _, tt := range tests {
		e := &APIError{Status: tt.status}
		for _, s := range []error{ErrNotFound, ErrUnauthorized, ErrForbidden, ErrConflict, ErrRateLimited, ErrNoCredentials} {
			want := false
			for _, w := range tt.want {
				want = want || w == s
			}
			assert.Equal(t, want, errors.Is(e, s), "status %d, %v", tt.status, s)
		}
	}
}

func TestFormatValidationError(t *testing.T) {
	tests := []struct {
		v    ValidationError
		want string
	}{
		{ValidationError{Loc: []any{"body", "prompt_settings", "model_alias"}, Msg: "not found"}, "body.prompt_settings.model_alias: not found"},
		{ValidationError{Loc: []any{"query", float64(0)}, Msg: "bad"}, "query.0: bad"},
		{ValidationError{Loc: []any{"body", 2, true}, Msg: "odd"}, "body.2.true: odd"},
		{ValidationError{Msg: "Model alias 'foo' not found"}, "Model alias 'foo' not found"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, FormatValidationError(tt.v))
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := transportEpoch
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"0", 0},
		{"-5", 0},
		{"999999999999", 24 * time.Hour},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, parseRetryAfter(tt.in, now), tt.in)
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"https://api.example.com/projects?limit=5&starting_token=10", "https://api.example.com/projects?limit=5&starting_token=10"},
		{"https://user:pw@api.example.com/x", "https://api.example.com/x"},
		{"https://api.example.com/x?api_key=gk-1&token=t&access_token=a&name=n",
			"https://api.example.com/x?access_token=REDACTED&api_key=REDACTED&name=n&token=REDACTED"},
		{"https://api.example.com/x?Client_Secret=s&refresh_token=r", "https://api.example.com/x?Client_Secret=REDACTED&refresh_token=REDACTED"},
		{"https://api.example.com/x?%zz", "https://api.example.com/x?REDACTED"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		require.NoError(t, err)
		assert.Equal(t, tt.want, redactURL(u))
	}
}

func TestClient_Scrub(t *testing.T) {
	c, err := NewClient(WithAPIKey("gk-key/with+odd<chars>"), WithJWT("short"))
	require.NoError(t, err)
	assert.Equal(t, "[REDACTED] [REDACTED] [REDACTED] short",
		c.scrub(`gk-key/with+odd<chars> gk-key/with+odd\u003cchars\u003e gk-key%2Fwith%2Bodd%3Cchars%3E short`))
}

func TestAPIError_URLRedacted(t *testing.T) {
	c, _, _ := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"detail": "bad"})
	}), WithJWT("test-jwt-token"))
	_, err := c.call(context.Background(), &request{path: "/x",
		query: url.Values{"api_key": {"gk-in-query"}, "limit": {"5"}}}, nil)
	var e *APIError
	require.ErrorAs(t, err, &e)
	assert.True(t, strings.HasSuffix(e.URL, "/x?api_key=REDACTED&limit=5"), e.URL)
	assert.Equal(t, "galileo: GET /x: 400 Bad Request: bad", err.Error())
}

func TestClient_Scrub_CutAndUnknownSecrets(t *testing.T) {
	c, err := NewClient(WithAPIKey("gk-0123456789abcdef"))
	require.NoError(t, err)
	tests := []struct{ name, in, want string }{
		{"whole key", "key gk-0123456789abcdef!", "key [REDACTED]!"},
		{"key cut at the end", "key gk-0123", "key [REDACTED]"},
		{"key cut before a snippet's mark", "key gk-0123456…", "key [REDACTED]…"},
		{"JSON-escaped form cut", `"gk-012`, `"[REDACTED]`},
		{"too short a start to tell", "key gk-", "key gk-"},
		{"the start of a key in the middle is left", "gk-0123 and more", "gk-0123 and more"},
		{"a JWT the client does not know", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln, next",
			"token [REDACTED], next"},
		{"a cut JWT", "token eyJhbGciOiJIUzI1NiJ9.eyJzdW…", "token [REDACTED]…"},
		{"no JWT", "eyJ is how JSON starts in base64", "eyJ is how JSON starts in base64"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, c.scrub(tt.in), tt.name)
	}
}

func TestRedactConfigURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://api.example.com/v2", "https://api.example.com/v2"},
		{"https://api.example.com/?api_key=k&region=eu", "https://api.example.com/?api_key=REDACTED&region=REDACTED"},
		{"https://u:pw@api.example.com/", "https://api.example.com/"},
		{"https://tok@api.example.com/", "https://api.example.com/"},
		{"https://api.example.com/#access_token=t", "https://api.example.com/#REDACTED"},
		{"https://api.example.com/?%zz", "https://api.example.com/?REDACTED"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		require.NoError(t, err)
		assert.Equal(t, tt.want, config.RedactedURL(u, nil), tt.in)
	}
	_, err := NewClient(WithBaseURL("https://api.example.com/?api_key=gk-secret-in-url"))
	require.EqualError(t, err, `galileo: API URL "https://api.example.com/?api_key=REDACTED" has a query or fragment; expected an absolute http(s) URL such as https://api.galileo.ai`)
}

// Every extra header's value is a secret unless the header is known to be
// harmless.
func TestRequestSecrets_Headers(t *testing.T) {
	got := requestSecrets(url.Values{"api_key": {"q-secret"}, "limit": {"5"}},
		http.Header{"X-Session": {"s-1"}, "X-Team": {"platform"}, "User-Agent": {"ua"}, "Accept": {"application/json"}},
		http.Header{"If-Match": {"etag-1"}, "Galileo-Api-Key": {"k-1"}})
	assert.ElementsMatch(t, []string{"q-secret", "s-1", "platform", "k-1"}, got)
}
