package galileo

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testAttemptTimeout is short, so that the stalls below end quickly; every
// test also runs under a context with a deadline.
const testAttemptTimeout = 100 * time.Millisecond

// testContext is the test's context with a deadline well below go test's.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// stallFirst answers nothing to its first `stall` requests, holding them
// until the client gives up on them (or the test ends), and serves the
// others with h.
func stallFirst(t *testing.T, stall int32, h http.HandlerFunc) (http.HandlerFunc, *atomic.Int32) {
	var hits atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= stall {
			stallUntilAbandoned(t, r)
			return
		}
		h(w, r)
	}, &hits
}

// stallUntilAbandoned reads r's body, so that the server notices when the
// client closes the connection, and waits for that (or the test's end).
func stallUntilAbandoned(t *testing.T, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-t.Context().Done():
	}
}

func TestClient_AttemptTimeout_StalledRequestRetried(t *testing.T) {
	h, hits := stallFirst(t, 1, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"id": "p1"})
	})
	c, sleeps, _ := transportClient(t, h, WithJWT("test-jwt-token"), WithAttemptTimeout(testAttemptTimeout))
	var out struct{ ID string }
	_, err := c.call(testContext(t), &request{path: "/projects/p1", idempotent: true}, &out)
	require.NoError(t, err)
	assert.Equal(t, "p1", out.ID)
	assert.EqualValues(t, 2, hits.Load(), "the stalled GET was abandoned and repeated")
	assert.Len(t, sleeps.recorded(), 1)
}

func TestClient_AttemptTimeout_GivesUp(t *testing.T) {
	h, hits := stallFirst(t, 100, nil)
	c, _, _ := transportClient(t, h, WithJWT("test-jwt-token"), WithAttemptTimeout(testAttemptTimeout), WithRetry(2, 0, 0))
	_, err := c.call(testContext(t), &request{path: "/projects/p1", idempotent: true}, nil)
	require.EqualError(t, err, "galileo: GET /projects/p1: giving up after 2 attempts: waiting for the answer: no answer within the attempt timeout of 100ms")
	assert.ErrorIs(t, err, ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's deadline did not end the call")
	assert.EqualValues(t, 2, hits.Load())
}

func TestClient_AttemptTimeout_Login(t *testing.T) {
	tok := transportJWT(t, "login", time.Now().Add(time.Hour))
	var logins atomic.Int32
	h, hits := stallFirst(t, 1, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login/api_key" {
			logins.Add(1)
			writeJSON(w, http.StatusOK, Token{AccessToken: tok})
			return
		}
		writeJSON(w, http.StatusOK, CurrentUser{ID: "u1", Email: "qa@example.com"})
	})
	c, _, _ := transportClient(t, h, WithAPIKey("gk-test-key-1"), WithAttemptTimeout(testAttemptTimeout))
	u, err := c.CurrentUser(testContext(t))
	require.NoError(t, err)
	assert.Equal(t, "u1", u.ID)
	assert.EqualValues(t, 1, logins.Load(), "the stalled login was repeated and answered")
	assert.EqualValues(t, 3, hits.Load(), "stalled login, login, current_user")
}

// A create whose attempt timed out may have been processed: it follows the
// path of a cut connection (look it up, or report an unknown outcome).
func TestClient_AttemptTimeout_CreateOutcomeUnknown(t *testing.T) {
	t.Run("no lookup", func(t *testing.T) {
		h, hits := stallFirst(t, 100, nil)
		c, _, _ := transportClient(t, h, WithJWT("test-jwt-token"), WithAttemptTimeout(testAttemptTimeout))
		_, err := c.call(testContext(t), &request{method: http.MethodPost, path: "/items", body: map[string]string{"name": "n"}}, nil)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrOutcomeUnknown)
		assert.ErrorIs(t, err, ErrAttemptTimeout)
		assert.Contains(t, err.Error(), "not retried, because the request may have reached the server")
		assert.EqualValues(t, 1, hits.Load(), "the create was not repeated")
	})
	t.Run("lookup finds it", func(t *testing.T) {
		api := &createAPI{kill: func(int) *bool { return nil }, items: map[string]string{}}
		stalled := func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				api.ServeHTTP(httptest.NewRecorder(), r) // stored, but the answer never comes
				stallUntilAbandoned(t, r)
				return
			}
			api.ServeHTTP(w, r)
		}
		c, _, _ := transportClient(t, http.HandlerFunc(stalled), WithJWT("test-jwt-token"), WithAttemptTimeout(testAttemptTimeout))
		var out struct{ ID, Name string }
		r := &request{method: http.MethodPost, path: "/items", body: map[string]string{"name": "nightly"}}
		r.onAmbiguous = func(ctx context.Context) (bool, error) {
			var found []struct{ ID, Name string }
			if _, err := c.call(ctx, &request{path: "/items", query: map[string][]string{"name": {"nightly"}}}, &found); err != nil || len(found) == 0 {
				return false, err
			}
			out.ID, out.Name = found[0].ID, found[0].Name
			return true, nil
		}
		_, err := c.call(testContext(t), r, &out)
		require.NoError(t, err)
		assert.Equal(t, "item-1", out.ID)
		api.mu.Lock()
		defer api.mu.Unlock()
		assert.Equal(t, 1, api.creates)
		assert.Len(t, api.items, 1)
	})
}

// A connection that could not even be opened within the attempt timeout
// sent nothing: even a create is repeated.
func TestClient_AttemptTimeout_ConnectStalled(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		writeJSON(w, http.StatusCreated, map[string]string{"id": "item-1"})
	}))
	t.Cleanup(srv.Close)
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			<-ctx.Done() // a SYN lost on its way
			return nil, context.Cause(ctx)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := NewClient(WithBaseURL(srv.URL), WithJWT("test-jwt-token"), WithHTTPClient(&http.Client{Transport: tr}),
		WithAttemptTimeout(testAttemptTimeout))
	require.NoError(t, err)
	c.sleep = (&transportSleeps{}).sleep
	var out struct{ ID string }
	_, err = c.call(testContext(t), &request{method: http.MethodPost, path: "/items", body: map[string]string{"name": "n"}}, &out)
	require.NoError(t, err)
	assert.Equal(t, "item-1", out.ID)
	assert.EqualValues(t, 2, dials.Load())
	assert.EqualValues(t, 1, posts.Load())
}

func TestClient_AttemptTimeout_Disabled(t *testing.T) {
	h, hits := stallFirst(t, 100, nil)
	c, _, _ := transportClient(t, h, WithJWT("test-jwt-token"), WithAttemptTimeout(0))
	ctx, cancel := context.WithTimeout(t.Context(), 3*testAttemptTimeout)
	defer cancel()
	_, err := c.call(ctx, &request{path: "/projects/p1", idempotent: true}, nil)
	require.EqualError(t, err, "galileo: GET /projects/p1: context deadline exceeded")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualValues(t, 1, hits.Load(), "only the caller's context ended the attempt")
}

// The caller's context still bounds every attempt: a deadline shorter than
// the attempt timeout ends the call without a retry.
func TestClient_AttemptTimeout_CallerDeadlineFirst(t *testing.T) {
	h, hits := stallFirst(t, 100, nil)
	c, sleeps, _ := transportClient(t, h, WithJWT("test-jwt-token"), WithAttemptTimeout(time.Hour))
	ctx, cancel := context.WithTimeout(t.Context(), testAttemptTimeout)
	defer cancel()
	_, err := c.call(ctx, &request{method: http.MethodPost, path: "/items", body: map[string]string{"name": "n"}}, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, ErrAttemptTimeout)
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "the interrupted create may have happened")
	assert.Contains(t, err.Error(), "may have reached the server")
	assert.EqualValues(t, 1, hits.Load())
	assert.Empty(t, sleeps.recorded())
}

// streamTransport answers every request at once with headers and a body
// that the test writes later, and cuts the body when the request's context
// ends, as net/http does. When wrote is not nil, it reports the request as
// written (to the request's httptrace) only when wrote is closed, as
// net/http does for a server that answers before reading the whole request.
func streamTransport(body *io.PipeReader, reqs *atomic.Int32, wrote chan struct{}) roundTripFunc {
	return func(r *http.Request) (*http.Response, error) {
		reqs.Add(1)
		if trace := httptrace.ContextClientTrace(r.Context()); trace != nil && wrote != nil {
			go func() {
				select {
				case <-wrote:
					trace.WroteRequest(httptrace.WroteRequestInfo{})
				case <-r.Context().Done():
				}
			}()
		}
		pr, pw := io.Pipe()
		go func() {
			<-r.Context().Done()
			_ = pw.CloseWithError(context.Cause(r.Context()))
		}()
		go func() {
			_, err := io.Copy(pw, body)
			_ = pw.CloseWithError(err)
		}()
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/jsonl"}}, Body: pr}, nil
	}
}

// The attempt timeout covers getting the headers of a streamed export, not
// reading its body, which only the caller's context bounds.
func TestClient_AttemptTimeout_StreamNotCut(t *testing.T) {
	t.Run("request written first", func(t *testing.T) { testStreamNotCut(t, false) })
	// The timer restarts when the request is written, but not once the
	// headers are in.
	t.Run("answered before the request was written", func(t *testing.T) { testStreamNotCut(t, true) })
}

func testStreamNotCut(t *testing.T, wroteLate bool) {
	synctest.Test(t, func(t *testing.T) {
		body, feed := io.Pipe()
		var reqs atomic.Int32
		wrote := make(chan struct{})
		if !wroteLate {
			close(wrote)
		}
		c, err := NewClient(WithBaseURL("http://api.invalid"), WithJWT("test-jwt-token"),
			WithHTTPClient(&http.Client{Transport: streamTransport(body, &reqs, wrote)}), WithAttemptTimeout(time.Second))
		require.NoError(t, err)
		resp, err := c.stream(t.Context(), &request{method: http.MethodPost, path: "/export", idempotent: true})
		require.NoError(t, err)
		lines := make(chan string)
		go func() {
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				b = []byte("error: " + err.Error())
			}
			lines <- string(b)
		}()
		_, _ = io.WriteString(feed, "{\"a\":1}\n")
		if wroteLate {
			close(wrote)
			synctest.Wait()
		}
		time.Sleep(10 * time.Second) // fake time: ten attempt timeouts pass mid-body
		_, _ = io.WriteString(feed, "{\"a\":2}\n")
		_ = feed.Close()
		assert.Equal(t, "{\"a\":1}\n{\"a\":2}\n", <-lines)
		require.NoError(t, resp.Body.Close())
		assert.EqualValues(t, 1, reqs.Load())
		synctest.Wait() // closing the body released the attempt's goroutines
	})
}

// A non-streamed body is read within the attempt timeout: a body that
// stalls is abandoned and the (idempotent) call repeated.
func TestClient_AttemptTimeout_BodyStalled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stalled, _ := io.Pipe() // never written
		var reqs atomic.Int32
		tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if reqs.Add(1) == 1 {
				return streamTransport(stalled, &atomic.Int32{}, nil)(r)
			}
			return jsonResponse(http.StatusOK, `{"id":"p1"}`), nil
		})
		c, err := NewClient(WithBaseURL("http://api.invalid"), WithJWT("test-jwt-token"),
			WithHTTPClient(&http.Client{Transport: tr}), WithAttemptTimeout(time.Second))
		require.NoError(t, err)
		c.sleep = (&transportSleeps{}).sleep
		var out struct{ ID string }
		_, err = c.call(t.Context(), &request{path: "/projects/p1", idempotent: true}, &out)
		require.NoError(t, err)
		assert.Equal(t, "p1", out.ID)
		assert.EqualValues(t, 2, reqs.Load())
		_ = stalled.Close()
		synctest.Wait()
	})
}

func TestNewClient_AttemptTimeoutOption(t *testing.T) {
	c, err := NewClient()
	require.NoError(t, err)
	assert.Equal(t, DefaultAttemptTimeout, c.attemptTimeout)
	assert.Equal(t, 30*time.Second, DefaultAttemptTimeout)
	c, err = NewClient(WithAttemptTimeout(0))
	require.NoError(t, err)
	assert.Zero(t, c.attemptTimeout)
	_, err = NewClient(WithAttemptTimeout(-time.Second))
	require.EqualError(t, err, "galileo: WithAttemptTimeout: negative timeout -1s; expected 0 (none) or more")
}

// The error text of a timed-out attempt, as errors.As sees it.
func TestAttemptTimeoutError(t *testing.T) {
	err := error(&attemptTimeoutError{d: 30 * time.Second})
	assert.Equal(t, "no answer within the attempt timeout of 30s", err.Error())
	assert.ErrorIs(t, err, ErrAttemptTimeout)
	var to interface{ Timeout() bool }
	require.True(t, errors.As(err, &to))
	assert.True(t, to.Timeout(), "reads as a timeout to code that asks")
}
