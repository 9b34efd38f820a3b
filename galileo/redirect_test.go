package galileo

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingServer records every request it receives (headers and body) and
// answers like the API.
type recordingServer struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []string
}

func newRecordingServer(t *testing.T) *recordingServer {
	rs := &recordingServer{}
	rs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var dump strings.Builder
		_ = r.Header.Write(&dump)
		rs.mu.Lock()
		rs.seen = append(rs.seen, r.Method+" "+r.URL.String()+"\n"+dump.String()+"\n"+string(b))
		rs.mu.Unlock()
		if r.URL.Path == "/login/api_key" {
			writeJSON(w, http.StatusOK, Token{AccessToken: transportJWT(t, "elsewhere", fxTime.AddDate(10, 0, 0))})
			return
		}
		writeJSON(w, http.StatusOK, CurrentUser{ID: "u-elsewhere"})
	}))
	t.Cleanup(rs.srv.Close)
	return rs
}

func (rs *recordingServer) requests() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]string(nil), rs.seen...)
}

// redirectTo answers every request with status and a Location on target,
// same path and query.
func redirectTo(target string, status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		http.Redirect(w, r, target+r.URL.RequestURI(), status)
	}
}

// No credential crosses to another origin: the redirect is refused, the
// call fails at once with ErrCrossOriginRedirect, and the other server
// receives nothing.
func TestClient_RedirectToAnotherOrigin(t *testing.T) {
	const key = "gk-REDIRECT-9f1c2b7d4e"
	jwt := transportJWT(t, "redirect", fxTime.AddDate(10, 0, 0))
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound, http.StatusMovedPermanently} {
		for name, opts := range map[string][]Option{
			"login":      {WithAPIKey(key)},
			"key header": {WithAPIKey(key), WithAPIKeyHeader()},
			"jwt":        {WithJWT(jwt)},
		} {
			t.Run(http.StatusText(status)+"/"+name, func(t *testing.T) {
				other := newRecordingServer(t)
				api := &failingAPI{}
				c, sleeps, srv := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					api.hits.Add(1)
					redirectTo(other.srv.URL, status)(w, r)
				}), append(opts, WithHeader("X-Session", "sess-REDIRECT-31337"))...)
				_, err := c.CurrentUser(testContext(t))
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrCrossOriginRedirect)
				want := "galileo: GET /current_user: "
				if name == "login" {
					want = "galileo: POST /login/api_key: "
				}
				want += fmt.Sprintf("redirect refused: %d redirect to another origin (%s/", status, other.srv.URL)
				assert.True(t, strings.HasPrefix(err.Error(), want), "%s\nwant prefix %s", err, want)
				assert.Contains(t, err.Error(), "set the API URL (GALILEO_API_URL) to the address that answers")
				assert.NotContains(t, err.Error(), srv.URL, "the message names the target")
				assert.Empty(t, other.requests(), "the other origin received nothing")
				assert.EqualValues(t, 1, api.hits.Load(), "a refused redirect is not retried")
				assert.Empty(t, sleeps.recorded())
			})
		}
	}
}

// Redirects within the API's origin are followed with the credentials and
// the body, as before.
func TestClient_RedirectSameOrigin(t *testing.T) {
	var got []string
	mux := http.NewServeMux()
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/items/", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("POST /items/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Header.Get("Authorization"), r.Header.Get("X-Session"), string(b))
		writeJSON(w, http.StatusCreated, map[string]string{"id": "item-1"})
	})
	c, _, _ := transportClient(t, mux, WithJWT("test-jwt-token"), WithHeader("X-Session", "s1"))
	var out struct{ ID string }
	_, err := c.call(testContext(t), &request{method: http.MethodPost, path: "/items", body: map[string]string{"name": "n"}}, &out)
	require.NoError(t, err)
	assert.Equal(t, "item-1", out.ID)
	assert.Equal(t, []string{"Bearer test-jwt-token", "s1", `{"name":"n"}`}, got)
}

func TestClient_RedirectLoop(t *testing.T) {
	var hits int
	c, _, _ := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		http.Redirect(w, r, "/loop?n="+url.QueryEscape(r.URL.RawQuery), http.StatusFound)
	}), WithJWT("test-jwt-token"))
	_, err := c.call(testContext(t), &request{path: "/loop", idempotent: true}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "galileo: GET /loop: redirect refused: stopped after 10 redirects (the last 302 redirect to ")
	assert.False(t, errors.Is(err, ErrCrossOriginRedirect))
	assert.Equal(t, 10, hits, "10 requests, as net/http allows, and no retry")
}

// The caller's http.Client is not changed, and its own CheckRedirect is
// still asked about redirects within the origin.
func TestWithHTTPClient_CheckRedirectKept(t *testing.T) {
	var asked int
	hc := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		asked++
		return errors.New("no redirects here")
	}}
	c, _, _ := transportClient(t, redirectTo("", http.StatusFound), WithJWT("test-jwt-token"), WithHTTPClient(hc))
	assert.NotSame(t, hc, c.hc)
	_, err := c.call(testContext(t), &request{path: "/x", idempotent: true}, nil)
	require.ErrorContains(t, err, "no redirects here")
	assert.Positive(t, asked)
}

func TestSameOrigin(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://api.galileo.ai/x", "https://API.galileo.ai:443/y?z=1", true},
		{"http://127.0.0.1:8088/a", "http://127.0.0.1:8088/b", true},
		{"https://api.galileo.ai", "http://api.galileo.ai", false},
		{"http://api.galileo.ai", "https://api.galileo.ai", false},
		{"https://api.galileo.ai", "https://api.galileo.ai:8443", false},
		{"https://api.galileo.ai", "https://evil.example", false},
		{"https://api.galileo.ai", "https://api.galileo.ai.evil.example", false},
		{"http://127.0.0.1:8088", "http://127.0.0.1:8089", false},
	}
	for _, tt := range tests {
		a, err := url.Parse(tt.a)
		require.NoError(t, err)
		b, err := url.Parse(tt.b)
		require.NoError(t, err)
		assert.Equal(t, tt.want, sameOrigin(a, b), "%s → %s", tt.a, tt.b)
	}
}
