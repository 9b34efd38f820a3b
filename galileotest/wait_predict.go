package galileotest

import (
	"errors"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// estimator predicts when scoring completes from the progress seen so far,
// assuming a steady pace.
type estimator struct {
	target float64
	obs    []obsPoint
}

type obsPoint struct {
	t time.Duration // since the wait started
	u float64       // rows scored for every metric
}

func (e *estimator) observe(t time.Duration, u float64) {
	e.obs = append(e.obs, obsPoint{t, u})
}

// completion returns the predicted time (since the wait started) at which
// the last row is scored, and false when there is nothing to go on yet.
//
// Counts are whole rows, so a count u stands for a true progress between u
// and u+1; the estimate uses the middle. With one observation showing
// progress, the pace is measured from the last observation without any (the
// optimistic choice: an early poll costs one request and yields a second
// point, a late one costs detection time). With two or more, it is measured
// between the first and the last observation that show progress.
func (e *estimator) completion() (time.Duration, bool) {
	if len(e.obs) == 0 {
		return 0, false
	}
	last := e.obs[len(e.obs)-1]
	if last.u <= 0 {
		return 0, false
	}
	if last.u >= e.target {
		return last.t, true
	}
	first := -1
	for i, o := range e.obs {
		if o.u > 0 {
			first = i
			break
		}
	}
	a := e.obs[first]
	var rate float64
	switch {
	case a.t < last.t && last.u > a.u:
		rate = (last.u - a.u) / (last.t - a.t).Seconds()
	case a.t < last.t:
		// No progress since a: at most one more row in that time.
		rate = 1 / (last.t - a.t).Seconds()
	default:
		var t0 time.Duration // the last observation before any progress
		if first > 0 {
			t0 = e.obs[first-1].t
		}
		span := (a.t - t0).Seconds()
		if span <= 0 {
			return 0, false
		}
		rate = (a.u + 0.5) / span
	}
	if rate <= 0 {
		return 0, false
	}
	left := e.target - last.u - 0.5
	if left < 0 {
		left = 0
	}
	return last.t + time.Duration(left/rate*float64(time.Second)), true
}

// predictiveBackOff is a backoff.BackOff whose interval is the smaller of
// an exponential backoff (the upper bound) and the time until the predicted
// completion plus a little slack, but never below the policy's floor. It
// also ends the last interval just before the deadline, so that the final
// state is fresh.
type predictiveBackOff struct {
	exp      *backoff.ExponentialBackOff
	est      *estimator
	pol      waitPolicy
	clk      clock
	start    time.Time
	deadline time.Time // zero: none
}

func (p *predictiveBackOff) Reset() { p.exp.Reset() }

func (p *predictiveBackOff) NextBackOff() time.Duration {
	next := p.exp.NextBackOff()
	now := p.clk.Now()
	elapsed := now.Sub(p.start)
	if c, ok := p.est.completion(); ok {
		slack := time.Duration(p.pol.SlackFrac*float64(c)) + p.pol.SlackMin
		if d := c + slack - elapsed; d < next {
			next = d
		}
	}
	if next < p.pol.Floor {
		next = p.pol.Floor
	}
	if !p.deadline.IsZero() {
		left := p.deadline.Sub(now) - p.pol.Floor
		if left > p.pol.Floor && next > left {
			next = left
		}
	}
	return next
}

// errNotYet makes the backoff loop poll again.
var errNotYet = errors.New("not scored yet")
