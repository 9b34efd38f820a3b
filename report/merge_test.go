package report

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// names lists "name@file:line" for each experiment, to compare orders.
func names(r *Report) []string {
	var out []string
	for _, e := range r.Experiments {
		s := e.Name
		if e.File != "" {
			s += fmt.Sprintf("@%s:%d", e.File, e.Line)
		}
		out = append(out, s)
	}
	return out
}

func TestMerge(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	shard1 := &Report{StartedAt: t0.Add(time.Minute), FinishedAt: t0.Add(5 * time.Minute), Backend: BackendRemote, RunID: "run-1",
		Experiments: []Experiment{
			{Name: "go-declared", Status: StatusPassed},
			{Name: "zeta", File: "evals/z.yaml", Line: 1, RunName: "zeta-1", ID: "id-z", Status: StatusPassed},
			{Name: "alpha", File: "evals/a.yaml", Line: 9, RunName: "alpha-1", ID: "id-a9", Status: StatusFailed},
		}}
	shard2 := &Report{StartedAt: t0, FinishedAt: t0.Add(3 * time.Minute), Backend: BackendRemote, RunID: "run-1",
		Experiments: []Experiment{
			{Name: "beta", File: "evals/a.yaml", Line: 2, RunName: "beta-1", ID: "id-a2", Status: StatusPassed},
			{Name: "another-go", Status: StatusError, Error: "boom"},
			{Name: "alpha", File: "evals/a.yaml", Line: 2, RunName: "alpha-2", ID: "id-a2b", Status: StatusPassed},
		}}
	shard3 := &Report{FinishedAt: t0.Add(7 * time.Minute), RunID: "run-1", // no start, no backend
		Experiments: []Experiment{{Name: "load", File: "evals/broken.yaml", Line: 4, Status: StatusError, Error: "bad"}}}

	m, err := Merge(shard1, shard2, shard3)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"alpha@evals/a.yaml:2", "beta@evals/a.yaml:2", "alpha@evals/a.yaml:9", "load@evals/broken.yaml:4",
		"zeta@evals/z.yaml:1", "go-declared", "another-go"}
	if got := names(m); !slices.Equal(got, want) {
		t.Errorf("order:\n got %q\nwant %q", got, want)
	}
	if !m.StartedAt.Equal(t0) || !m.FinishedAt.Equal(t0.Add(7*time.Minute)) {
		t.Errorf("span = %v .. %v, want the earliest start %v and the latest finish %v", m.StartedAt, m.FinishedAt, t0, t0.Add(7*time.Minute))
	}
	if m.Backend != BackendRemote || m.RunID != "run-1" || m.SchemaVersion != SchemaVersion {
		t.Errorf("backend %q, run id %q, schema %d; want remote, run-1, %d", m.Backend, m.RunID, m.SchemaVersion, SchemaVersion)
	}
	if m.Passed() {
		t.Error("merged report passed, though shards failed and errored")
	}
	if len(shard1.Experiments) != 3 || shard1.Experiments[0].Name != "go-declared" {
		t.Error("Merge changed an input report")
	}

	// Idempotent: merging the result with a shard again adds nothing.
	again, err := Merge(m, shard2, shard1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, again) {
		t.Errorf("Merge(merged, shard2, shard1) = %q, differs from merged %q", names(again), names(m))
	}
}

func TestMerge_duplicates(t *testing.T) {
	first := Experiment{Name: "bot", File: "evals/bot.yaml", Line: 1, RunName: "bot-1", ID: "id-1", Status: StatusPassed}
	second := first
	second.Status = StatusFailed // the same experiment, as another report gives it
	rerun := first
	rerun.RunName, rerun.ID = "bot-2", "id-2" // the same fixture, run again: kept
	loadErr := Experiment{Name: "broken", File: "evals/broken.yaml", Line: 3, Status: StatusError, Error: "bad"}
	goOnly := Experiment{Name: "go", Status: StatusError, Error: "could not create"} // known by its name alone
	goOther := goOnly
	goOther.Error = "network down" // another shard's failure: kept

	m, err := Merge(
		&Report{Backend: BackendEmulator, Experiments: []Experiment{first, loadErr, goOnly}},
		&Report{Backend: BackendEmulator, Experiments: []Experiment{second, rerun, loadErr, goOnly, goOther}},
	)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range m.Experiments {
		got = append(got, e.Name+" "+e.RunName+" "+e.Status+" "+e.Error)
	}
	want := []string{"bot bot-1 passed ", "bot bot-2 passed ", "broken  error bad", "go  error could not create", "go  error network down"}
	if !slices.Equal(got, want) {
		t.Errorf("experiments:\n got %q\nwant %q", got, want)
	}
}

func TestMerge_runID(t *testing.T) {
	tests := []struct {
		ids  []string
		want string
	}{
		{[]string{"a", "a"}, "a"},
		{[]string{"a", "b"}, ""},
		{[]string{"a", ""}, ""},
		{[]string{"", ""}, ""},
		{[]string{"a"}, "a"},
	}
	for _, tt := range tests {
		var rs []*Report
		for _, id := range tt.ids {
			rs = append(rs, &Report{RunID: id, Backend: BackendRemote})
		}
		m, err := Merge(rs...)
		if err != nil || m.RunID != tt.want {
			t.Errorf("Merge(run ids %q) = run id %q, %v; want %q", tt.ids, m.RunID, err, tt.want)
		}
	}
}

func TestMerge_errors(t *testing.T) {
	remote := &Report{Backend: BackendRemote, Experiments: []Experiment{{Name: "a", Status: StatusPassed}}}
	emu := &Report{Backend: BackendEmulator, Experiments: []Experiment{{Name: "b", Status: StatusPassed}}}
	tests := []struct {
		name    string
		reports []*Report
		want    string
	}{
		{"none", nil, "no reports"},
		{"nil", []*Report{remote, nil}, "report 2 is nil"},
		{"different backends", []*Report{remote, {}, emu}, "report 3 ran on the emulator backend, an earlier one on the remote backend"},
		{"schema", []*Report{{SchemaVersion: 3}}, "report 1 has schema_version 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Merge(tt.reports...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || m != nil {
				t.Errorf("Merge = %v, %v; want nil and an error containing %q", m, err, tt.want)
			}
		})
	}
}

func TestMerge_roundTripsThroughJSON(t *testing.T) {
	a, b := sampleReport(t), sampleReport(t)
	b.Experiments = b.Experiments[:2] // a second shard holding two of the same experiments
	m, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Experiments) != 4 {
		t.Fatalf("%d experiments, want the 4 of the sample once each", len(m.Experiments))
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, m); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names(m), names(back)) {
		t.Errorf("after a JSON round trip: %q, want %q", names(back), names(m))
	}
}
