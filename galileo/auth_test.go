package galileo

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// transportJWT mints a signed JWT; a zero exp leaves the claim out.
func transportJWT(t testing.TB, sub string, exp time.Time) string {
	t.Helper()
	claims := jwt.MapClaims{"sub": sub}
	if !exp.IsZero() {
		claims["exp"] = exp.Unix()
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("transport-test-secret"))
	require.NoError(t, err)
	return s
}

// authAPI is a fake API with the login exchange: POST /login/api_key
// returns a new token for the right key; every other route needs a bearer
// token it issued and not revoked, and answers {"id": "u1"}.
type authAPI struct {
	t   testing.TB
	key string
	// expiry is the exp claim of the next token (zero: none); nil for a
	// token that is not a JWT at all.
	expiry func() time.Time
	// gate, when non-nil, holds every login until it is closed.
	gate chan struct{}
	// entered receives a value when a login starts (non-blocking).
	entered chan struct{}
	// reject401 answers 401 to the first n authenticated calls.
	reject401 atomic.Int32

	mu        sync.Mutex
	issued    []string
	loginBody []string
	loginAuth []string
	seenAuth  []string
	logins    atomic.Int32
	calls     atomic.Int32
}

func (a *authAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/login/api_key" {
		a.logins.Add(1)
		if a.entered != nil {
			select {
			case a.entered <- struct{}{}:
			default:
			}
		}
		if a.gate != nil {
			select {
			case <-a.gate:
			case <-r.Context().Done():
				return
			}
		}
		b, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.loginBody = append(a.loginBody, string(b))
		a.loginAuth = append(a.loginAuth, r.Header.Get("Authorization"))
		a.mu.Unlock()
		var in struct {
			APIKey string `json:"api_key"`
		}
		if json.Unmarshal(b, &in) != nil || in.APIKey != a.key {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Invalid API key"})
			return
		}
		tok := "opaque-token-" + strconv.Itoa(int(a.logins.Load()))
		if a.expiry != nil {
			tok = transportJWT(a.t, "user-"+strconv.Itoa(int(a.logins.Load())), a.expiry())
		}
		a.mu.Lock()
		a.issued = append(a.issued, tok)
		a.mu.Unlock()
		writeJSON(w, http.StatusOK, Token{AccessToken: tok, TokenType: "bearer"})
		return
	}
	a.calls.Add(1)
	auth := r.Header.Get("Authorization")
	a.mu.Lock()
	a.seenAuth = append(a.seenAuth, auth)
	ok := false
	for _, tok := range a.issued {
		ok = ok || auth == "Bearer "+tok
	}
	a.mu.Unlock()
	if !ok || a.reject401.Add(-1) >= 0 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Token expired or revoked"})
		return
	}
	writeJSON(w, http.StatusOK, CurrentUser{ID: "u1", Email: "qa@example.com", Role: "user"})
}

func (a *authAPI) tokens() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.issued...)
}

// transportTime is a settable clock.
type transportTime struct {
	mu  sync.Mutex
	now time.Time
}

func (c *transportTime) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *transportTime) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

var transportEpoch = time.Date(2026, 7, 30, 12, 0, 0, 0, time.UTC)

func TestAuth_LoginExchange(t *testing.T) {
	api := &authAPI{t: t, key: "gk-test-key-1", expiry: func() time.Time { return transportEpoch.Add(time.Hour) }}
	clock := &transportTime{now: transportEpoch}
	c, _, _ := transportClient(t, api, WithAPIKey("gk-test-key-1"), WithClock(clock.Now))

	for range 3 {
		u, err := c.CurrentUser(context.Background())
		require.NoError(t, err)
		assert.Equal(t, "qa@example.com", u.Email)
	}
	assert.EqualValues(t, 1, api.logins.Load(), "the token is reused")
	assert.Equal(t, []string{`{"api_key":"gk-test-key-1"}`}, api.loginBody)
	assert.Equal(t, []string{""}, api.loginAuth, "the login carries no Authorization header")
	tok := api.tokens()[0]
	assert.Equal(t, []string{"Bearer " + tok, "Bearer " + tok, "Bearer " + tok}, api.seenAuth)
}

func TestAuth_Renewal(t *testing.T) {
	tests := []struct {
		name       string
		later      time.Duration // clock advance before the second call
		wantLogins int32
	}{
		{"well before expiry", 30 * time.Minute, 1},
		{"just outside the margin", 54*time.Minute + 59*time.Second, 1},
		{"exactly 5 minutes left", 55 * time.Minute, 2},
		{"inside the margin", 58 * time.Minute, 2},
		{"expired", 2 * time.Hour, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &transportTime{now: transportEpoch}
			api := &authAPI{t: t, key: "gk-test-key-1", expiry: func() time.Time { return clock.Now().Add(time.Hour) }}
			c, _, _ := transportClient(t, api, WithAPIKey("gk-test-key-1"), WithClock(clock.Now))
			_, err := c.CurrentUser(context.Background())
			require.NoError(t, err)
			clock.Set(transportEpoch.Add(tt.later))
			_, err = c.CurrentUser(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.wantLogins, api.logins.Load())
			toks := api.tokens()
			assert.Equal(t, "Bearer "+toks[len(toks)-1], api.seenAuth[1], "the second call uses the newest token")
		})
	}
}

func TestAuth_TokenWithoutExpiry(t *testing.T) {
	tests := []struct {
		name   string
		expiry func() time.Time
	}{
		{"not a JWT", nil},
		{"JWT without exp", func() time.Time { return time.Time{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &authAPI{t: t, key: "gk-test-key-1", expiry: tt.expiry}
			c, _, _ := transportClient(t, api, WithAPIKey("gk-test-key-1"))
			for range 3 {
				_, err := c.CurrentUser(context.Background())
				require.NoError(t, err)
			}
			assert.EqualValues(t, 3, api.logins.Load(), "a token without a readable expiry counts as expired")
			assert.EqualValues(t, 3, api.calls.Load())
		})
	}
}

func TestAuth_ConcurrentLogin(t *testing.T) {
	const callers = 50
	api := &authAPI{t: t, key: "gk-test-key-1", gate: make(chan struct{}),
		expiry: func() time.Time { return time.Now().Add(time.Hour) }}
	c, _, _ := transportClient(t, api, WithAPIKey("gk-test-key-1"))

	var started, done sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			_, err := c.CurrentUser(context.Background())
			errs <- err
		}()
	}
	started.Wait()
	close(api.gate)
	done.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.EqualValues(t, 1, api.logins.Load())
	assert.EqualValues(t, callers, api.calls.Load())
}

// roundTripFunc serves requests without a network, so that synctest can
// tell when every goroutine is blocked.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func jsonResponse(status int, body string) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body))}
}

// fakeLoginTransport answers logins, holding each one until release
// receives or the request's context ends, and answers every other request
// with a user.
func fakeLoginTransport(t *testing.T, logins *atomic.Int32, release chan struct{}) roundTripFunc {
	return func(r *http.Request) (*http.Response, error) {
		if r.URL.Path != "/login/api_key" {
			if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
				return jsonResponse(http.StatusUnauthorized, `{"detail":"no token"}`), nil
			}
			return jsonResponse(http.StatusOK, `{"id":"u1","email":"qa@example.com","role":"user"}`), nil
		}
		n := logins.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
		tok := transportJWT(t, "login-"+strconv.Itoa(int(n)), time.Now().Add(time.Hour))
		return jsonResponse(http.StatusOK, `{"access_token":"`+tok+`"}`), nil
	}
}

func TestAuth_ConcurrentLoginSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logins atomic.Int32
		release := make(chan struct{})
		c, err := NewClient(WithBaseURL("http://api.invalid"), WithAPIKey("gk-test-key-1"),
			WithHTTPClient(&http.Client{Transport: fakeLoginTransport(t, &logins, release)}))
		require.NoError(t, err)
		errs := make(chan error, 50)
		for range 50 {
			go func() {
				_, err := c.CurrentUser(context.Background())
				errs <- err
			}()
		}
		synctest.Wait() // one caller is in the login, 49 wait for it
		assert.EqualValues(t, 1, logins.Load())
		close(release)
		for range 50 {
			assert.NoError(t, <-errs)
		}
		assert.EqualValues(t, 1, logins.Load())
	})
}

func TestAuth_LoginWaitHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logins atomic.Int32
		release := make(chan struct{})
		c, err := NewClient(WithBaseURL("http://api.invalid"), WithAPIKey("gk-test-key-1"),
			WithHTTPClient(&http.Client{Transport: fakeLoginTransport(t, &logins, release)}))
		require.NoError(t, err)

		// The first caller runs the login with a context that ends while
		// it waits; a second caller, already waiting, must not inherit that
		// failure but log in itself.
		leaderCtx, cancelLeader := context.WithCancel(context.Background())
		leaderErr := make(chan error, 1)
		go func() {
			_, err := c.CurrentUser(leaderCtx)
			leaderErr <- err
		}()
		synctest.Wait()
		waiterErr := make(chan error, 1)
		go func() {
			_, err := c.CurrentUser(context.Background())
			waiterErr <- err
		}()
		synctest.Wait()

		// A third caller whose context has ended stops waiting at once.
		canceled, cancel := context.WithCancel(context.Background())
		cancel()
		_, err = c.CurrentUser(canceled)
		require.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "waiting for the login")

		cancelLeader()
		err = <-leaderErr
		require.ErrorIs(t, err, context.Canceled)
		synctest.Wait() // the waiter has started its own login
		assert.EqualValues(t, 2, logins.Load())
		close(release)
		require.NoError(t, <-waiterErr)
		assert.EqualValues(t, 2, logins.Load())
	})
}

func TestAuth_PreIssuedJWT(t *testing.T) {
	expired := transportJWT(t, "ci", transportEpoch.Add(-time.Hour))
	var seen []string
	c, _, _ := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		writeJSON(w, http.StatusOK, CurrentUser{ID: "u1"})
	}), WithJWT(expired), WithAPIKey("gk-ignored-key"), WithClock(func() time.Time { return transportEpoch }))
	for range 2 {
		_, err := c.CurrentUser(context.Background())
		require.NoError(t, err)
	}
	want := "GET /current_user Bearer " + expired
	assert.Equal(t, []string{want, want}, seen, "used as is: no login, no expiry check")
}

func TestAuth_APIKeyHeader(t *testing.T) {
	var seen []string
	c, _, _ := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path+"|"+r.Header.Get(HeaderAPIKey)+"|"+r.Header.Get("Authorization"))
		writeJSON(w, http.StatusOK, CurrentUser{ID: "u1"})
	}), WithAPIKey("gk-test-key-1"), WithAPIKeyHeader())
	_, err := c.CurrentUser(context.Background())
	require.NoError(t, err)
	_, err = c.Healthcheck(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"/current_user|gk-test-key-1|", "/healthcheck||"}, seen)
}

func TestAuth_SplunkAPIKeyHeader(t *testing.T) {
	var seen []string
	c, _, _ := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path+"|"+r.Header.Get(HeaderSplunkAPIKey)+"|"+r.Header.Get(HeaderAPIKey)+"|"+r.Header.Get("Authorization"))
		writeJSON(w, http.StatusOK, CurrentUser{ID: "u1"})
	}), WithAPIKey("sk-test-key-1"), WithAPIKeyHeaderName("splunk-ao-api-key"))
	_, err := c.CurrentUser(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"/current_user|sk-test-key-1||"}, seen, "the key in Splunk-AO-API-Key only, no login")

	_, err = NewClient(WithAPIKey("k"), WithAPIKeyHeaderName("X-Api-Key"))
	require.EqualError(t, err, `galileo: WithAPIKeyHeaderName: "X-Api-Key" is not Galileo-API-Key or Splunk-AO-API-Key`)
}

func TestAuth_Unauthorized(t *testing.T) {
	tests := []struct {
		name       string
		opts       []Option
		reject     int32 // 401s before the API accepts a token
		wantErr    string
		wantLogins int32
		wantCalls  int32
	}{
		{name: "revoked token: one re-login and one retry", opts: []Option{WithAPIKey("gk-test-key-1")},
			reject: 1, wantLogins: 2, wantCalls: 2},
		{name: "still rejected after the re-login", opts: []Option{WithAPIKey("gk-test-key-1")},
			reject: 100, wantLogins: 2, wantCalls: 2,
			wantErr: "galileo: GET /current_user: 401 Unauthorized: Token expired or revoked"},
		{name: "pre-issued JWT: no login", opts: []Option{WithJWT("pre-issued-jwt")},
			wantLogins: 0, wantCalls: 1,
			wantErr: "galileo: GET /current_user: 401 Unauthorized: Token expired or revoked"},
		{name: "API key header: no login", opts: []Option{WithAPIKey("gk-test-key-1"), WithAPIKeyHeader()},
			wantLogins: 0, wantCalls: 1,
			wantErr: "galileo: GET /current_user: 401 Unauthorized: Token expired or revoked"},
		{name: "wrong API key", opts: []Option{WithAPIKey("gk-wrong-key-2")},
			wantLogins: 1, wantCalls: 0,
			wantErr: "galileo: POST /login/api_key: 401 Unauthorized: Invalid API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &authAPI{t: t, key: "gk-test-key-1", expiry: func() time.Time { return time.Now().Add(time.Hour) }}
			api.reject401.Store(tt.reject)
			c, _, _ := transportClient(t, api, tt.opts...)
			_, err := c.CurrentUser(context.Background())
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.EqualError(t, err, tt.wantErr)
				assert.ErrorIs(t, err, ErrUnauthorized)
				var ae *APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, http.StatusUnauthorized, ae.Status)
			}
			assert.Equal(t, tt.wantLogins, api.logins.Load(), "logins")
			assert.Equal(t, tt.wantCalls, api.calls.Load(), "API calls")
		})
	}
}

func TestAuth_NoCredentials(t *testing.T) {
	var calls atomic.Int32
	c, _, _ := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusOK, Healthcheck{Message: "ok"})
	}))
	h, err := c.Healthcheck(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "ok", h.Message)

	_, err = c.CurrentUser(context.Background())
	require.ErrorIs(t, err, ErrNoCredentials)
	assert.EqualError(t, err, "galileo: GET /current_user: no credentials: set GALILEO_API_KEY (WithAPIKey) or GALILEO_JWT_TOKEN (WithJWT)")
	assert.EqualValues(t, 1, calls.Load(), "no HTTP call without credentials")
}

func TestAuth_LoginAnswers(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		ctype   string
		body    string
		wantErr string
	}{
		{"no token", http.StatusOK, "application/json", `{"token_type":"bearer"}`,
			`galileo: POST /login/api_key: the answer has no access_token; expected {"access_token": "<JWT>"}`},
		{"html", http.StatusOK, "text/html", `<html><title>Login portal</title></html>`,
			"galileo: POST /login/api_key: decoding Token: expected JSON, got text/html: Login portal"},
		{"validation", http.StatusUnprocessableEntity, "application/json",
			`{"detail":[{"loc":["body","api_key"],"msg":"Field required","type":"missing"}]}`,
			"galileo: POST /login/api_key: 422 Unprocessable Entity: body.api_key: Field required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			c, _, _ := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/login/api_key" {
					calls.Add(1)
				}
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				_, _ = io.Copy(w, bytes.NewBufferString(tt.body))
			}), WithAPIKey("gk-test-key-1"))
			_, err := c.CurrentUser(context.Background())
			require.EqualError(t, err, tt.wantErr)
			assert.Zero(t, calls.Load(), "nothing is called after a failed login")
		})
	}
}

func TestTokenExpiry(t *testing.T) {
	exp := transportEpoch.Add(time.Hour)
	got, ok := tokenExpiry(transportJWT(t, "a", exp))
	assert.True(t, ok)
	assert.True(t, got.Equal(exp), got)
	for _, tok := range []string{"", "abc", "a.b.c", transportJWT(t, "a", time.Time{})} {
		_, ok := tokenExpiry(tok)
		assert.False(t, ok, tok)
	}
	// A token signed with an unknown key or algorithm still yields its expiry.
	unsigned, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"exp": exp.Unix()}).
		SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	got, ok = tokenExpiry(unsigned)
	assert.True(t, ok)
	assert.True(t, got.Equal(exp))
}
