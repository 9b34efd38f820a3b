package galileotest

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/galileo-community/galileo-go/galileo"
)

// simClock is a simulated clock: a timer fires at once, moving the time
// forward by its duration. The wait loop is the only goroutine using it.
type simClock struct{ now time.Time }

func (c *simClock) Now() time.Time          { return c.now }
func (c *simClock) NewTimer() backoff.Timer { return &simTimer{c: c, ch: make(chan time.Time, 1)} }

type simTimer struct {
	c  *simClock
	ch chan time.Time
}

func (t *simTimer) Start(d time.Duration) {
	t.c.now = t.c.now.Add(d)
	select {
	case <-t.ch:
	default:
	}
	t.ch <- t.c.now
}
func (t *simTimer) Stop()               {}
func (t *simTimer) C() <-chan time.Time { return t.ch }

// linearSource is an experiment whose rows are scored at a steady pace,
// the last one at done after the start.
type linearSource struct {
	clk     *simClock
	start   time.Time
	done    time.Duration
	rows    int
	metrics []string
	polls   int
	seenAt  time.Duration // when a poll first saw every row scored
}

func (s *linearSource) Poll(context.Context) (*galileo.ExperimentResponse, error) {
	s.polls++
	el := s.clk.now.Sub(s.start)
	n := int64(float64(s.rows) * el.Seconds() / s.done.Seconds())
	if n > int64(s.rows) {
		n = int64(s.rows)
	}
	resp := &galileo.ExperimentResponse{StructuredAggregateMetrics: map[string]galileo.MetricAggregates{}}
	if n > 0 {
		for _, m := range s.metrics {
			c := n
			resp.StructuredAggregateMetrics[m] = galileo.MetricAggregates{Count: &c}
		}
	}
	if n == int64(s.rows) && s.seenAt == 0 {
		s.seenAt = el
	}
	return resp, nil
}

// simulateWait runs the harness's wait against a linear source and returns
// the detection delay and the number of polls.
func simulateWait(done time.Duration, rows int) (time.Duration, int) {
	clk := &simClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	src := &linearSource{clk: clk, start: clk.now, done: done, rows: rows, metrics: []string{"a", "b"}}
	spec := waitSpec{label: "sim", rows: rows, need: rows, metrics: []metricKey{{"a", "a"}, {"b", "b"}}}
	if _, err := wait(context.Background(), src, spec, defaultWaitPolicy(), clk, nil); err != nil {
		panic(err)
	}
	return src.seenAt - done, src.polls
}

// fixedPoller returns the detection delay and polls of a poller that polls
// every interval, starting at once.
func fixedPoller(done, interval time.Duration) (time.Duration, int) {
	n := int(math.Ceil(done.Seconds() / interval.Seconds()))
	return time.Duration(n)*interval - done, n + 1
}

var detectionTimes = []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute}

type detectionRow struct {
	done        time.Duration
	medianDelay time.Duration
	meanPolls   float64
	fixedDelay  time.Duration
	fixedPolls  int
}

func measureDetection(runs, rows int) []detectionRow {
	var out []detectionRow
	for _, done := range detectionTimes {
		delays := make([]time.Duration, runs)
		polls := 0
		for i := range runs {
			d, p := simulateWait(done, rows)
			delays[i] = d
			polls += p
		}
		slices.Sort(delays)
		fd, fp := fixedPoller(done, 2*time.Second)
		out = append(out, detectionRow{done, delays[runs/2], float64(polls) / float64(runs), fd, fp})
	}
	return out
}

// TestWait_detectionTargets guards the waiting performance on a simulated
// clock: for scoring that completes after 1s to 2m with steady progress,
// the median delay between completion and its detection is at most 10% of
// the completion time, and the wait makes at most a third of the requests
// a fixed 2-second poller makes over the same runs.
func TestWait_detectionTargets(t *testing.T) {
	for _, rows := range []int{10, 50, 1000} {
		var polls, fixed float64
		for _, r := range measureDetection(101, rows) {
			ratio := r.medianDelay.Seconds() / r.done.Seconds()
			if ratio > 0.10 {
				t.Errorf("rows=%d T=%s: median detection delay %s = %.1f%% of T, want <= 10%%", rows, r.done, r.medianDelay, 100*ratio)
			}
			polls += r.meanPolls
			fixed += float64(r.fixedPolls)
		}
		if polls > fixed/3 {
			t.Errorf("rows=%d: %.1f polls over all completion times, want <= a third of the fixed 2s poller's %v", rows, polls, fixed)
		}
	}
}

// BenchmarkWaitDetection measures the wait against a fixed 2-second poller
// on a simulated clock (no HTTP, no real time): scoring completes after T
// with steady progress over 50 rows. Per T it reports the median detection
// delay as a fraction of T (delay/T), the mean polls (polls) and the fixed
// poller's polls (fixed-polls) and delay (fixed-delay/T).
//
//	go test ./galileotest -run '^$' -bench BenchmarkWaitDetection
func BenchmarkWaitDetection(b *testing.B) {
	for _, done := range detectionTimes {
		b.Run("T="+done.String(), func(b *testing.B) {
			delays := make([]time.Duration, 0, b.N)
			polls := 0
			for b.Loop() {
				d, p := simulateWait(done, 50)
				delays = append(delays, d)
				polls += p
			}
			slices.Sort(delays)
			fd, fp := fixedPoller(done, 2*time.Second)
			b.ReportMetric(delays[len(delays)/2].Seconds()/done.Seconds(), "delay/T")
			b.ReportMetric(float64(polls)/float64(len(delays)), "polls")
			b.ReportMetric(fd.Seconds()/done.Seconds(), "fixed-delay/T")
			b.ReportMetric(float64(fp), "fixed-polls")
		})
	}
}
