package galileo_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/galileo"
)

func TestReference_get(t *testing.T) {
	// def get(cls, *, name: str, project_id: str | None=None, project_name: str | None=None) -> Experiment | None
	env := map[string]string{"GALILEO_PROJECT": "My Project"}
	w := newRefWorld(t, true, galileo.WithEnvProject(config.WithLookup(func(k string) (string, bool) { v, ok := env[k]; return v, ok })))
	byName := w.get("ml-evaluation", "My Project")
	byID, err := w.c.Experiments.OpenIn(w.ctx, galileo.ProjectRef{ID: w.projectIDs["My Project"]}, "ml-evaluation")
	if err != nil {
		t.Fatal(err)
	}
	fromEnv, err := w.c.Experiments.OpenIn(w.ctx, galileo.ProjectRef{}, "ml-evaluation") // GALILEO_PROJECT
	if err != nil {
		t.Fatal(err)
	}
	if byName.ID() == "" || byID.ID() != byName.ID() || fromEnv.ID() != byName.ID() {
		t.Errorf("ids %q (project_name), %q (project_id), %q (environment): want one experiment", byName.ID(), byID.ID(), fromEnv.ID())
	}
	if byName.ProjectName() != "My Project" || fromEnv.ProjectName() != "My Project" || !byName.IsSynced() {
		t.Errorf("project_name %q / %q, synced %v", byName.ProjectName(), fromEnv.ProjectName(), byName.IsSynced())
	}
	other := w.get("ml-evaluation", "My AI Project")
	if other.ID() == byName.ID() {
		t.Errorf("the two projects' ml-evaluation are one experiment")
	}
	if _, err := w.c.Experiments.OpenIn(w.ctx, galileo.ProjectRef{Name: "My Project"}, "nope"); !errors.Is(err, galileo.ErrNotFound) {
		t.Errorf("get(name=nope): %v, want ErrNotFound (Python: None)", err)
	}
	bare, err := w.srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bare.Experiments.OpenIn(w.ctx, galileo.ProjectRef{}, "ml-evaluation"); err == nil || !strings.Contains(err.Error(), "GALILEO_PROJECT") {
		t.Errorf("get without project nor default: %v, want an error naming GALILEO_PROJECT", err)
	}
	badEnv := config.WithLookup(func(k string) (string, bool) { return "{not json", k == "GALILEO_EXTRA_HEADERS" })
	if _, err := galileo.NewClient(galileo.WithEnvProject(badEnv)); err == nil || !strings.Contains(err.Error(), "GALILEO_EXTRA_HEADERS") {
		t.Errorf("WithEnvProject with a bad environment: %v, want config's error naming the variable", err)
	}
}

func TestReference_list(t *testing.T) {
	// def list(cls, *, project_id: str | None=None, project_name: str | None=None) -> list[Experiment]
	w := newRefWorld(t, true, galileo.WithDefaultProject("", "My AI Project"))
	for _, ref := range []galileo.ProjectRef{{Name: "My Project"}, {ID: w.projectIDs["My Project"]}, {ID: w.projectIDs["My Project"], Name: "My AI Project"}, {}} {
		es, err := w.c.Experiments.OpenAllIn(w.ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		want := "My Project"
		if ref == (galileo.ProjectRef{}) {
			want = "My AI Project" // the client's default
		}
		if len(es) != 1 || es[0].Name() != "ml-evaluation" || es[0].ProjectName() != want {
			t.Errorf("list(%+v) = %d experiments: want ml-evaluation of %s", ref, len(es), want)
		}
	}
}

func TestReference_aggregate_metrics(t *testing.T) {
	// def aggregate_metrics(self) -> dict[str, float] | None
	// experiment = Experiment.get(name="ml-evaluation", project_name="My Project")
	// experiment.refresh()
	// metrics = experiment.aggregate_metrics
	// if metrics: print(metrics.get('average_cost', 0), metrics.get('total_responses', 0), metrics.get('average_latency', 0))
	//     if 'average_correctness' in metrics: print(f"{metrics['average_correctness']:.2%}")
	w := newRefWorld(t, true)
	experiment := w.get("ml-evaluation", "My Project")
	if err := experiment.Refresh(w.ctx); err != nil {
		t.Fatal(err)
	}
	metrics := experiment.AggregateMetrics()
	if metrics == nil {
		t.Fatal("aggregate_metrics is None after the run")
	}
	for _, k := range []string{"average_cost", "total_responses", "average_latency", "average_correctness"} {
		if _, ok := metrics[k].(float64); !ok {
			t.Errorf("metrics[%q] = %v: want a number", k, metrics[k])
		}
	}
	if metrics["total_responses"] != float64(len(refRows)) {
		t.Errorf("total_responses = %v, want %d", metrics["total_responses"], len(refRows))
	}
}

func TestReference_metric_aggregates(t *testing.T) {
	// def metric_aggregates(self) -> dict[str, MetricAggregates] | None
	// def experiment_columns(self) -> ColumnCollection
	w := newRefWorld(t, true)
	experiment := w.get("ml-evaluation", "My Project")
	if err := experiment.Refresh(w.ctx); err != nil {
		t.Fatal(err)
	}
	// cols = experiment.experiment_columns
	// for metric_id, agg in (experiment.metric_aggregates or {}).items():
	//     col = cols.get(f"metrics/{metric_id}")
	//     label = col.label if col else metric_id
	cols, err := experiment.ExperimentColumns(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{}
	for metricID, agg := range experiment.MetricAggregates() {
		label := metricID
		if col := cols.Get("metrics/" + metricID); col != nil && col.Label != nil {
			label = *col.Label
		}
		if agg.Avg == nil {
			t.Errorf("%s: avg is None", label)
		}
		labels[metricID] = label
	}
	var scorerKeys []string
	for k, l := range labels {
		if galileo.IsID(k) {
			scorerKeys = append(scorerKeys, l)
		}
	}
	if !slices.Equal(scorerKeys, []string{"Correctness"}) || labels["cost"] != "cost" {
		t.Errorf("labels %v: want the correctness scorer's UUID labelled Correctness, and cost as a raw key", labels)
	}
	// for metric_id, agg in (experiment.metric_aggregates or {}).items(): print(f"{metric_id}: avg={agg.avg}")
	if c := experiment.MetricAggregates()["cost"]; c.Count == nil || *c.Count != int64(len(refRows)) {
		t.Errorf("cost aggregate %+v: want one value per row", c)
	}
}

func TestReference_get_status(t *testing.T) {
	// def get_status(self) -> ExperimentStatusInfo
	// experiment = Experiment.get(name="ml-evaluation", project_name="My AI Project")
	// status = experiment.get_status()
	// print(status); print(f"Progress: {status.overall_progress}%")
	// if status.is_complete: ... elif status.is_in_progress: ...
	w := newRefWorld(t, true)
	experiment := w.get("ml-evaluation", "My AI Project")
	status, err := experiment.Status(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !status.IsComplete || status.IsInProgress || status.ProgressPercent != 100 || status.String() == "" {
		t.Errorf("status %v (%+v): want complete at 100%%", status, status)
	}
}

func TestReference_monitor_progress(t *testing.T) {
	// def monitor_progress(self, job_id: str | None=None) -> str
	w := newRefWorld(t, true)
	var out bytes.Buffer
	st, err := w.get("ml-evaluation", "My Project").MonitorProgress(w.ctx, &out, 10*time.Millisecond)
	if err != nil || !st.IsComplete || !strings.Contains(out.String(), "100") {
		t.Errorf("monitor_progress = %+v, %v, printed %q: want complete at 100%%", st, err, out.String())
	}
}

func TestReference_has_traces(t *testing.T) {
	// def has_traces(self) -> bool
	// experiment = Experiment.get(name="ml-evaluation", project_name="My Project")
	// if experiment.has_traces():
	//     new_exp = Experiment(name=f"{experiment.name}-rerun-1", dataset_name=experiment.dataset_name,
	//         prompt_name=experiment.prompt_name, project_name=experiment.project_name).create()
	w := newRefWorld(t, true)
	experiment := w.get("ml-evaluation", "My Project")
	if !experiment.HasTraces(w.ctx) {
		t.Fatal("has_traces() = false after the run")
	}
	newExp, err := w.c.Experiments.New(galileo.ExperimentSpec{Name: experiment.Name() + "-rerun-1", DatasetName: experiment.DatasetName(),
		PromptName: experiment.PromptName(), ProjectName: experiment.ProjectName()}).Create(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if newExp.Name() != "ml-evaluation-rerun-1" || newExp.DatasetName() != "ml-knowledge-dataset" || newExp.PromptName() != "ml-expert-v1" ||
		newExp.ProjectID() != w.projectIDs["My Project"] {
		t.Errorf("re-run %q dataset %q prompt %q project %s: want the opened experiment's", newExp.Name(), newExp.DatasetName(), newExp.PromptName(), newExp.ProjectID())
	}
	w.settle()
	if !newExp.HasTraces(w.ctx) {
		t.Errorf("the re-run has no traces: want it run at create")
	}
}

func TestReference_rank(t *testing.T) {
	w := newRefWorld(t, true)
	// A second experiment in the project, so that ranks compare something.
	if _, err := w.c.Experiments.New(galileo.ExperimentSpec{Name: "generated", ProjectName: "My Project", DatasetName: "trace-dataset",
		Metrics: []string{"correctness"}}).Create(w.ctx); err != nil {
		t.Fatal(err)
	}
	w.settle()
	// def is_winner(self) -> bool
	// experiments = Experiment.list(project_name="My Project")
	// winner = next((exp for exp in experiments if exp.is_winner), None)
	// if winner: print(winner.name, winner.ranking_score)
	experiments, err := w.c.Experiments.OpenAllIn(w.ctx, galileo.ProjectRef{Name: "My Project"})
	if err != nil {
		t.Fatal(err)
	}
	var winner *galileo.Experiment
	for _, exp := range experiments {
		if exp.IsWinner() {
			winner = exp
			break
		}
	}
	if winner == nil || winner.Name() != "generated" || winner.RankingScore() == nil {
		t.Errorf("winner %v: want generated (2/3 correct against 0) with a ranking score", winner)
	}
	// def rank(self) -> int | None
	// for exp in sorted(experiments, key=lambda x: x.rank or float('inf')): print(f"#{exp.rank}: {exp.name}")
	slices.SortFunc(experiments, func(a, b *galileo.Experiment) int { return rankOrInf(a) - rankOrInf(b) })
	var got []string
	for _, exp := range experiments {
		got = append(got, exp.Name())
		if exp.Rank() == nil {
			t.Errorf("%s: rank is None", exp.Name())
		}
	}
	if !slices.Equal(got, []string{"generated", "ml-evaluation"}) {
		t.Errorf("by rank: %v", got)
	}
	// def ranking_score(self) -> float | None
	// experiment = Experiment.get(name="ml-evaluation", project_name="My Project")
	// experiment.refresh()
	// if experiment.ranking_score: print(f"Ranking score: {experiment.ranking_score:.3f}")
	experiment := w.get("generated", "My Project")
	if err := experiment.Refresh(w.ctx); err != nil {
		t.Fatal(err)
	}
	if s := experiment.RankingScore(); s == nil || *s <= 0 {
		t.Errorf("ranking_score = %v: want a positive score", s)
	}
}

func rankOrInf(e *galileo.Experiment) int {
	if r := e.Rank(); r != nil {
		return *r
	}
	return int(^uint(0) >> 1)
}

func TestReference_related(t *testing.T) {
	w := newRefWorld(t, true)
	experiment := w.get("ml-evaluation", "My Project")
	ctx := w.ctx
	// def dataset(self) -> Dataset | None
	if d, err := experiment.Dataset(ctx); err != nil || d == nil || d.Name != "ml-knowledge-dataset" {
		t.Errorf("dataset = %+v, %v", d, err)
	}
	// def project(self) -> Project | None
	if p, err := experiment.Project(ctx); err != nil || p.ProjectName() != "My Project" {
		t.Errorf("project = %+v, %v", p, err)
	}
	// def prompt(self) -> Prompt | None
	if p, err := experiment.Prompt(ctx); err != nil || p == nil || p.Name != "ml-expert-v1" {
		t.Errorf("prompt = %+v, %v", p, err)
	}
	// def playground_name(self) -> str | None
	if n := experiment.PlaygroundName(); n != "" {
		t.Errorf("playground_name = %q: want None for an experiment not made in a playground", n)
	}
	// def model(self) -> Model | None, on an experiment from get()
	// def prompt_model(self) -> str | None
	// experiment = Experiment.get(name="ml-evaluation", project_name="My Project")
	// print(f"Model used: {experiment.prompt_model}")
	if m, pm := experiment.Model(), experiment.PromptModel(); m != refModel || pm != refModel {
		t.Errorf("model %q, prompt_model %q: want %q", m, pm, refModel)
	}
	// def tags(self) -> dict[str, builtins.list[dict]] | None
	// experiment = Experiment.get(name="ml-evaluation", project_name="My Project")
	// tags = experiment.tags
	// if tags and 'generic' in tags: for tag in tags['generic']: print(f"{tag['key']}={tag['value']}")
	if err := experiment.AddTag(ctx, "team", "ml-research", ""); err != nil {
		t.Fatal(err)
	}
	tags := w.get("ml-evaluation", "My Project").Tags()
	if g := tags["generic"]; len(g) != 1 || g[0].Key+"="+g[0].Value != "team=ml-research" {
		t.Errorf("tags = %+v: want generic team=ml-research", tags)
	}
}
