package galileo

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// ExperimentStatusInfo is the progress of an experiment's run, computed
// from status.log_generation.progress_percent (the API's 0.0–1.0 fraction)
// as the Python SDK's get_status does.
type ExperimentStatusInfo struct {
	// ProgressPercent is the share of rows whose output is generated, 0–100.
	ProgressPercent float64
	// IsComplete: every row's output is generated (100%).
	IsComplete bool
	// IsInProgress: between 0% and 100%.
	IsInProgress bool
	// IsPending: nothing generated yet (0%).
	IsPending bool
	// IsFailed is always false: the API reports no failed state.
	IsFailed bool
}

// String returns "pending (0%)", "in progress (42%)" or "complete (100%)".
func (s ExperimentStatusInfo) String() string {
	state := "pending"
	switch {
	case s.IsComplete:
		state = "complete"
	case s.IsInProgress:
		state = "in progress"
	}
	return fmt.Sprintf("%s (%s%%)", state, formatPercent(s.ProgressPercent))
}

func formatPercent(p float64) string {
	if p == math.Trunc(p) {
		return fmt.Sprintf("%.0f", p)
	}
	return fmt.Sprintf("%.1f", p)
}

// statusOf computes the status of a cached experiment.
func statusOf(r ExperimentResponse) ExperimentStatusInfo {
	var frac float64
	if lg := r.Status.LogGeneration; lg != nil {
		frac = lg.ProgressPercent
	}
	pct := math.Min(math.Max(frac*100, 0), 100)
	return ExperimentStatusInfo{
		ProgressPercent: pct,
		IsComplete:      frac >= 1,
		IsInProgress:    pct > 0 && frac < 1,
		IsPending:       pct == 0,
	}
}

// DefaultPollInterval is the interval of [Experiment.MonitorProgress] when
// none is given; it is the Python SDK's.
const DefaultPollInterval = 2 * time.Second

// MonitorProgress polls [Experiment.Status] every poll (DefaultPollInterval
// when poll <= 0) and reports progress on w until the run is complete or ctx
// ends; it returns the last status seen, with ctx's error in the latter
// case. When w is a terminal it draws a progress bar on one line; otherwise
// it writes one plain line each time the progress changes. A nil w reports
// nothing.
//
// Complete means every row's output is generated. Metric scoring continues
// afterwards: wait for [Experiment.GetMetricAggregate] to be non-nil too.
func (e *Experiment) MonitorProgress(ctx context.Context, w io.Writer, poll time.Duration) (ExperimentStatusInfo, error) {
	if poll <= 0 {
		poll = DefaultPollInterval
	}
	if w == nil {
		w = io.Discard
	}
	return e.monitor(ctx, w, poll, isTerminal(w))
}

// monitor is MonitorProgress with the terminal decision made.
func (e *Experiment) monitor(ctx context.Context, w io.Writer, poll time.Duration, tty bool) (ExperimentStatusInfo, error) {
	name := e.Name()
	last := -1.0
	var st ExperimentStatusInfo
	for {
		s, err := e.Status(ctx)
		if err != nil {
			if tty && last >= 0 {
				fmt.Fprintln(w)
			}
			return st, err
		}
		st = s
		switch {
		case tty:
			fmt.Fprintf(w, "\r%s %s %s", progressBar(st.ProgressPercent, 30), name, st)
			if st.IsComplete {
				fmt.Fprintln(w)
			}
		case st.ProgressPercent != last:
			fmt.Fprintf(w, "experiment %q: %s\n", name, st)
		}
		last = st.ProgressPercent
		if st.IsComplete {
			return st, nil
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			if tty {
				fmt.Fprintln(w)
			}
			return st, ctx.Err()
		case <-t.C:
		}
	}
}

// progressBar draws [#####.....] for pct percent over width cells.
func progressBar(pct float64, width int) string {
	n := int(math.Round(pct / 100 * float64(width)))
	n = min(max(n, 0), width)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
