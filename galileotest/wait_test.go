package galileotest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

// clockSource is a fake experiment on the real clock (a synctest bubble's
// fake one in these tests): rows are scored at a steady pace, the last one
// done after the start; fail answers the first polls with errors.
type clockSource struct {
	mu       sync.Mutex
	start    time.Time
	done     time.Duration
	rows     int
	cap      int // stop scoring here (0: no cap)
	fail     []error
	polls    []time.Duration
	progress float64
}

func (s *clockSource) Poll(ctx context.Context) (*galileo.ExperimentResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el := time.Since(s.start)
	s.polls = append(s.polls, el)
	if len(s.fail) > 0 {
		err := s.fail[0]
		s.fail = s.fail[1:]
		return nil, err
	}
	n := int64(s.rows)
	if el < s.done {
		n = int64(float64(s.rows) * el.Seconds() / s.done.Seconds())
	}
	if s.cap != 0 {
		n = min(n, int64(s.cap))
	}
	resp := &galileo.ExperimentResponse{StructuredAggregateMetrics: map[string]galileo.MetricAggregates{}}
	if s.progress > 0 {
		resp.Status.LogGeneration = &galileo.ExperimentPhaseStatus{ProgressPercent: s.progress}
	}
	if n > 0 {
		avg := 0.9
		resp.StructuredAggregateMetrics["uuid-correctness"] = galileo.MetricAggregates{Count: &n, Avg: &avg}
	}
	return resp, nil
}

var oneMetric = []metricKey{{Metric: "correctness", Key: "uuid-correctness"}}

func TestWait_detectsCompletionAndLogsProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &clockSource{start: time.Now(), done: 60 * time.Second, rows: 50}
		var lines []string
		logf := func(f string, a ...any) { lines = append(lines, sprintf(f, a...)) }
		st, err := wait(t.Context(), src, waitSpec{label: "support-bot", metrics: oneMetric, rows: 50, need: 50}, defaultWaitPolicy(), realClock{}, logf)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Done || st.Scored["uuid-correctness"] != 50 {
			t.Fatalf("state = %+v, want done with 50 rows scored", st)
		}
		if late := st.Elapsed - 60*time.Second; late < 0 || late > 6*time.Second {
			t.Errorf("completion at 60s detected at %s, want within 10%%", st.Elapsed)
		}
		if len(src.polls) > 31/3 {
			t.Errorf("%d polls, want at most a third of a 2s poller's 31: %v", len(src.polls), src.polls)
		}
		last := lines[len(lines)-1]
		if !strings.HasPrefix(last, "support-bot: 50/50 rows scored (correctness 50/50) after 1m") {
			t.Errorf("last progress line = %q", last)
		}
		if len(lines) > len(src.polls) || len(lines) < 2 {
			t.Errorf("%d progress lines for %d polls: %q", len(lines), len(src.polls), lines)
		}
	})
}

func sprintf(f string, a ...any) string { return strings.TrimSpace(fmt.Sprintf(f, a...)) }

func TestWait_progressLinesAreRateLimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Scoring never finishes; the wait polls at the backoff's cap
		// (30s) at most, and logs at most every 5s plus phase changes.
		src := &clockSource{start: time.Now(), done: time.Hour, rows: 1000}
		pol := defaultWaitPolicy()
		pol.Max = time.Second // poll often, to test the log limit
		var times []time.Duration
		start := time.Now()
		logf := func(string, ...any) { times = append(times, time.Since(start)) }
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		_, err := wait(ctx, src, waitSpec{label: "x", metrics: oneMetric, rows: 1000, need: 1000}, pol, realClock{}, logf)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the deadline", err)
		}
		for i := 2; i < len(times); i++ { // the first two are phase changes
			if d := times[i] - times[i-1]; d < pol.LogEvery {
				t.Errorf("progress lines %d and %d are %s apart, want >= %s", i-1, i, d, pol.LogEvery)
			}
		}
		if len(src.polls) < 2*len(times) {
			t.Errorf("%d polls but %d lines: lines are not rate-limited", len(src.polls), len(times))
		}
	})
}

func TestWait_timeoutReturnsLastState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &clockSource{start: time.Now(), done: time.Second, rows: 10, cap: 7, progress: 1}
		ctx, cancel := context.WithTimeoutCause(t.Context(), 20*time.Second, &deadlineCause{"the experiment's timeout of 20s"})
		defer cancel()
		st, err := wait(ctx, src, waitSpec{label: "x", metrics: oneMetric, rows: 10, need: 10}, defaultWaitPolicy(), realClock{}, nil)
		if err == nil || err.Error() != "the experiment's timeout of 20s" {
			t.Fatalf("err = %v, want the timeout's cause", err)
		}
		if st.Scored["uuid-correctness"] != 7 || st.Done {
			t.Errorf("last state %+v, want 7 scored, not done", st.Scored)
		}
		// The last poll lands shortly before the deadline, so the state
		// reported is fresh.
		if last := src.polls[len(src.polls)-1]; last < 19*time.Second {
			t.Errorf("last poll at %s, want just before the 20s deadline; polls %v", last, src.polls)
		}
	})
}

func TestWait_errors(t *testing.T) {
	notFound := &galileo.APIError{Status: http.StatusNotFound, Message: "experiment not found"}
	unavailable := &galileo.APIError{Status: http.StatusServiceUnavailable, Message: "down"}
	tooMany := &galileo.APIError{Status: http.StatusTooManyRequests, Message: "slow down"}
	tests := []struct {
		name      string
		fail      []error
		wantErr   error
		wantPolls int
	}{
		{name: "a 404 stops at once", fail: []error{notFound}, wantErr: notFound, wantPolls: 1},
		{name: "503 and 429 are retried", fail: []error{unavailable, tooMany}, wantErr: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := &clockSource{start: time.Now(), done: 0, rows: 3, fail: tt.fail}
				_, err := wait(t.Context(), src, waitSpec{label: "x", metrics: oneMetric, rows: 3, need: 3}, defaultWaitPolicy(), realClock{}, nil)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if tt.wantPolls > 0 && len(src.polls) != tt.wantPolls {
					t.Errorf("%d polls, want %d", len(src.polls), tt.wantPolls)
				}
			})
		})
	}
}

func TestWait_backoffIsTheUpperBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// No progress at all: the intervals follow the exponential backoff
		// (x3, 20% jitter) up to its 30s cap.
		src := &clockSource{start: time.Now(), done: time.Hour, rows: 10, cap: -1}
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
		defer cancel()
		pol := defaultWaitPolicy()
		_, _ = wait(ctx, src, waitSpec{label: "x", metrics: oneMetric, rows: 10, need: 10}, pol, realClock{}, nil)
		if src.polls[0] != pol.FirstPoll {
			t.Errorf("first poll at %s, want %s", src.polls[0], pol.FirstPoll)
		}
		for i := 1; i < len(src.polls)-1; i++ {
			d := src.polls[i] - src.polls[i-1]
			want := min(time.Duration(float64(pol.Initial)*pow(pol.Multiplier, i-1)), pol.Max)
			lo, hi := time.Duration(float64(want)*(1-pol.Jitter)), time.Duration(float64(want)*(1+pol.Jitter))
			if d < lo || d > hi {
				t.Errorf("interval %d = %s, want %s..%s", i, d, lo, hi)
			}
		}
	})
}

func pow(b float64, n int) float64 {
	r := 1.0
	for range n {
		r *= b
	}
	return r
}

func TestEstimator_completion(t *testing.T) {
	tests := []struct {
		name string
		obs  []obsPoint
		want time.Duration
		ok   bool
	}{
		{name: "nothing yet", obs: []obsPoint{{time.Second, 0}}, ok: false},
		{name: "one point, from the start", obs: []obsPoint{{0, 0}, {time.Second, 9.5}}, want: 10 * time.Second, ok: true},
		{name: "two points", obs: []obsPoint{{time.Second, 10}, {3 * time.Second, 30}}, want: 3*time.Second + time.Duration(69.5/10*float64(time.Second)), ok: true},
		{name: "done", obs: []obsPoint{{time.Second, 10}, {5 * time.Second, 100}}, want: 5 * time.Second, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &estimator{target: 100, obs: tt.obs}
			got, ok := e.completion()
			if ok != tt.ok || (ok && (got-tt.want > time.Millisecond || tt.want-got > time.Millisecond)) {
				t.Errorf("completion() = %s, %v; want %s, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
