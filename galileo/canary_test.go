package galileo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// canaryKey and the JWTs minted below must never show up in anything the
// client prints, returns or logs.
const canaryKey = "gk-CANARY-5e1d7c0a9b3f42e6a1c8"

// canarySession is an extra header's value (GALILEO_EXTRA_HEADERS): a
// secret too.
const canarySession = "sess-CANARY-0d4b9a17e2c6"

// lockedBuffer is a log sink safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestClient_SecretCanary(t *testing.T) {
	loginJWT := transportJWT(t, "CANARY-login", time.Now().Add(time.Hour))
	preJWT := transportJWT(t, "CANARY-preissued", time.Now().Add(time.Hour))
	strayJWT := transportJWT(t, "CANARY-stray", time.Now().Add(time.Hour))
	jwtPart := func(tok string, i int) string { return strings.Split(tok, ".")[i] }
	secrets := map[string]string{
		"API key":                  canaryKey,
		"login JWT":                loginJWT,
		"login JWT signature":      loginJWT[strings.LastIndexByte(loginJWT, '.')+1:],
		"pre-issued JWT":           preJWT,
		"pre-issued JWT signature": preJWT[strings.LastIndexByte(preJWT, '.')+1:],
		"session header":           canarySession,
		"stray JWT":                strayJWT,
	}
	// No run of 10 characters of these may show: a secret cut in two by a
	// length limit leaves such a piece behind.
	pieces := map[string]string{"API key": canaryKey, "session header": canarySession}
	for name, tok := range map[string]string{"login JWT": loginJWT, "pre-issued JWT": preJWT, "stray JWT": strayJWT} {
		pieces[name+" claims"] = jwtPart(tok, 1)[10:] // past the {"exp": all share
		pieces[name+" signature"] = jwtPart(tok, 2)
	}
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	// echo answers with everything the request carried, the way a careless
	// proxy or a validation error does.
	echo := func(w http.ResponseWriter, r *http.Request, status int) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Request-Id", "req-"+r.Header.Get(HeaderAPIKey))
		writeJSON(w, status, map[string]any{
			"detail": []map[string]any{{
				"loc": []string{"header", "authorization"}, "msg": "rejected " + r.Header.Get("Authorization") + " " + r.Header.Get(HeaderAPIKey) + " " + r.Header.Get("X-Session"),
				"type": "value_error", "input": string(b),
			}},
			"standard_error": map[string]any{"message": "query was " + r.URL.RawQuery},
		})
	}

	// elsewhere is another origin the API redirects to.
	elsewhere := newRecordingServer(t)

	type scenario struct {
		name    string
		handler http.HandlerFunc
		opts    []Option
		run     func(c *Client) error
	}
	getProjects := func(c *Client) error {
		_, err := c.call(context.Background(), &request{path: "/projects", query: url.Values{"api_key": {canaryKey}, "token": {preJWT}}}, nil)
		return err
	}
	scenarios := []scenario{
		{name: "401 at login echoing the key", opts: []Option{WithAPIKey(canaryKey)},
			handler: func(w http.ResponseWriter, r *http.Request) { echo(w, r, http.StatusUnauthorized) },
			run:     getProjects},
		{name: "422 at login echoing the input", opts: []Option{WithAPIKey(canaryKey)},
			handler: func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": []map[string]any{{
					"loc": []string{"body", "api_key"}, "msg": "invalid key " + canaryKey, "type": "value_error",
					"input": map[string]string{"raw": string(b), "api_key": canaryKey},
				}}})
			},
			run: getProjects},
		{name: "500s with retries after a login", opts: []Option{WithAPIKey(canaryKey)},
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/login/api_key" {
					writeJSON(w, http.StatusOK, Token{AccessToken: loginJWT})
					return
				}
				echo(w, r, http.StatusInternalServerError)
			},
			run: getProjects},
		{name: "401 after a login, re-login, 401 again", opts: []Option{WithAPIKey(canaryKey)},
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/login/api_key" {
					writeJSON(w, http.StatusOK, Token{AccessToken: loginJWT})
					return
				}
				echo(w, r, http.StatusUnauthorized)
			},
			run: getProjects},
		{name: "pre-issued JWT rejected", opts: []Option{WithJWT(preJWT)},
			handler: func(w http.ResponseWriter, r *http.Request) { echo(w, r, http.StatusForbidden) },
			run:     getProjects},
		{name: "API key header in an HTML page", opts: []Option{WithAPIKey(canaryKey), WithAPIKeyHeader()},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = fmt.Fprintf(w, "<html><title>Bad key %s</title></html>", r.Header.Get(HeaderAPIKey))
			},
			run: getProjects},
		{name: "200 in plain text echoing the token", opts: []Option{WithJWT(preJWT)},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				_, _ = io.WriteString(w, "hello "+r.Header.Get("Authorization"))
			},
			run: func(c *Client) error {
				var out Project
				_, err := c.call(context.Background(), &request{path: "/projects/p1"}, &out)
				return err
			}},
		{name: "create cut off, lookup echoes", opts: []Option{WithJWT(preJWT)},
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					conn, _, err := http.NewResponseController(w).Hijack()
					if err == nil {
						_ = conn.Close()
					}
					return
				}
				echo(w, r, http.StatusBadRequest)
			},
			run: func(c *Client) error {
				r := &request{method: http.MethodPost, path: "/projects", body: map[string]string{"name": canaryKey}}
				r.onAmbiguous = func(ctx context.Context) (bool, error) {
					_, err := c.call(ctx, &request{path: "/projects", query: url.Values{"api_key": {canaryKey}}}, nil)
					return false, err
				}
				_, err := c.call(context.Background(), r, nil)
				return err
			}},
		{name: "extra header echoed", opts: []Option{WithJWT(preJWT), WithHeader("X-Session", canarySession)},
			handler: func(w http.ResponseWriter, r *http.Request) { echo(w, r, http.StatusBadRequest) },
			run:     getProjects},
		{name: "text answer cut mid-key", opts: []Option{WithAPIKey(canaryKey), WithAPIKeyHeader()},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				_, _ = io.WriteString(w, strings.Repeat("x", 66)+" "+canaryKey) // the cut at 80 leaves 13 characters of the key
			},
			run: func(c *Client) error {
				var out Project
				_, err := c.call(context.Background(), &request{path: "/projects/p1"}, &out)
				return err
			}},
		{name: "HTML title cut mid-session", opts: []Option{WithJWT(preJWT), WithHeader("X-Session", canarySession)},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = fmt.Fprintf(w, "<html><title>%s %s</title></html>", strings.Repeat("y", 72), r.Header.Get("X-Session"))
			},
			run: getProjects},
		{name: "error body cut at 64 KiB mid-key", opts: []Option{WithAPIKey(canaryKey), WithAPIKeyHeader()},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, strings.Repeat("z", maxErrorBody-12)+r.Header.Get(HeaderAPIKey))
			},
			run: getProjects},
		{name: "login answered in plain text", opts: []Option{WithAPIKey(canaryKey)},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				_, _ = io.WriteString(w, loginJWT)
			},
			run: getProjects},
		{name: "a token the client does not know", opts: []Option{WithAPIKey(canaryKey)},
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusBadRequest, map[string]string{"detail": "malformed session token " + strayJWT})
			},
			run: getProjects},
		{name: "login redirected to another host", opts: []Option{WithAPIKey(canaryKey), WithHeader("X-Session", canarySession)},
			handler: redirectTo(elsewhere.srv.URL, http.StatusTemporaryRedirect),
			run:     getProjects},
		{name: "key header redirected to another host", opts: []Option{WithAPIKey(canaryKey), WithAPIKeyHeader(), WithHeader("X-Session", canarySession)},
			handler: redirectTo(elsewhere.srv.URL, http.StatusPermanentRedirect),
			run:     getProjects},
		{name: "JWT redirected to another host", opts: []Option{WithJWT(preJWT), WithHeader("X-Session", canarySession)},
			handler: redirectTo(elsewhere.srv.URL+"/?api_key="+canaryKey+"&", http.StatusFound),
			run:     getProjects},
	}

	var texts []string // everything a user could see
	record := func(label string, err error) {
		require.Error(t, err, label)
		texts = append(texts, label+": "+err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
		var ae *APIError
		if errors.As(err, &ae) {
			texts = append(texts, fmt.Sprintf("%#v", *ae), fmt.Sprintf("%+v", ae.Details), ae.Body, ae.Message, ae.URL, ae.RequestID)
		}
		var te *transportError
		if errors.As(err, &te) {
			texts = append(texts, fmt.Sprintf("%#v", *te), fmt.Sprintf("%+v", te.Err))
		}
	}
	for _, sc := range scenarios {
		srv := httptest.NewServer(sc.handler)
		c, err := NewClient(append([]Option{WithBaseURL(srv.URL), WithLogger(logger)}, sc.opts...)...)
		require.NoError(t, err)
		c.sleep = (&transportSleeps{}).sleep
		record(sc.name, sc.run(c))
		texts = append(texts, fmt.Sprintf("%v|%+v|%#v|%s", c, c, c, c), fmt.Sprintf("%v|%+v|%#v", *c, *c, *c))
		logger.Debug("client", "client", c)
		srv.Close()
	}

	// Connection errors: nothing listens.
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	for _, opts := range [][]Option{{WithAPIKey(canaryKey)}, {WithJWT(preJWT)}, {WithAPIKey(canaryKey), WithAPIKeyHeader()}} {
		c, err := NewClient(append([]Option{WithBaseURL(srv.URL), WithLogger(logger)}, opts...)...)
		require.NoError(t, err)
		c.sleep = (&transportSleeps{}).sleep
		record("connection refused "+c.authMode(), getProjects(c))
	}

	// Credentials in the URLs given to the client.
	for _, opt := range []Option{
		WithBaseURL("https://user:" + canaryKey + "@api.example.com"),
		WithBaseURL("https://" + canaryKey + "@api.example.com"),
		WithBaseURL("https://api.example.com/v2?api_key=" + canaryKey),
		WithBaseURL("https://api.example.com/v2?x=" + canaryKey + "#s=" + canarySession),
		WithBaseURL("api.example.com/?api_key=" + canaryKey),
		WithBaseURL("ftp://api.example.com/?session=" + canarySession),
		WithConsoleURL("https://app.example.com/?token=" + canaryKey),
	} {
		_, err := NewClient(opt)
		record("URL with credentials", err)
	}

	// What reached the other origin.
	texts = append(texts, elsewhere.requests()...)

	log := logs.String()
	texts = append(texts, log)
	for _, want := range []string{"galileo: retrying", "galileo: logging in with the API key", "galileo: logged in",
		"galileo: token rejected; logging in again", "galileo: login failed"} {
		assert.Contains(t, log, want, "the log was captured")
	}
	for name, secret := range secrets {
		for _, text := range texts {
			if strings.Contains(text, secret) {
				t.Errorf("the %s appears in:\n%s", name, text)
			}
		}
	}
	for name, secret := range pieces {
		for i := 0; i+10 <= len(secret); i++ {
			for _, text := range texts {
				if strings.Contains(text, secret[i:i+10]) {
					t.Errorf("a piece of the %s (%q) appears in:\n%s", name, secret[i:i+10], text)
				}
			}
		}
	}
	assert.Contains(t, strings.Join(texts, "\n"), "[REDACTED]", "the echoes were scrubbed, not lost")
}
