package galileo

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// funcSource is a pollSource that polls poll at once on request.
type funcSource struct {
	poll func() (*ExperimentResponse, error)
	ch   chan pollResult
}

func newFuncSource(poll func() (*ExperimentResponse, error)) *funcSource {
	return &funcSource{poll: poll, ch: make(chan pollResult, 1)}
}

func (s *funcSource) request() {
	r, err := s.poll()
	s.ch <- pollResult{r, err}
}

func (s *funcSource) results() <-chan pollResult { return s.ch }

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

func (s *clockSource) Poll() (*ExperimentResponse, error) {
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
	resp := &ExperimentResponse{StructuredAggregateMetrics: map[string]MetricAggregates{}}
	if s.progress > 0 {
		resp.Status.LogGeneration = &ExperimentPhaseStatus{ProgressPercent: s.progress}
	}
	if n > 0 {
		avg := 0.9
		resp.StructuredAggregateMetrics["uuid-correctness"] = MetricAggregates{Count: &n, Avg: &avg}
	}
	return resp, nil
}

var oneMetric = []ResolvedMetric{{Metric: "correctness", Key: "uuid-correctness", Scorer: &Scorer{ID: "uuid-correctness"}, Names: []string{"uuid-correctness"}}}

func TestWait_detectsCompletion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &clockSource{start: time.Now(), done: 60 * time.Second, rows: 50}
		calls := 0
		spec := waitSpec{metrics: oneMetric, rows: 50, progress: func(*WaitState) { calls++ }}
		st, err := wait(t.Context(), newFuncSource(src.Poll), spec, defaultWaitPolicy(), realClock{})
		if err != nil {
			t.Fatal(err)
		}
		if !st.Done || st.Metrics[0].Scored != 50 || st.Metrics[0].Aggregates == nil || *st.Metrics[0].Aggregates.Count != 50 {
			t.Fatalf("state = %+v, want done with 50 rows scored", st)
		}
		if late := st.Elapsed - 60*time.Second; late < 0 || late > 6*time.Second {
			t.Errorf("completion at 60s detected at %s, want within 10%%", st.Elapsed)
		}
		if len(src.polls) > 2*31/3 {
			t.Errorf("%d polls, want at most two thirds of a 2s poller's 31: %v", len(src.polls), src.polls)
		}
		if calls != len(src.polls) {
			t.Errorf("progress called %d times for %d polls", calls, len(src.polls))
		}
	})
}

func TestWait_timeoutReturnsLastState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &clockSource{start: time.Now(), done: time.Second, rows: 10, cap: 7, progress: 1}
		cause := errors.New("the experiment's timeout of 20s")
		ctx, cancel := context.WithTimeoutCause(t.Context(), 20*time.Second, cause)
		defer cancel()
		st, err := wait(ctx, newFuncSource(src.Poll), waitSpec{metrics: oneMetric, rows: 10}, defaultWaitPolicy(), realClock{})
		if err != cause {
			t.Fatalf("err = %v, want the timeout's cause", err)
		}
		if st.Metrics[0].Scored != 7 || st.Done {
			t.Errorf("last state %+v, want 7 scored, not done", st.Metrics[0])
		}
		// The last poll lands shortly before the deadline, so the state
		// reported is fresh.
		if last := src.polls[len(src.polls)-1]; last < 19*time.Second {
			t.Errorf("last poll at %s, want just before the 20s deadline; polls %v", last, src.polls)
		}
	})
}

func TestWait_errors(t *testing.T) {
	notFound := &APIError{Status: http.StatusNotFound, Message: "experiment not found"}
	unavailable := &APIError{Status: http.StatusServiceUnavailable, Message: "down"}
	tooMany := &APIError{Status: http.StatusTooManyRequests, Message: "slow down"}
	tests := []struct {
		name      string
		fail      []error
		wantErr   error
		wantPolls int
	}{
		{name: "a 404 stops at once", fail: []error{notFound}, wantErr: notFound, wantPolls: 1},
		{name: "503 and 429 are retried", fail: []error{unavailable, tooMany}, wantErr: nil, wantPolls: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := &clockSource{start: time.Now(), done: 0, rows: 3, fail: tt.fail}
				_, err := wait(t.Context(), newFuncSource(src.Poll), waitSpec{metrics: oneMetric, rows: 3}, defaultWaitPolicy(), realClock{})
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if len(src.polls) != tt.wantPolls {
					t.Errorf("%d polls, want %d", len(src.polls), tt.wantPolls)
				}
			})
		})
	}
}

func TestWait_intervalsAreAFractionOfTheTimeWaited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// No progress at all: nothing predicts completion, so every
		// interval is at most Frac of the time waited (at least the floor),
		// which keeps a late detection within Frac of the completion time.
		src := &clockSource{start: time.Now(), done: time.Hour, rows: 10, cap: -1}
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
		defer cancel()
		pol := defaultWaitPolicy()
		_, _ = wait(ctx, newFuncSource(src.Poll), waitSpec{metrics: oneMetric, rows: 10}, pol, realClock{})
		if src.polls[0] != 0 {
			t.Errorf("first poll at %s, want at once", src.polls[0])
		}
		for i := 1; i < len(src.polls)-1; i++ {
			d := src.polls[i] - src.polls[i-1]
			want := max(time.Duration(pol.Frac*float64(src.polls[i-1])), pol.Floor)
			if d < want-time.Millisecond || d > want+time.Millisecond {
				t.Errorf("interval %d after %s = %s, want %s", i, src.polls[i-1], d, want)
			}
		}
		if n := len(src.polls); n > 60 {
			t.Errorf("%d polls in 3 minutes, want the intervals to grow", n)
		}
	})
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
