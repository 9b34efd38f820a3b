package galileotest

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/galileo"
)

// handlerTransport serves a client's requests with a handler in memory,
// so that the client and the emulator share a testing/synctest bubble and
// its fake clock: minutes of scoring take milliseconds.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// atCompletionRun is one wait on the emulator in at-completion mode.
type atCompletionRun struct {
	done, seen time.Duration // completion, and its detection, after the wait started
	requests   int64         // every request the wait made
}

// waitAtCompletion scores rows rows over about T on an emulator that
// publishes aggregates only when every row is scored, and waits for them
// with WaitForMetrics, on a fake clock.
func waitAtCompletion(t *testing.T, T time.Duration, rows int) atCompletionRun {
	var out atCompletionRun
	synctest.Test(t, func(t *testing.T) {
		var requests atomic.Int64
		var counting atomic.Bool
		emu, err := emulator.NewUnstarted(emulator.Options{Seed: 1, ScoringDelay: T / time.Duration(rows), PublishAggregates: emulator.PublishAtCompletion})
		if err != nil {
			t.Fatal(err)
		}
		defer emu.Close()
		h := emu.Handler()
		count := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if counting.Load() {
				requests.Add(1)
			}
			h.ServeHTTP(w, r)
		})
		c, err := galileo.NewClient(galileo.WithBaseURL("http://emulator.test"), galileo.WithAPIKey(emulator.DefaultAPIKey),
			galileo.WithHTTPClient(&http.Client{Transport: handlerTransport{count}}))
		if err != nil {
			t.Fatal(err)
		}
		p, err := emu.CreateProject("at-completion")
		if err != nil {
			t.Fatal(err)
		}
		exp := scoredExperiment(t, emu, c, p.ID, "paced", rows)
		start := time.Now()
		// A watcher notes when the aggregates appear, to 10ms.
		ctx, cancel := context.WithTimeout(t.Context(), 10*T+time.Minute)
		defer cancel()
		completed := make(chan time.Duration, 1)
		go func() {
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				if x, ok := emu.Experiment(exp.ID()); ok && len(x.StructuredAggregateMetrics) > 0 {
					completed <- time.Since(start)
					return
				}
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
		counting.Store(true)
		st, err := exp.WaitForMetrics(ctx, &galileo.WaitOptions{Progress: func(st *galileo.WaitState) {
			if debugWait {
				t.Logf("%s rows=%d gen=%v traces=%v scored=%d reported=%v req=%d", st.Elapsed, st.Rows, *st.Generated, st.Response.NumTraces, st.Metrics[0].Scored, st.Metrics[0].Reported, requests.Load())
			}
		}}, galileo.MetricCorrectness)
		counting.Store(false)
		if err != nil {
			t.Fatal(err)
		}
		out = atCompletionRun{done: <-completed, seen: st.Elapsed, requests: requests.Load()}
	})
	return out
}

// TestWaitForMetrics_atCompletion measures the wait against an emulator
// that publishes aggregates only at completion (the "all at once" shape
// for the aggregates; the records still show each row's status, which the
// wait recounts once the counts stall), for 50 rows scored over T, against
// a fixed 2-second poller of random phase. It guards a median delay of at
// most 10% of T, and from T = 2m on at most half the fixed poller's
// requests. Run with -v for the table of the README:
//
//	go test ./galileotest -run TestWaitForMetrics_atCompletion -v
func TestWaitForMetrics_atCompletion(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, T := range []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute} {
		const runs = 5
		var delays, fixedDelays []time.Duration
		var requests, fixedRequests float64
		for range runs {
			T1 := time.Duration(float64(T) * (0.9 + 0.2*rng.Float64()))
			r := waitAtCompletion(t, T1, 50)
			delays = append(delays, r.seen-r.done)
			requests += float64(r.requests) / runs
			phase := time.Duration(rng.Float64() * float64(2*time.Second))
			n := max(int(math.Ceil((r.done-phase).Seconds()/2)), 0)
			fixedDelays = append(fixedDelays, phase+time.Duration(n)*2*time.Second-r.done)
			fixedRequests += float64(n+1) / runs
		}
		slices.Sort(delays)
		slices.Sort(fixedDelays)
		med, fmed := delays[runs/2], fixedDelays[runs/2]
		t.Logf("at-completion T=%-5s median delay %5.1f%% of T (fixed 2s: %5.1f%%)  requests %5.1f (fixed %5.1f)",
			T, 100*med.Seconds()/T.Seconds(), 100*fmed.Seconds()/T.Seconds(), requests, fixedRequests)
		if med > T/10 {
			t.Errorf("T=%s: median delay %s, want <= 10%% of T", T, med)
		}
		if T >= 2*time.Minute && requests > fixedRequests/2 {
			t.Errorf("T=%s: %.1f requests, want at most half the fixed poller's %.1f", T, requests, fixedRequests)
		}
	}
}

var debugWait = false
