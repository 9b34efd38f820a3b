package galileo

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failingAPI answers the first `fail` requests with status (and header), the
// rest with 200 {"ok": true}, recording every request body.
type failingAPI struct {
	fail   int32
	status int
	header map[string]string
	hits   atomic.Int32
	mu     sync.Mutex
	bodies []string
}

func (f *failingAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.hits.Add(1)
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, string(b))
	f.mu.Unlock()
	if n <= f.fail {
		for k, v := range f.header {
			w.Header().Set(k, v)
		}
		writeJSON(w, f.status, map[string]string{"detail": "attempt " + strconv.Itoa(int(n)) + " failed"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func TestRetry_RetryAfter(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		header   string
		wantWait time.Duration
	}{
		{"seconds on 429", http.StatusTooManyRequests, "7", 7 * time.Second},
		{"seconds on 503", http.StatusServiceUnavailable, "3", 3 * time.Second},
		{"HTTP date", http.StatusTooManyRequests, transportEpoch.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{"longer than the max delay", http.StatusTooManyRequests, "60", time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &failingAPI{fail: 1, status: tt.status, header: map[string]string{"Retry-After": tt.header}}
			c, sleeps, _ := transportClient(t, api, WithJWT("test-jwt-token"),
				WithClock(func() time.Time { return transportEpoch }))
			resp, err := c.call(context.Background(), &request{method: http.MethodGet, path: "/projects"}, nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.status)
			assert.EqualValues(t, 2, api.hits.Load())
			assert.Equal(t, []time.Duration{tt.wantWait}, sleeps.recorded())
		})
	}
}

func TestRetry_Statuses(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		idempotent bool
		status     int
		wantHits   int32
		wantErr    string
	}{
		{"501 is final", http.MethodGet, true, 501, 1, "galileo: GET /items: 501 Not Implemented: attempt 1 failed"},
		{"400 is final", http.MethodGet, true, 400, 1, "galileo: GET /items: 400 Bad Request: attempt 1 failed"},
		{"404 is final", http.MethodGet, true, 404, 1, "galileo: GET /items: 404 Not Found: attempt 1 failed"},
		{"422 is final", http.MethodPost, true, 422, 1, "galileo: POST /items: 422 Unprocessable Entity: attempt 1 failed"},
		{"503 until the end", http.MethodGet, true, 503, 4,
			"galileo: GET /items: giving up after 4 attempts: 503 Service Unavailable: attempt 4 failed"},
		{"500", http.MethodGet, false, 500, 4, "galileo: GET /items: giving up after 4 attempts: 500 Internal Server Error: attempt 4 failed"},
		{"502", http.MethodDelete, false, 502, 4, "galileo: DELETE /items: giving up after 4 attempts: 502 Bad Gateway: attempt 4 failed"},
		{"504 on PUT", http.MethodPut, false, 504, 4, "galileo: PUT /items: giving up after 4 attempts: 504 Gateway Timeout: attempt 4 failed"},
		{"408", http.MethodGet, true, 408, 4, "galileo: GET /items: giving up after 4 attempts: 408 Request Timeout: attempt 4 failed"},
		{"429", http.MethodGet, true, 429, 4, "galileo: GET /items: giving up after 4 attempts: 429 Too Many Requests: attempt 4 failed"},
		{"idempotent POST on 503", http.MethodPost, true, 503, 4,
			"galileo: POST /items: giving up after 4 attempts: 503 Service Unavailable: attempt 4 failed"},
		{"create on 429 (not processed)", http.MethodPost, false, 429, 4,
			"galileo: POST /items: giving up after 4 attempts: 429 Too Many Requests: attempt 4 failed"},
		{"create on 503 (maybe processed)", http.MethodPost, false, 503, 1,
			"galileo: POST /items: not retried, because the request may have reached the server and repeating it could create a duplicate: 503 Service Unavailable: attempt 1 failed"},
		{"create on 408", http.MethodPost, false, 408, 1,
			"galileo: POST /items: not retried, because the request may have reached the server and repeating it could create a duplicate: 408 Request Timeout: attempt 1 failed"},
		{"PATCH on 500", http.MethodPatch, false, 500, 1,
			"galileo: PATCH /items: not retried, because the request may have reached the server and repeating it could create a duplicate: 500 Internal Server Error: attempt 1 failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &failingAPI{fail: 100, status: tt.status}
			c, sleeps, _ := transportClient(t, api, WithJWT("test-jwt-token"))
			_, err := c.call(context.Background(), &request{method: tt.method, path: "/items", idempotent: tt.idempotent, body: map[string]int{"n": 1}}, nil)
			require.EqualError(t, err, tt.wantErr)
			assert.Equal(t, tt.wantHits, api.hits.Load(), "server hits")
			assert.Len(t, sleeps.recorded(), int(tt.wantHits-1), "waits")
			var e *APIError
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.status, e.Status)
			assert.Equal(t, strings.Contains(tt.wantErr, "not retried"), errors.Is(err, ErrOutcomeUnknown),
				"matches ErrOutcomeUnknown exactly when the request may have been processed")
		})
	}
}

// Even with no attempt left, an ambiguous failure of a create says that it
// may have been processed.
func TestRetry_AmbiguousCreateLastAttempt(t *testing.T) {
	api := &failingAPI{fail: 100, status: http.StatusBadGateway}
	c, _, _ := transportClient(t, api, WithJWT("test-jwt-token"), WithRetry(1, 0, 0))
	_, err := c.call(context.Background(), &request{method: http.MethodPost, path: "/items", body: map[string]int{"n": 1}}, nil)
	require.EqualError(t, err, "galileo: POST /items: not retried, because the request may have reached the server and repeating it could create a duplicate: 502 Bad Gateway: attempt 1 failed")
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.EqualValues(t, 1, api.hits.Load(), "server hits")
}

func TestRetry_Backoff(t *testing.T) {
	api := &failingAPI{fail: 100, status: http.StatusServiceUnavailable}
	c, sleeps, _ := transportClient(t, api, WithJWT("test-jwt-token"), WithRetry(6, 100*time.Millisecond, 400*time.Millisecond))
	_, err := c.call(context.Background(), &request{path: "/items"}, nil)
	require.ErrorContains(t, err, "giving up after 6 attempts")
	waits := sleeps.recorded()
	require.Len(t, waits, 5)
	// Doubling from 100ms, capped at 400ms, each randomized by ±50%.
	for i, base := range []time.Duration{100, 200, 400, 400, 400} {
		base *= time.Millisecond
		assert.GreaterOrEqual(t, waits[i], base/2, "wait %d", i)
		assert.LessOrEqual(t, waits[i], base*3/2, "wait %d", i)
	}
}

func TestRetry_BodyResent(t *testing.T) {
	api := &failingAPI{fail: 2, status: http.StatusBadGateway}
	c, _, _ := transportClient(t, api, WithJWT("test-jwt-token"))
	var out struct{ OK bool }
	_, err := c.call(context.Background(), &request{method: http.MethodPost, path: "/items/search", idempotent: true,
		body: map[string]any{"filters": []string{"a"}, "limit": 10}}, &out)
	require.NoError(t, err)
	assert.True(t, out.OK)
	want := `{"filters":["a"],"limit":10}`
	assert.Equal(t, []string{want, want, want}, api.bodies)
}

func TestRetry_Disabled(t *testing.T) {
	api := &failingAPI{fail: 100, status: http.StatusServiceUnavailable}
	c, sleeps, _ := transportClient(t, api, WithJWT("test-jwt-token"), WithRetry(1, 0, 0))
	_, err := c.call(context.Background(), &request{path: "/items"}, nil)
	require.EqualError(t, err, "galileo: GET /items: 503 Service Unavailable: attempt 1 failed")
	assert.EqualValues(t, 1, api.hits.Load())
	assert.Empty(t, sleeps.recorded())
}

func TestRetry_ConnectionRefused(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			srv := httptest.NewServer(http.NotFoundHandler())
			srv.Close() // nothing listens there any more
			c, err := NewClient(WithBaseURL(srv.URL), WithJWT("test-jwt-token"))
			require.NoError(t, err)
			sleeps := &transportSleeps{}
			c.sleep = sleeps.sleep
			_, err = c.call(context.Background(), &request{method: method, path: "/items", body: map[string]int{"n": 1}}, nil)
			require.Error(t, err)
			assert.Regexp(t, `^galileo: `+method+` /items: giving up after 4 attempts: connection failed: dial tcp 127\.0\.0\.1:\d+: connect: connection refused$`, err.Error())
			assert.ErrorIs(t, err, syscall.ECONNREFUSED)
			assert.Len(t, sleeps.recorded(), 3, "nothing was sent, so even a create is retried")
		})
	}
}

func TestRetry_ContextEnds(t *testing.T) {
	t.Run("during a wait", func(t *testing.T) {
		api := &failingAPI{fail: 100, status: http.StatusServiceUnavailable}
		c, sleeps, _ := transportClient(t, api, WithJWT("test-jwt-token"))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		sleeps.hook = cancel
		_, err := c.call(ctx, &request{path: "/items"}, nil)
		require.EqualError(t, err, "galileo: GET /items: context canceled after 1 attempt; last error: 503 Service Unavailable: attempt 1 failed")
		assert.ErrorIs(t, err, context.Canceled)
		var e *APIError
		require.ErrorAs(t, err, &e, "the last failure stays reachable")
		assert.Equal(t, http.StatusServiceUnavailable, e.Status)
		assert.EqualValues(t, 1, api.hits.Load())
	})
	t.Run("before the call", func(t *testing.T) {
		api := &failingAPI{}
		c, _, _ := transportClient(t, api, WithJWT("test-jwt-token"))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.call(ctx, &request{path: "/items"}, nil)
		require.EqualError(t, err, "galileo: GET /items: context canceled")
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, api.hits.Load())
	})
	t.Run("real wait, deadline", func(t *testing.T) {
		api := &failingAPI{fail: 100, status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "3600"}}
		srv := httptest.NewServer(api)
		defer srv.Close()
		c, err := NewClient(WithBaseURL(srv.URL), WithJWT("test-jwt-token"))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err = c.call(ctx, &request{path: "/items"}, nil)
		require.EqualError(t, err, "galileo: GET /items: context deadline exceeded after 1 attempt; last error: 429 Too Many Requests: attempt 1 failed")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorIs(t, err, ErrRateLimited)
	})
}

// createAPI stores items by name. POST /items creates one; GET /items?name=
// looks one up. kill decides, per create attempt, whether the connection is
// cut before (false) or after (true) the item is stored, or not at all (nil).
type createAPI struct {
	kill    func(attempt int) *bool
	status  int // when non-zero, answer creates with it after storing
	mu      sync.Mutex
	items   map[string]string
	creates int
	lookups int
}

func (a *createAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		a.lookups++
		if id, ok := a.items[r.URL.Query().Get("name")]; ok {
			writeJSON(w, http.StatusOK, []map[string]string{{"id": id, "name": r.URL.Query().Get("name")}})
			return
		}
		writeJSON(w, http.StatusOK, []map[string]string{})
	case http.MethodPost:
		a.creates++
		var in struct{ Name string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		store := func() string {
			id := "item-" + strconv.Itoa(len(a.items)+1)
			a.items[in.Name] = id
			return id
		}
		if k := a.kill(a.creates); k != nil {
			if *k {
				store()
			}
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		id := store()
		if a.status != 0 {
			writeJSON(w, a.status, map[string]string{"detail": "upstream timeout"})
			return
		}
		writeJSON(w, http.StatusCreated, map[string]string{"id": id, "name": in.Name})
	}
}

func TestRetry_AmbiguousCreate(t *testing.T) {
	after, before := true, false
	tests := []struct {
		name        string
		kill        func(attempt int) *bool
		status      int
		hook        bool
		lookupErr   bool
		wantErr     string
		wantCreates int
		wantStored  int
		wantLookups int
		wantStatus  int
	}{
		{name: "processed, then the connection dies: found by the lookup",
			kill: func(n int) *bool { return &after }, hook: true,
			wantCreates: 1, wantStored: 1, wantLookups: 1, wantStatus: http.StatusOK},
		{name: "connection dies before processing: retried once",
			kill: func(n int) *bool {
				if n == 1 {
					return &before
				}
				return nil
			}, hook: true,
			wantCreates: 2, wantStored: 1, wantLookups: 1, wantStatus: http.StatusCreated},
		{name: "processed, then 504: found by the lookup",
			kill: func(int) *bool { return nil }, status: http.StatusGatewayTimeout, hook: true,
			wantCreates: 1, wantStored: 1, wantLookups: 1, wantStatus: http.StatusOK},
		{name: "no lookup: not retried",
			kill:        func(n int) *bool { return &after },
			wantCreates: 1, wantStored: 1,
			wantErr: "galileo: POST /items: not retried, because the request may have reached the server and repeating it could create a duplicate: " +
				"connection failed: "},
		{name: "lookup fails",
			kill: func(n int) *bool { return &after }, hook: true, lookupErr: true,
			wantCreates: 1, wantStored: 1,
			wantErr: "galileo: POST /items: the request may have reached the server (connection failed: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &createAPI{kill: tt.kill, status: tt.status, items: map[string]string{}}
			c, _, _ := transportClient(t, api, WithJWT("test-jwt-token"))
			var out struct{ ID, Name string }
			r := &request{method: http.MethodPost, path: "/items", body: map[string]string{"name": "nightly"}}
			if tt.hook {
				r.onAmbiguous = func(ctx context.Context) (bool, error) {
					if tt.lookupErr {
						return false, errors.New("lookup broke")
					}
					var found []struct{ ID, Name string }
					if _, err := c.call(ctx, &request{path: "/items", query: map[string][]string{"name": {"nightly"}}}, &found); err != nil {
						return false, err
					}
					if len(found) == 0 {
						return false, nil
					}
					out.ID, out.Name = found[0].ID, found[0].Name
					return true, nil
				}
			}
			resp, err := c.call(context.Background(), r, &out)
			if tt.wantErr != "" {
				// The text of a cut connection varies (EOF, reset).
				require.Error(t, err)
				assert.True(t, strings.HasPrefix(err.Error(), tt.wantErr), err.Error())
				var te *transportError
				assert.ErrorAs(t, err, &te, "the connection failure stays reachable")
				assert.ErrorIs(t, err, ErrOutcomeUnknown)
				if tt.lookupErr {
					assert.True(t, strings.HasSuffix(err.Error(), "), and looking it up failed: lookup broke"), err.Error())
				}
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.wantStatus, resp.status)
				assert.Equal(t, "item-1", out.ID)
				assert.Equal(t, "nightly", out.Name)
			}
			api.mu.Lock()
			defer api.mu.Unlock()
			assert.Equal(t, tt.wantCreates, api.creates, "create requests")
			assert.Len(t, api.items, tt.wantStored, "items stored")
			assert.Equal(t, tt.wantLookups, api.lookups, "lookups")
		})
	}
}

func TestRetry_ReadBodyFailure(t *testing.T) {
	var hits atomic.Int32
	c, _, _ := transportClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			// Promise more than is sent, then cut the connection.
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, `{"id":`)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": "p1"})
	}), WithJWT("test-jwt-token"))
	var out struct{ ID string }
	_, err := c.call(context.Background(), &request{path: "/projects/p1"}, &out)
	require.NoError(t, err)
	assert.Equal(t, "p1", out.ID)
	assert.EqualValues(t, 2, hits.Load(), "a GET whose answer broke off is repeated")
}
