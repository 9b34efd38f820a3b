package galileo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// transportSleeps replaces the client's sleep: it records each wait and
// returns at once (or the context's error).
type transportSleeps struct {
	mu    sync.Mutex
	waits []time.Duration
	// hook, if set, runs before the context is checked (tests cancel there).
	hook func()
}

func (s *transportSleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	hook := s.hook
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	return ctx.Err()
}

func (s *transportSleeps) recorded() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// transportClient starts h on a loopback server and returns a client for
// it whose waits are recorded instead of slept.
func transportClient(t *testing.T, h http.Handler, opts ...Option) (*Client, *transportSleeps, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := NewClient(append([]Option{WithBaseURL(srv.URL)}, opts...)...)
	require.NoError(t, err)
	sl := &transportSleeps{}
	c.sleep = sl.sleep
	return c, sl, srv
}

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func TestNewClient_BaseURL(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    string // BaseURL() on success
		wantErr string // substring of the error
	}{
		{name: "plain", raw: "https://api.galileo.ai", want: "https://api.galileo.ai"},
		{name: "trailing slash and prefix", raw: " http://127.0.0.1:8088/api/v2/ ", want: "http://127.0.0.1:8088/api/v2"},
		{name: "upper-case scheme", raw: "HTTPS://api.example.com", want: "https://api.example.com"},
		{name: "empty", raw: "", wantErr: `galileo: API URL is empty; expected an absolute http(s) URL`},
		{name: "blank", raw: "  ", wantErr: `API URL is empty`},
		{name: "no scheme", raw: "api.galileo.ai", wantErr: `galileo: API URL "api.galileo.ai" has no scheme; expected an absolute http(s) URL such as https://api.galileo.ai`},
		{name: "host and port without scheme", raw: "localhost:8088", wantErr: `API URL "localhost:8088" has no scheme (missing "https://"?)`},
		{name: "ftp", raw: "ftp://x", wantErr: `galileo: API URL "ftp://x" has scheme "ftp"; expected an absolute http(s) URL`},
		{name: "no host", raw: "http://", wantErr: `galileo: API URL "http://" has no host`},
		{name: "port only", raw: "http://:8080", wantErr: `has no host`},
		{name: "credentials", raw: "https://user:s3cr3t-pw@api.galileo.ai", wantErr: `API URL "https://api.galileo.ai" contains credentials`},
		{name: "query", raw: "https://api.galileo.ai/?x=1", wantErr: `has a query or fragment`},
		{name: "not a URL", raw: "http://[::1", wantErr: `galileo: API URL is not a valid URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(WithBaseURL(tt.raw))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), "s3cr3t-pw")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.BaseURL())
		})
	}
}

func TestNewClient_Defaults(t *testing.T) {
	c, err := NewClient()
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL, c.BaseURL())
	assert.Equal(t, DefaultConsoleURL, c.ConsoleURL())
	assert.Equal(t, defaultRetry, c.retry)
	for name, svc := range map[string]any{
		"Projects": c.Projects, "Datasets": c.Datasets, "Prompts": c.Prompts, "Scorers": c.Scorers,
		"Experiments": c.Experiments, "Traces": c.Traces, "Records": c.Records, "Jobs": c.Jobs,
	} {
		assert.NotNil(t, svc, name)
	}

	c, err = NewClient(WithConsoleURL("https://console.acme.example/"))
	require.NoError(t, err)
	assert.Equal(t, "https://console.acme.example", c.ConsoleURL())
}

func TestNewClient_InvalidOptions(t *testing.T) {
	tests := []struct {
		name    string
		opt     Option
		wantErr string
	}{
		{"nil http client", WithHTTPClient(nil), "WithHTTPClient: nil *http.Client"},
		{"nil clock", WithClock(nil), "WithClock: nil clock"},
		{"zero attempts", WithRetry(0, time.Second, time.Second), "WithRetry: maxAttempts is 0; expected 1 or more"},
		{"negative delay", WithRetry(3, -time.Second, time.Second), "WithRetry: negative delay"},
		{"max below initial", WithRetry(3, 2*time.Second, time.Second), "max delay 1s is shorter than the initial delay 2s"},
		{"bad header name", WithHeader("X Bad", "v"), `WithHeader: invalid header name "X Bad"`},
		{"header value with newline", WithHeader("X-Team", "a\r\nInjected: 1"), "WithHeader: the value of X-Team contains a line break"},
		{"key header without key", WithAPIKeyHeader(), "WithAPIKeyHeader needs an API key"},
		{"console URL", WithConsoleURL("app.galileo.ai"), `console URL "app.galileo.ai" has no scheme`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClient(tt.opt)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestNewClient_RetryOption(t *testing.T) {
	c, err := NewClient(WithRetry(1, 0, 0))
	require.NoError(t, err)
	assert.Equal(t, retryPolicy{maxAttempts: 1, initial: 500 * time.Millisecond, max: 10 * time.Second}, c.retry)
	c, err = NewClient(WithRetry(6, time.Second, time.Minute))
	require.NoError(t, err)
	assert.Equal(t, retryPolicy{maxAttempts: 6, initial: time.Second, max: time.Minute}, c.retry)
}

func TestClient_Call_Request(t *testing.T) {
	var got *http.Request
	var gotBody []byte
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		gotBody, _ = io.ReadAll(r.Body)
		writeJSON(w, http.StatusCreated, map[string]string{"id": "e1"})
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	// Mounted under a prefix, to catch paths that ignore it.
	c, err := NewClient(WithBaseURL(srv.URL+"/api/v2/"), WithJWT("jwt-token"),
		WithHeader("X-Team", "qa"), WithHeader(HeaderSDK, "spoofed"), WithHeader("Authorization", "Bearer spoofed"))
	require.NoError(t, err)

	var out struct{ ID string }
	resp, err := c.call(context.Background(), &request{
		method: http.MethodPost,
		path:   "/projects/a%2Fb/experiments",
		query:  map[string][]string{"limit": {"5"}, "name": {"x y"}},
		body:   map[string]any{"name": "nightly"},
		header: http.Header{"If-Match": {"v3"}},
	}, &out)
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, resp.status)
	assert.Equal(t, "application/json", resp.header.Get("Content-Type"))
	assert.Equal(t, "e1", out.ID)

	require.NotNil(t, got)
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/api/v2/projects/a%2Fb/experiments", got.URL.EscapedPath())
	assert.Equal(t, "5", got.URL.Query().Get("limit"))
	assert.Equal(t, "x y", got.URL.Query().Get("name"))
	assert.JSONEq(t, `{"name":"nightly"}`, string(gotBody))
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", got.Header.Get("Accept"))
	assert.Equal(t, "galileo-go/"+Version, got.Header.Get(HeaderSDK))
	assert.True(t, strings.HasPrefix(got.Header.Get("User-Agent"), "galileo-go/"+Version+" ("), got.Header.Get("User-Agent"))
	assert.Equal(t, "Bearer jwt-token", got.Header.Get("Authorization"))
	assert.Equal(t, []string{"Bearer jwt-token"}, got.Header.Values("Authorization"))
	assert.Equal(t, "qa", got.Header.Get("X-Team"))
	assert.Equal(t, "v3", got.Header.Get("If-Match"))
}

func TestClient_Call_RawBody(t *testing.T) {
	var ctype, body string
	c, _, _ := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ctype, body = r.Header.Get("Content-Type"), string(b)
		w.WriteHeader(http.StatusNoContent)
	}), WithJWT("t"))
	var out map[string]any
	resp, err := c.call(context.Background(), &request{method: http.MethodPost, path: "upload",
		raw: []byte("a=1"), contentType: "application/x-www-form-urlencoded"}, &out)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.status)
	assert.Nil(t, out, "a 204 leaves out alone")
	assert.Equal(t, "application/x-www-form-urlencoded", ctype)
	assert.Equal(t, "a=1", body)

	_, err = c.call(context.Background(), &request{method: http.MethodPost, path: "/upload", raw: []byte("x")}, nil)
	assert.EqualError(t, err, "galileo: POST /upload: a raw body needs a content type")
	_, err = c.call(context.Background(), &request{method: http.MethodPost, path: "/x", body: func() {}}, nil)
	assert.ErrorContains(t, err, "galileo: POST /x: encoding the request body: json: unsupported type")
}

func TestClient_Call_Decode(t *testing.T) {
	tests := []struct {
		name    string
		ctype   string
		body    string
		out     func() any
		wantErr string // exact; "" for success
	}{
		{name: "object", ctype: "application/json", body: `{"id":"e1","name":"n"}`,
			out: func() any { return new(ExperimentResponse) }},
		{name: "no content type", body: `{"id":"e1"}`, out: func() any { return new(ExperimentResponse) }},
		{name: "array for object", ctype: "application/json", body: `[{"id":"e1"}]`,
			out:     func() any { return new(ExperimentResponse) },
			wantErr: "galileo: GET /projects/x: decoding ExperimentResponse: json: cannot unmarshal array into Go value of type galileo.ExperimentResponse"},
		{name: "object for array", ctype: "application/json", body: `{"projects":[]}`,
			out:     func() any { return new([]Project) },
			wantErr: "galileo: GET /projects/x: decoding []Project: json: cannot unmarshal object into Go value of type []galileo.Project"},
		{name: "html page", ctype: "text/html; charset=utf-8",
			body:    "<!DOCTYPE html>\n<html><head><title>\n  Sign in &amp; continue\n</title></head><body>login</body></html>",
			out:     func() any { return new(ExperimentResponse) },
			wantErr: "galileo: GET /projects/x: decoding ExperimentResponse: expected JSON, got text/html: Sign in & continue"},
		{name: "html without content type", body: "<html><body>Gateway error page with no title</body></html>",
			out:     func() any { return new(ExperimentResponse) },
			wantErr: "galileo: GET /projects/x: decoding ExperimentResponse: expected JSON, got text/html: <html><body>Gateway error page with no title</body></html>"},
		{name: "plain text", ctype: "text/plain", body: "upstream connect error",
			out:     func() any { return new(ExperimentResponse) },
			wantErr: "galileo: GET /projects/x: decoding ExperimentResponse: expected JSON, got text/plain: upstream connect error"},
		{name: "not JSON", ctype: "application/json", body: "OK",
			out:     func() any { return new(ExperimentResponse) },
			wantErr: "galileo: GET /projects/x: decoding ExperimentResponse: invalid character 'O' looking for beginning of value"},
		{name: "truncated", ctype: "application/json", body: `{"id":"e1","name":`,
			out:     func() any { return new(ExperimentResponse) },
			wantErr: "galileo: GET /projects/x: decoding ExperimentResponse: unexpected end of JSON input"},
		{name: "trailing garbage", ctype: "application/json", body: `{"id":"e1"} {"id":"e2"}`,
			out:     func() any { return new(ExperimentResponse) },
			wantErr: "galileo: GET /projects/x: decoding ExperimentResponse: invalid character '{' after top-level value"},
		{name: "empty", ctype: "application/json", body: "",
			out:     func() any { return new(ExperimentResponse) },
			wantErr: "galileo: GET /projects/x: decoding ExperimentResponse: empty body; expected JSON"},
		{name: "nil out ignores the body", ctype: "text/html", body: "<html></html>", out: func() any { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				} else {
					w.Header()["Content-Type"] = nil
				}
				_, _ = io.WriteString(w, tt.body)
			}), WithJWT("t"))
			out := tt.out()
			_, err := c.call(context.Background(), &request{method: http.MethodGet, path: "/projects/x"}, out)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantErr)
		})
	}
}

func TestClient_Stream(t *testing.T) {
	c, _, _ := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			writeJSON(w, http.StatusNotFound, map[string]string{"detail": "no such export"})
			return
		}
		w.Header().Set("Content-Type", "application/jsonl")
		_, _ = io.WriteString(w, "{\"a\":1}\n{\"a\":2}\n")
	}), WithJWT("t"))
	resp, err := c.stream(context.Background(), &request{method: http.MethodPost, path: "/export"})
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "{\"a\":1}\n{\"a\":2}\n", string(b))

	_, err = c.stream(context.Background(), &request{method: http.MethodPost, path: "/missing"})
	assert.ErrorIs(t, err, ErrNotFound)
	assert.EqualError(t, err, "galileo: POST /missing: 404 Not Found: no such export")
}

func TestClient_Healthcheck(t *testing.T) {
	var auth []string
	c, _, _ := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = append(auth, r.Header.Get("Authorization")+r.Header.Get(HeaderAPIKey))
		if r.URL.Path != "/healthcheck" {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, http.StatusOK, Healthcheck{APIVersion: "v2", Message: "ok", Version: "1.2.3"})
	}), WithJWT("t"))
	h, err := c.Healthcheck(context.Background())
	require.NoError(t, err)
	assert.Equal(t, &Healthcheck{APIVersion: "v2", Message: "ok", Version: "1.2.3"}, h)
	assert.Equal(t, []string{""}, auth, "the healthcheck carries no credentials")
}

func TestClient_Format(t *testing.T) {
	c, err := NewClient(WithBaseURL("https://api.example.com"), WithAPIKey("gk-secret-key"))
	require.NoError(t, err)
	want := `galileo.Client{BaseURL: "https://api.example.com", Auth: "api-key-login"}`
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		assert.Equal(t, want, fmt.Sprintf(verb, c), verb)
		assert.Equal(t, want, fmt.Sprintf(verb, *c), verb+" of the value")
	}
	assert.Equal(t, want, c.String())
	assert.Equal(t, want, c.GoString())
	for _, tt := range []struct {
		opts []Option
		want string
	}{
		{nil, "none"},
		{[]Option{WithJWT("j")}, "jwt"},
		{[]Option{WithAPIKey("k"), WithAPIKeyHeader()}, "api-key-header"},
		{[]Option{WithAPIKey("k"), WithJWT("j")}, "jwt"},
	} {
		c, err := NewClient(tt.opts...)
		require.NoError(t, err)
		assert.Equal(t, tt.want, c.authMode())
	}
}

func TestTypeName(t *testing.T) {
	assert.Equal(t, "ExperimentResponse", typeName(new(ExperimentResponse)))
	assert.Equal(t, "[]Project", typeName(new([]Project)))
	assert.Equal(t, "map[string]any", typeName(new(map[string]any)))
	assert.Equal(t, "the answer", typeName(nil))
}
