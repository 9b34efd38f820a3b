package galileo

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestStatusOf(t *testing.T) {
	tests := []struct {
		name   string
		status ExperimentStatus
		want   ExperimentStatusInfo
		text   string
	}{
		{"no phase", ExperimentStatus{}, ExperimentStatusInfo{IsPending: true}, "pending (0%)"},
		{"zero", ExperimentStatus{LogGeneration: &ExperimentPhaseStatus{}}, ExperimentStatusInfo{IsPending: true}, "pending (0%)"},
		{"in progress", ExperimentStatus{LogGeneration: &ExperimentPhaseStatus{ProgressPercent: 0.425}},
			ExperimentStatusInfo{ProgressPercent: 42.5, IsInProgress: true}, "in progress (42.5%)"},
		{"complete", ExperimentStatus{LogGeneration: &ExperimentPhaseStatus{ProgressPercent: 1}},
			ExperimentStatusInfo{ProgressPercent: 100, IsComplete: true}, "complete (100%)"},
		{"over one is clamped", ExperimentStatus{LogGeneration: &ExperimentPhaseStatus{ProgressPercent: 1.2}},
			ExperimentStatusInfo{ProgressPercent: 100, IsComplete: true}, "complete (100%)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := statusOf(ExperimentResponse{Status: tc.status})
			if got != tc.want {
				t.Errorf("statusOf = %+v, want %+v", got, tc.want)
			}
			if got.String() != tc.text {
				t.Errorf("String() = %q, want %q", got.String(), tc.text)
			}
		})
	}
}

func TestProgressBar(t *testing.T) {
	for pct, want := range map[float64]string{0: "[..........]", 50: "[#####.....]", 100: "[##########]", 140: "[##########]", -3: "[..........]"} {
		if got := progressBar(pct, 10); got != want {
			t.Errorf("progressBar(%v) = %q, want %q", pct, got, want)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file is a terminal")
	}
}

// monitorWorld returns a handle served in process whose GETs report
// progress, one value per poll.
func monitorWorld(t *testing.T, progress ...float64) (*expWorld, *Experiment) {
	w := newExpWorld(t)
	r := fxExperiment(w.pid, newID(), "nightly")
	w.experiments = append(w.experiments, r)
	w.progress = progress
	return w, w.f.inProcessClient().Experiments.opened(r)
}

func TestExperiment_MonitorProgress(t *testing.T) {
	_, e := monitorWorld(t, 0, 0.25, 0.25, 1)
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		start := time.Now()
		st, err := e.MonitorProgress(t.Context(), &out, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !st.IsComplete {
			t.Errorf("final status %v, want complete", st)
		}
		if d := time.Since(start); d != 15*time.Second {
			t.Errorf("took %v, want 3 polls of 5s", d)
		}
		want := "experiment \"nightly\": pending (0%)\nexperiment \"nightly\": in progress (25%)\nexperiment \"nightly\": complete (100%)\n"
		if out.String() != want {
			t.Errorf("output\n%s\nwant\n%s", out.String(), want)
		}
	})
}

func TestExperiment_MonitorProgress_contextEnds(t *testing.T) {
	w, e := monitorWorld(t, 0.5)
	synctest.Test(t, func(t *testing.T) {
		// 13s, not 12s: a deadline at the same instant as a poll would
		// race with it.
		ctx, cancel := context.WithTimeout(t.Context(), 13*time.Second)
		defer cancel()
		st, err := e.MonitorProgress(ctx, nil, 0)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want the context's deadline", err)
		}
		if st.ProgressPercent != 50 {
			t.Errorf("last status %v, want 50%%", st)
		}
	})
	// Polls at 0s, 2s, ..., 12s with the default interval; the deadline ends
	// the wait for the one at 14s.
	if w.gets != 7 {
		t.Errorf("%d polls, want 7 with the default interval of %v", w.gets, DefaultPollInterval)
	}
}

func TestExperiment_monitor_terminal(t *testing.T) {
	_, e := monitorWorld(t, 0.5, 1)
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		if _, err := e.monitor(t.Context(), &out, time.Second, true); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if !strings.HasPrefix(got, "\r[###############...............] nightly in progress (50%)\r[") || !strings.HasSuffix(got, "] nightly complete (100%)\n") {
			t.Errorf("terminal output %q", got)
		}
	})
}

func TestExperiment_MonitorProgress_error(t *testing.T) {
	w, e := monitorWorld(t, 0)
	w.experiments = nil // the experiment vanishes: GET answers 404
	_, err := e.MonitorProgress(t.Context(), nil, time.Millisecond)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("error %v, want ErrNotFound", err)
	}
}
