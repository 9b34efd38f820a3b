package report

import (
	"testing"
	"time"
)

func TestReport_Counts(t *testing.T) {
	exps := func(statuses ...string) []Experiment {
		var es []Experiment
		for _, s := range statuses {
			es = append(es, Experiment{Name: s, Status: s})
		}
		return es
	}
	tests := []struct {
		name                    string
		r                       *Report
		passed, failed, errored int
		wantPassed              bool
	}{
		{"nil", nil, 0, 0, 0, false},
		{"empty", &Report{}, 0, 0, 0, false},
		{"all passed", &Report{Experiments: exps(StatusPassed, StatusPassed)}, 2, 0, 0, true},
		{"one failed", &Report{Experiments: exps(StatusPassed, StatusFailed)}, 1, 1, 0, false},
		{"timeout and error", &Report{Experiments: exps(StatusPassed, StatusTimeout, StatusError)}, 1, 0, 2, false},
		{"unknown status", &Report{Experiments: exps(StatusPassed, "", "cancelled")}, 1, 0, 2, false},
		{"sample", sampleReport(t), 1, 1, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, f, e := tt.r.Counts()
			if p != tt.passed || f != tt.failed || e != tt.errored {
				t.Errorf("Counts() = %d, %d, %d; want %d, %d, %d", p, f, e, tt.passed, tt.failed, tt.errored)
			}
			if got := tt.r.Passed(); got != tt.wantPassed {
				t.Errorf("Passed() = %t, want %t", got, tt.wantPassed)
			}
		})
	}
}

func TestReport_Duration(t *testing.T) {
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	if got := (&Report{StartedAt: start, FinishedAt: start.Add(90 * time.Second)}).Duration(); got != 90*time.Second {
		t.Errorf("Duration() = %v, want 1m30s", got)
	}
	if got := (&Report{StartedAt: start}).Duration(); got != 0 {
		t.Errorf("Duration() without FinishedAt = %v, want 0", got)
	}
	if got := (&Experiment{DurationMS: 1500}).Duration(); got != 1500*time.Millisecond {
		t.Errorf("Experiment.Duration() = %v, want 1.5s", got)
	}
}

func TestExperiment_Metric(t *testing.T) {
	e := Experiment{Metrics: []Metric{{Name: "latency", Key: "duration_ns"}, {Name: "correctness", Key: "9f3c"}}}
	for _, name := range []string{"latency", "duration_ns", "correctness", "9f3c"} {
		if m := e.Metric(name); m == nil {
			t.Errorf("Metric(%q) = nil", name)
		}
	}
	if m := e.Metric("bleu"); m != nil {
		t.Errorf("Metric(%q) = %+v, want nil", "bleu", m)
	}
}
