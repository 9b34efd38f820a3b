package galileotest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
)

// eventLog collects progress events.
type eventLog struct {
	mu  sync.Mutex
	evs []ProgressEvent
}

func (l *eventLog) add(ev ProgressEvent) { l.mu.Lock(); l.evs = append(l.evs, ev); l.mu.Unlock() }

func (l *eventLog) all() []ProgressEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.evs)
}

// phases returns the distinct phases of evs in order.
func phases(evs []ProgressEvent) []Phase {
	var out []Phase
	for _, ev := range evs {
		if len(out) == 0 || out[len(out)-1] != ev.Phase {
			out = append(out, ev.Phase)
		}
	}
	return out
}

// checkMonotone fails t when a count or the elapsed time goes backwards.
func checkMonotone(t *testing.T, evs []ProgressEvent) {
	t.Helper()
	for i := 1; i < len(evs); i++ {
		a, b := evs[i-1], evs[i]
		if b.RowsRun < a.RowsRun || b.RowsScored < a.RowsScored || b.Elapsed < a.Elapsed || (a.RowsTotal > 0 && b.RowsTotal != a.RowsTotal) {
			t.Errorf("event %d went backwards: %+v after %+v", i, b, a)
		}
	}
}

func TestWithProgress_function(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := memEmulator(t)
		var log eventLog
		x := Experiment{Name: "support-bot", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"}, File: "evals/bot.yaml", Line: 3}
		rep, err := Evaluate(t.Context(), x, WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", echoFunc), WithProgress(log.add))
		if err != nil {
			t.Fatal(err)
		}
		evs := log.all()
		want := []Phase{PhaseSetup, PhaseRunning, PhaseWaiting, PhaseScoring, PhaseJudging, PhaseDone}
		got := phases(evs)
		if !isSubsequence(got, want) || !isSubsequence([]Phase{PhaseSetup, PhaseRunning, PhaseJudging, PhaseDone}, got) {
			t.Errorf("phases = %v; want them in the order %v (waiting and scoring may be skipped)", got, want)
		}
		checkMonotone(t, evs)
		// One event per finished row while the function runs.
		var running []int
		for _, ev := range evs {
			if ev.Phase == PhaseRunning {
				running = append(running, ev.RowsRun)
			}
		}
		if !slices.Equal(running, []int{0, 1, 2, 3, 4}) {
			t.Errorf("rows run while running = %v, want 0 to 4 one at a time", running)
		}
		last := evs[len(evs)-1]
		if last.Phase != PhaseDone || last.Err != nil || last.Experiment != "support-bot" || last.File != "evals/bot.yaml" || last.Line != 3 ||
			last.RunName != rep.RunName || last.Link != rep.Link || last.Link == "" ||
			last.RowsTotal != 4 || last.RowsRun != 4 || last.RowsScored != 4 ||
			len(last.Metrics) != 1 || last.Metrics[0].Metric != "correctness" || !last.Metrics[0].Reported || last.Metrics[0].Scored != 4 {
			t.Errorf("last event = %+v; want done, no error, the run's name and link, 4/4 rows run and scored for correctness", last)
		}
	})
}

// isSubsequence reports whether every phase of want occurs in got, in
// order.
func isSubsequence(want, got []Phase) bool {
	i := 0
	for _, p := range got {
		if i < len(want) && p == want[i] {
			i++
		}
	}
	return i == len(want)
}

func TestWithProgress_prompt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := memEmulator(t)
		var log eventLog
		x := Experiment{
			Name:    "prompt-echo",
			Dataset: DatasetRows(Row{Input: "Paris", GroundTruth: "Paris"}, Row{Input: "Rome", GroundTruth: "Rome"}),
			Prompt:  &fixtures.Prompt{Messages: []fixtures.Message{{Role: "user", Content: "{{input}}"}}, Model: emulator.ModelEcho},
			Metrics: []string{"correctness"},
		}
		if _, err := Evaluate(t.Context(), x, WithClient(c), WithLookupEnv(env{}.lookup), WithProgress(log.add)); err != nil {
			t.Fatal(err)
		}
		evs := log.all()
		checkMonotone(t, evs)
		got := phases(evs)
		want := []Phase{PhaseSetup, PhaseWaiting, PhaseGenerating, PhaseScoring, PhaseJudging, PhaseDone}
		if !isSubsequence(got, want) || !isSubsequence([]Phase{PhaseSetup, PhaseJudging, PhaseDone}, got) {
			t.Errorf("phases = %v; want them in the order %v, no running (the server runs a prompt)", got, want)
		}
		if last := evs[len(evs)-1]; last.RowsRun != 2 || last.RowsScored != 2 || last.RowsTotal != 2 {
			t.Errorf("last event = %+v; want 2/2 rows run and scored", last)
		}
	})
}

func TestWithProgress_badInputEndsWithDone(t *testing.T) {
	var log eventLog
	_, err := Evaluate(t.Context(), Experiment{Name: "bot", Dataset: qaRows(), Function: "missing"}, WithClient(nil), WithLookupEnv(env{}.lookup), WithProgress(log.add))
	if !errors.Is(err, fixtures.ErrInvalid) {
		t.Fatalf("err = %v, want bad input", err)
	}
	evs := log.all()
	if got := phases(evs); !slices.Equal(got, []Phase{PhaseSetup, PhaseDone}) {
		t.Errorf("phases = %v, want [setup done]", got)
	}
	if last := evs[len(evs)-1]; !errors.Is(last.Err, fixtures.ErrInvalid) || last.Experiment != "bot" {
		t.Errorf("last event = %+v; want the bad-input error of bot", last)
	}
}

func TestWithProgress_parallelExperimentsKeepTheirOwnOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := memEmulator(t)
		var log eventLog
		r, err := NewRunner(WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", echoFunc), WithProgress(log.add))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var wg sync.WaitGroup
		for i := range 3 {
			wg.Go(func() {
				x := Experiment{Name: fmt.Sprintf("bot-%d", i), Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"}}
				if _, err := r.Run(t.Context(), x); err != nil {
					t.Errorf("bot-%d: %v", i, err)
				}
			})
		}
		wg.Wait()
		by := map[string][]ProgressEvent{}
		for _, ev := range log.all() {
			by[ev.Experiment] = append(by[ev.Experiment], ev)
		}
		if len(by) != 3 {
			t.Fatalf("events of %d experiments, want 3", len(by))
		}
		for name, evs := range by {
			checkMonotone(t, evs)
			got := phases(evs)
			if got[0] != PhaseSetup || got[len(got)-1] != PhaseDone || slices.Index(got, PhaseDone) != len(got)-1 {
				t.Errorf("%s: phases = %v; want setup first and done once, last", name, got)
			}
			if !strings.HasPrefix(evs[len(evs)-1].RunName, name) {
				t.Errorf("%s: run name %q; want it derived from the experiment's name", name, evs[len(evs)-1].RunName)
			}
		}
	})
}

func TestProgress_polled(t *testing.T) {
	var log eventLog
	p := newProgress(log.add, fixtures.Experiment{Name: "bot"}, time.Now())
	spec := waitSpec{metrics: []metricKey{{"correctness", "c"}, {"completeness", "k"}}, rows: 4, need: 4}
	half := 0.5
	p.update(func(ev *ProgressEvent) { ev.RowsTotal = 4 })
	p.polled(spec, &galileo.WaitState{Generated: &half, Metrics: scoredStates(2, -1)})
	p.polled(spec, &galileo.WaitState{Metrics: scoredStates(3, 2)})
	p.polled(spec, &galileo.WaitState{Metrics: scoredStates(1, 1)}) // a stale answer
	p.polled(spec, &galileo.WaitState{Metrics: scoredStates(4, 4), Done: true})
	var got []string
	for _, ev := range log.all()[1:] {
		got = append(got, fmt.Sprintf("%s run %d scored %d", ev.Phase, ev.RowsRun, ev.RowsScored))
	}
	want := []string{"generating run 2 scored 0", "scoring run 4 scored 2", "scoring run 4 scored 2", "judging run 4 scored 4"}
	if !slices.Equal(got, want) {
		t.Errorf("events = %q, want %q", got, want)
	}
	if m := log.all()[2].Metrics; len(m) != 2 || m[1].Metric != "completeness" || m[1].Scored != 2 || !m[1].Reported {
		t.Errorf("metrics = %+v; want completeness 2 rows scored", m)
	}
	if m := log.all()[1].Metrics; m[1].Reported {
		t.Errorf("metrics = %+v; want completeness not reported yet", m)
	}
}

// scoredStates returns the wait state of metrics with these rows scored
// (-1: not reported).
func scoredStates(scored ...int64) []galileo.MetricState {
	out := make([]galileo.MetricState, len(scored))
	for i, n := range scored {
		out[i].Reported, out[i].Scored = n >= 0, max(n, 0)
	}
	return out
}
