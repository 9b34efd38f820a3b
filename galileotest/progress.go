package galileotest

import (
	"slices"
	"sync"
	"time"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
)

// Phase is how far an experiment got, as ProgressEvent reports it.
type Phase string

// Phases of an experiment, in the order they occur. A phase may be
// skipped: a prompt experiment never runs a function, and an experiment
// that fails in set-up goes straight to PhaseDone.
const (
	// PhaseSetup: validating, resolving metrics, project, dataset and
	// prompt, creating (or re-attaching to) the experiment.
	PhaseSetup Phase = "setup"
	// PhaseRunning: the Go function runs over the rows; RowsRun counts the
	// rows it finished.
	PhaseRunning Phase = "running"
	// PhaseWaiting: the experiment exists; no output or score is reported
	// yet.
	PhaseWaiting Phase = "waiting"
	// PhaseGenerating: the server is generating the outputs of a prompt
	// experiment.
	PhaseGenerating Phase = "generating"
	// PhaseScoring: the outputs are there; the metrics are being scored.
	PhaseScoring Phase = "scoring"
	// PhaseJudging: every metric is scored; the thresholds are evaluated.
	PhaseJudging Phase = "judging"
	// PhaseDone: the experiment ended, successfully or not (see
	// ProgressEvent.Err). It is always the last event of an experiment.
	PhaseDone Phase = "done"
)

// ProgressEvent is the state of one experiment, sent to the WithProgress
// hook on every change of phase, every finished row of a function and
// every poll of the scores.
type ProgressEvent struct {
	// Experiment is the declared name (Experiment.Name); File and Line its
	// fixture location, empty for experiments declared in Go. Together they
	// tell apart experiments that run at the same time.
	Experiment string
	File       string
	Line       int
	// RunName is the experiment's name on Galileo and Link its console
	// page; both empty until the experiment is created.
	RunName string
	Link    string
	Phase   Phase
	// RowsTotal is the number of rows, 0 until the dataset is resolved.
	// RowsRun counts the rows with an output and RowsScored the rows
	// scored for every metric (the minimum over Metrics). Neither count
	// ever decreases.
	RowsTotal  int
	RowsRun    int
	RowsScored int
	// Metrics are the metrics waited for, with the rows each has scored;
	// nil until the first poll. The slice is the receiver's to keep.
	Metrics []MetricProgress
	// Elapsed is the time since the experiment started.
	Elapsed time.Duration
	// Err is set on PhaseDone when the experiment did not complete: the
	// error Runner.Evaluate returns.
	Err error
}

// WithProgress sends the progress of every experiment to fn as structured
// events (see ProgressEvent), for a live display. The calls for one
// experiment are serialised and in order, ending with PhaseDone; experiments
// run in parallel call fn concurrently. fn runs on the harness's path, so
// it should return quickly.
func WithProgress(fn func(ProgressEvent)) Option {
	return func(s *settings) { s.progress = fn }
}

// progress builds and sends the events of one experiment. A nil
// *progress, or one without a hook, does nothing.
type progress struct {
	fn    func(ProgressEvent)
	start time.Time
	mu    sync.Mutex
	ev    ProgressEvent
}

func newProgress(fn func(ProgressEvent), x fixtures.Experiment, start time.Time) *progress {
	if fn == nil {
		return nil
	}
	return &progress{fn: fn, start: start, ev: ProgressEvent{Experiment: x.Name, File: x.File, Line: x.Line}}
}

// update applies change to the state and sends it. Counts are kept from
// going backwards.
func (p *progress) update(change func(ev *ProgressEvent)) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	run, scored := p.ev.RowsRun, p.ev.RowsScored
	change(&p.ev)
	p.ev.RowsRun = max(p.ev.RowsRun, run)
	p.ev.RowsScored = max(p.ev.RowsScored, scored)
	if p.ev.RowsTotal > 0 {
		p.ev.RowsRun = min(p.ev.RowsRun, p.ev.RowsTotal)
	}
	p.ev.Elapsed = time.Since(p.start)
	ev := p.ev
	ev.Metrics = slices.Clone(p.ev.Metrics)
	p.fn(ev)
}

// phase moves to ph.
func (p *progress) phase(ph Phase) {
	p.update(func(ev *ProgressEvent) { ev.Phase = ph })
}

// polled reports the state one poll of the wait saw.
func (p *progress) polled(spec waitSpec, st *galileo.WaitState) {
	p.update(func(ev *ProgressEvent) {
		ev.Metrics = ev.Metrics[:0]
		for i, k := range spec.metrics {
			n, ok := scoredOf(st, i)
			ev.Metrics = append(ev.Metrics, MetricProgress{Metric: k.Metric, Key: k.Key, Reported: ok, Scored: n})
		}
		ev.RowsScored = int(minScored(spec, st))
		ev.Phase = phaseOf(st)
		switch ev.Phase {
		case PhaseJudging, PhaseScoring:
			ev.RowsRun = spec.rows
		case PhaseGenerating:
			ev.RowsRun = int(*st.Generated * float64(spec.rows))
		}
	})
}
