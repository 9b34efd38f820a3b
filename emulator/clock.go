package emulator

import (
	"context"
	"math/rand/v2"
	"sort"
	"sync"
	"time"
)

// Clock is the emulator's source of time. Timestamps, token expiry, the
// scoring pace, model latency and fault latency all go through it, so a test
// can control time completely (see ManualClock), or use the real clock
// inside a testing/synctest bubble.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a timer that fires once after d.
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer created by a Clock.
type Timer interface {
	// C is the channel the timer sends on when it fires.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it was
	// stopped before firing.
	Stop() bool
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (t realTimer) C() <-chan time.Time { return t.t.C }
func (t realTimer) Stop() bool          { return t.t.Stop() }

// ManualClock is a Clock that only moves when told to. Timers fire when
// Advance or Set moves the time past their deadline. It is safe for
// concurrent use.
type ManualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer
}

// NewManualClock returns a ManualClock reading start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{now: start} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewTimer returns a timer firing once the clock reaches Now()+d.
func (c *ManualClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTimer{c: c, at: c.now.Add(d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		t.fired = true
		t.ch <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves the clock forward by d and fires every timer that is due.
func (c *ManualClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t (never backwards) and fires every timer that is due.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
	keep := c.timers[:0]
	for _, tm := range c.timers {
		if !tm.at.After(c.now) {
			tm.fired = true
			tm.ch <- c.now
			continue
		}
		keep = append(keep, tm)
	}
	c.timers = keep
}

// Pending reports how many timers are waiting to fire. Tests use it to
// know that a goroutine has reached a wait.
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

type manualTimer struct {
	c     *ManualClock
	at    time.Time
	ch    chan time.Time
	fired bool
}

func (t *manualTimer) C() <-chan time.Time { return t.ch }

func (t *manualTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.fired {
		return false
	}
	for i, o := range t.c.timers {
		if o == t {
			t.c.timers = append(t.c.timers[:i], t.c.timers[i+1:]...)
			break
		}
	}
	t.fired = true
	return true
}

// sleep waits d on clk, returning early with ctx's error when ctx ends.
func sleep(ctx context.Context, clk Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := clk.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C():
		return nil
	}
}

// idSource mints uuid4 strings from a seeded generator, so a given seed and
// sequence of calls always yields the same ids.
type idSource struct {
	mu    sync.Mutex
	rng   *rand.Rand
	taken map[string]bool // ids of the replayed state: never handed out again
}

func newIDSource(seed, stream uint64) *idSource {
	return &idSource{rng: rand.New(rand.NewPCG(seed, stream^0x9e3779b97f4a7c15))}
}

const hexDigits = "0123456789abcdef"

func (s *idSource) newID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if id := s.draw(); !s.taken[id] {
			return id
		}
	}
}

// draw formats the next two numbers of the generator as a uuid4. Call with
// s.mu held.
func (s *idSource) draw() string {
	a, b := s.rng.Uint64(), s.rng.Uint64()
	var u [16]byte
	for i := 0; i < 8; i++ {
		u[i] = byte(a >> (8 * i))
		u[8+i] = byte(b >> (8 * i))
	}
	u[6] = (u[6] & 0x0f) | 0x40 // version 4
	u[8] = (u[8] & 0x3f) | 0x80 // RFC 4122 variant
	var out [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hexDigits[c>>4], hexDigits[c&0xf]
		j += 2
	}
	return string(out[:])
}

// reseed switches to a new stream (used after replaying a data directory,
// so new ids never repeat the replayed ones).
func (s *idSource) reseed(seed, stream uint64) {
	s.mu.Lock()
	s.rng = rand.New(rand.NewPCG(seed, stream^0x9e3779b97f4a7c15))
	s.mu.Unlock()
}

// avoid makes newID skip ids (those of a replayed state).
func (s *idSource) avoid(ids map[string]bool) {
	s.mu.Lock()
	s.taken = ids
	s.mu.Unlock()
}
