package galileotest

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/galileo"
)

// fault is what the proxy does with one request.
type fault int

const (
	faultNone       fault = iota
	fault503              // answered 503 without reaching the server
	fault429              // answered 429 with Retry-After: 0 without reaching the server
	faultDropBefore       // connection closed without reaching the server
	faultDropAfter        // served by the server, then the connection closed without the answer
	faultSlow             // served after a delay
	faultStall            // never answered: held until the client gives up, not served
)

func (f fault) String() string {
	return [...]string{"none", "503", "429", "drop-before", "drop-after", "slow", "stall"}[f]
}

// faultProxy is a reverse proxy in front of an emulator that injects
// faults into the requests that decide picks. It is the network between
// the harness and a flaky server.
type faultProxy struct {
	ts     *httptest.Server
	rp     *httputil.ReverseProxy
	decide func(r *http.Request) fault

	mu    sync.Mutex
	fired map[fault]int
}

// newFaultProxy starts a proxy to emu; decide may be nil (no faults).
func newFaultProxy(t testing.TB, emu *emulator.Server, decide func(r *http.Request) fault) *faultProxy {
	t.Helper()
	target, err := url.Parse(emu.URL())
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{rp: httputil.NewSingleHostReverseProxy(target), decide: decide, fired: map[fault]int{}}
	p.ts = httptest.NewServer(p)
	t.Cleanup(p.ts.Close)
	return p
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := faultNone
	if p.decide != nil {
		f = p.decide(r)
	}
	p.mu.Lock()
	p.fired[f]++
	p.mu.Unlock()
	switch f {
	case fault503:
		http.Error(w, `{"detail":"service unavailable"}`, http.StatusServiceUnavailable)
	case fault429:
		w.Header().Set("Retry-After", "0")
		http.Error(w, `{"detail":"rate limited"}`, http.StatusTooManyRequests)
	case faultDropBefore:
		hijackClose(w)
	case faultDropAfter:
		rec := httptest.NewRecorder()
		p.rp.ServeHTTP(rec, r)
		hijackClose(w)
	case faultStall:
		// Read the body first: the server notices the client going away
		// (its attempt timeout) only once the body is consumed.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second): // bound the handler, whatever the client does
		}
	case faultSlow:
		select {
		case <-time.After(30 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		p.rp.ServeHTTP(w, r)
	default:
		p.rp.ServeHTTP(w, r)
	}
}

// hijackClose closes the connection without an answer.
func hijackClose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// client returns a client for the emulator behind the proxy, with quick
// retries so that faults cost milliseconds.
func (p *faultProxy) client(t testing.TB, emu *emulator.Server, opts ...galileo.Option) *galileo.Client {
	t.Helper()
	c, err := galileo.NewClient(append([]galileo.Option{
		galileo.WithBaseURL(p.ts.URL), galileo.WithAPIKey(emu.APIKey()),
		galileo.WithConsoleURL("https://console.example.test"),
		galileo.WithRetry(8, 2*time.Millisecond, 20*time.Millisecond),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// count returns how often a fault fired.
func (p *faultProxy) count(f fault) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fired[f]
}

// once returns a decide function that applies f to the first request
// whose "METHOD path" matches method and path suffix, and nothing else.
func once(method, pathSuffix string, f fault) func(*http.Request) fault {
	var mu sync.Mutex
	done := false
	return func(r *http.Request) fault {
		mu.Lock()
		defer mu.Unlock()
		if !done && r.Method == method && strings.HasSuffix(r.URL.Path, pathSuffix) {
			done = true
			return f
		}
		return faultNone
	}
}

// randomFaults returns a decide function that faults a share rate of the
// requests, drawn from a generator seeded with seed, with every kind of
// fault equally likely.
func randomFaults(seed uint64, rate float64) func(*http.Request) fault {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func(*http.Request) fault {
		mu.Lock()
		defer mu.Unlock()
		if rng.Float64() >= rate {
			return faultNone
		}
		return fault(1 + rng.IntN(int(faultStall)))
	}
}
