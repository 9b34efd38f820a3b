package galileotest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/report"
)

// DefaultParallel is how many experiments a harness runs at once unless
// WithParallel, GALILEOTEST_PARALLEL or the configuration file's parallel
// key says otherwise. An experiment mostly waits on the service, so the
// limit is sized for I/O-bound waits rather than for the machine's cores,
// and go test -parallel (GOMAXPROCS by default) does not bound it.
const DefaultParallel = 32

// WithParallel makes the harness run at most n experiments at once
// (default DefaultParallel, or GALILEOTEST_PARALLEL); n < 1 means the
// default.
func WithParallel(n int) Option {
	return func(s *settings) { s.parallel = n }
}

// parallel is the Runner's limit on experiments at once.
func (r *Runner) parallel() int {
	return cmp.Or(max(r.s.parallel, 0), max(r.cfg.Parallel, 0), DefaultParallel)
}

// runLimited runs x once fewer than the Runner's limit of experiments are
// running. Waiting for a slot is not part of the experiment's time.
func (r *Runner) runLimited(ctx context.Context, x fixtures.Experiment, logf func(string, ...any)) (*report.Experiment, error) {
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		err := &SetupError{Step: fmt.Sprintf("waiting for one of the %d experiment slots", cap(r.slots)), Err: context.Cause(ctx)}
		rep := &report.Experiment{Name: x.Name, File: x.File, Line: x.Line, StartedAt: time.Now().UTC(),
			Status: report.StatusError, Error: err.Error(), Metrics: []report.Metric{}, Thresholds: []report.Threshold{}}
		r.addReport(rep)
		return rep, err
	}
	defer func() { <-r.slots }()
	return r.run(ctx, x, logf)
}

// schedule starts the experiments of a RunDir or RunFile as soon as they
// are known, before their subtests run, so that a suite takes as long as
// its slowest experiment whatever go test -parallel allows: a parallel
// subtest only waits for a result that is already on its way.
type schedule struct {
	h      *Harness
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// newSchedule returns a schedule whose experiments run until t's deadline
// (less the grace period) and end before t's cleanup closes the runner.
func (h *Harness) newSchedule(t *testing.T) *schedule {
	ctx, cancel := testContext(t)
	sc := &schedule{h: h, ctx: ctx, cancel: cancel}
	t.Cleanup(func() {
		cancel() // experiments whose subtest never ran (-failfast) stop here
		sc.wg.Wait()
	})
	return sc
}

// planned is an experiment with the subtest that reports it.
type planned struct {
	sub  string // the subtest's name, unique among its siblings
	x    fixtures.Experiment
	skip string   // why it does not run, or ""
	run  *started // nil when skipped
}

// start names the subtests of exps under the test named parent, and starts
// every experiment that its shard and go test's -run and -skip select.
func (sc *schedule) start(parent string, exps []fixtures.Experiment, shard shardPlan) []planned {
	run, skip := testFilters()
	seen := subtestNames{}
	out := make([]planned, 0, len(exps))
	for _, x := range exps {
		full, sub := seen.unique(parent, subtestName(x.Name))
		p := planned{sub: sub, x: x, skip: cmp.Or(shard.skipExperiment(x), unselectedBy(run, skip, full, x))}
		if p.skip == "" {
			p.run = sc.launch(x)
		}
		out = append(out, p)
	}
	return out
}

func (sc *schedule) launch(x fixtures.Experiment) *started {
	st := &started{done: make(chan struct{})}
	sc.wg.Go(func() {
		defer close(st.done)
		st.rep, st.err = sc.h.r.runLimited(sc.ctx, x, st.out.logf)
	})
	return st
}

// started is an experiment on its way, started before its subtest ran.
type started struct {
	done chan struct{}
	rep  *report.Experiment
	err  error
	out  relay
}

// result waits for the experiment; its progress lines go to t's output,
// those logged before t ran first.
func (st *started) result(t *testing.T) (*report.Experiment, error) {
	st.out.attach(t.Output())
	defer st.out.attach(nil)
	<-st.done
	return st.rep, st.err
}

// relay holds an experiment's progress lines until its subtest runs, then
// passes them to the subtest's output.
type relay struct {
	mu    sync.Mutex
	lines []string
	w     io.Writer
}

func (l *relay) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w == nil {
		l.lines = append(l.lines, line)
		return
	}
	fmt.Fprintln(l.w, line)
}

// attach sends the held lines, and later ones, to w; nil holds them again.
func (l *relay) attach(w io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w = w
	if w == nil {
		return
	}
	for _, line := range l.lines {
		fmt.Fprintln(w, line)
	}
	l.lines = nil
}

// subtestNames names subtests as the testing package does, which makes a
// repeated name unique with #01, #02, ...; the harness gives t.Run the
// unique name, so it knows every subtest's full name before it runs (to
// match -run and -skip against it).
type subtestNames map[string]int

// unique returns the full name of subtest sub of parent, and the name to
// give t.Run.
func (n subtestNames) unique(parent, sub string) (full, name string) {
	full = parent + "/" + sub
	for {
		next, exists := n[full]
		if !exists {
			n[full] = 1
			return full, full[len(parent)+1:]
		}
		n[full] = next + 1
		full = fmt.Sprintf("%s#%02d", full, next)
	}
}
