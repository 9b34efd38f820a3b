package galileo

import (
	"time"
)

// waitPolicy tunes when a wait polls. Without a prediction it polls at
// intervals of Frac of the time waited so far, so that completion is seen
// at most about Frac·T after it happens whatever the shape of the scoring;
// a confirmed prediction (steady progress) lets it jump to the predicted
// completion instead.
type waitPolicy struct {
	FirstPoll time.Duration // delay before the first poll (0: at once)
	Floor     time.Duration // smallest interval between two polls
	Max       time.Duration // largest interval between two polls
	Frac      float64       // without a confirmed prediction, an interval is at most this fraction of the time waited...
	MinFrac   float64       // ...and never less than this fraction of it
	SlackFrac float64       // a poll aimed at a prediction lands this fraction of its time after it...
	SlackMin  time.Duration // ...plus this
	// Confirm is how far (as a fraction of the rows predicted in the
	// interval, at least one row) a poll's count may be off its prediction
	// for the pace to count as steady.
	Confirm float64
	// Jump caps an interval aimed at a confirmed prediction, as a multiple
	// of the time waited: a pace measured early is rough.
	Jump float64
}

func defaultWaitPolicy() waitPolicy {
	return waitPolicy{
		Floor:     250 * time.Millisecond,
		Max:       time.Minute,
		Frac:      0.15,
		MinFrac:   0.005,
		SlackFrac: 0.002,
		SlackMin:  10 * time.Millisecond,
		Confirm:   0.25,
		Jump:      4,
	}
}

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

// rate returns the pace (rows per second) and the last observation, and
// false when there is nothing to go on yet.
//
// Counts are whole rows, so a count u stands for a true progress between u
// and u+1; the estimate uses the middle. With one observation showing
// progress, the pace is measured from the last observation without any (the
// optimistic choice: an early poll costs one request and yields a second
// point, a late one costs detection time). With two or more, it is measured
// between the first and the last observation that show progress.
func (e *estimator) rate() (float64, obsPoint, bool) {
	if len(e.obs) == 0 {
		return 0, obsPoint{}, false
	}
	last := e.obs[len(e.obs)-1]
	if last.u <= 0 {
		return 0, last, false
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
			return 0, last, false
		}
		rate = (a.u + 0.5) / span
	}
	return rate, last, rate > 0
}

// completion returns the predicted time (since the wait started) at which
// the last row is scored, and false when there is nothing to go on yet. It
// is the earlier of the predictions of the pace since the first progress
// and of the pace between the last two observations that differ: after a
// stall or a burst the recent pace is the better guide, and the earlier
// prediction never makes a poll late.
func (e *estimator) completion() (time.Duration, bool) {
	rate, last, ok := e.rate()
	switch {
	case len(e.obs) > 0 && e.obs[len(e.obs)-1].u >= e.target && e.target > 0:
		return e.obs[len(e.obs)-1].t, true
	case !ok:
		return 0, false
	}
	for i := len(e.obs) - 2; i >= 0; i-- {
		if p := e.obs[i]; p.u < last.u && p.t < last.t {
			rate = max(rate, (last.u-p.u)/(last.t-p.t).Seconds())
			break
		}
	}
	left := max(e.target-last.u-0.5, 0)
	return last.t + time.Duration(left/rate*float64(time.Second)), true
}

// expected returns the rows the current pace predicts at t.
func (e *estimator) expected(t time.Duration) (float64, bool) {
	rate, last, ok := e.rate()
	if !ok {
		return 0, false
	}
	return min(last.u+rate*(t-last.t).Seconds(), e.target), true
}

// confirmPolls is how many polls in a row must match the pace predicted
// before the wait trusts a prediction beyond the fraction bound.
const confirmPolls = 2

// schedule picks the interval before the next poll.
type schedule struct {
	est *estimator
	pol waitPolicy
	// aimed is the count the pace predicted for the poll now scheduled,
	// from when; confirmed says whether the last poll matched its
	// prediction.
	aimed     float64
	aimedFrom float64
	hasAim    bool
	confirmed int // polls in a row that matched their prediction
}

// observe records a poll at t that saw u rows scored for every metric, and
// checks it against the prediction the poll was scheduled with.
func (s *schedule) observe(t time.Duration, u float64) {
	if s.hasAim {
		tol := max(s.pol.Confirm*(s.aimed-s.aimedFrom), 1)
		if u > s.aimedFrom && u-s.aimed <= tol && s.aimed-u <= tol {
			s.confirmed++
		} else {
			s.confirmed = 0
		}
	}
	s.est.observe(t, u)
	s.hasAim = false
}

// next returns the interval from elapsed to the next poll; left is the time
// to the deadline (0: none).
func (s *schedule) next(elapsed, left time.Duration) time.Duration {
	pol := s.pol
	bound := max(time.Duration(pol.Frac*float64(elapsed)), pol.Floor)
	next := bound
	if c, ok := s.est.completion(); ok {
		slack := time.Duration(pol.SlackFrac*float64(c)) + pol.SlackMin
		d := c + slack - elapsed
		switch {
		case d < bound:
			next = d
		case s.confirmed >= confirmPolls:
			next = min(d, max(time.Duration(pol.Jump*float64(elapsed)), bound))
		}
	}
	next = min(max(next, pol.Floor, time.Duration(pol.MinFrac*float64(elapsed))), pol.Max)
	if left > 0 {
		// End the last interval just before the deadline, so that the
		// final state is fresh.
		if l := left - pol.Floor; l > pol.Floor && next > l {
			next = l
		}
	}
	if n, ok := s.est.expected(elapsed + next); ok && len(s.est.obs) > 0 {
		s.aimed, s.aimedFrom, s.hasAim = n, s.est.obs[len(s.est.obs)-1].u, true
	}
	return next
}

// clock is the time source of a wait: the real clock (also inside a
// testing/synctest bubble) or a simulated one in benchmarks.
type clock interface {
	Now() time.Time
	NewTimer() timer
}

// timer is a restartable timer of a clock.
type timer interface {
	Start(d time.Duration)
	Stop()
	C() <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time  { return time.Now() }
func (realClock) NewTimer() timer { return &realTimer{} }

type realTimer struct{ t *time.Timer }

func (t *realTimer) Start(d time.Duration) {
	if t.t == nil {
		t.t = time.NewTimer(d)
		return
	}
	t.t.Reset(d)
}

func (t *realTimer) Stop() {
	if t.t != nil {
		t.t.Stop()
	}
}

func (t *realTimer) C() <-chan time.Time {
	if t.t == nil {
		return nil
	}
	return t.t.C
}
