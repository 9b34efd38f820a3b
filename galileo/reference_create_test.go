package galileo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/galileo"
)

// The class docstring: a prompt-based and a generated-output experiment,
// the results after the run, and a re-run under another name.
func TestReference_Experiment(t *testing.T) {
	w := newRefWorld(t, false)
	ctx := w.ctx

	// # Prompt-based experiment
	// experiment = Experiment(name="ml-expert-evaluation", dataset_name="ml-knowledge-dataset",
	//     prompt_name="ml-expert-v1", metrics=["correctness", "completeness"], project_name="My AI Project")
	// experiment.create()
	experiment := w.c.Experiments.New(galileo.ExperimentSpec{Name: "ml-expert-evaluation", DatasetName: "ml-knowledge-dataset",
		PromptName: "ml-expert-v1", Metrics: []string{"correctness", "completeness"}, ProjectName: "My AI Project"})
	if _, err := experiment.Create(ctx); err != nil {
		t.Fatalf("prompt-based create(): %v", err)
	}

	// # Function-based / generated-output experiment (no prompt required)
	// experiment = Experiment(name="otel-trace-eval", dataset_name="trace-dataset",
	//     metrics=["correctness"], project_name="My AI Project")
	// experiment.create()
	generated := w.c.Experiments.New(galileo.ExperimentSpec{Name: "otel-trace-eval", DatasetName: "trace-dataset",
		Metrics: []string{"correctness"}, ProjectName: "My AI Project"})
	if _, err := generated.Create(ctx); err != nil {
		t.Fatalf("generated-output create(): %v", err)
	}

	// # Check results after the run completes
	// experiment.refresh()
	// metrics = experiment.aggregate_metrics
	// print(f"Average correctness: {metrics['average_correctness']}")
	w.settle()
	for _, e := range []*galileo.Experiment{experiment, generated} {
		if err := e.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		metrics := e.AggregateMetrics()
		avg, ok := metrics["average_correctness"].(float64)
		if !ok || avg < 0 || avg > 1 {
			t.Errorf("%s: metrics[average_correctness] = %v (in %v): want a value in [0, 1]", e.Name(), metrics["average_correctness"], metrics)
		}
	}
	// The generated outputs are scored as they are: two of three match.
	if avg := generated.AggregateMetrics()["average_correctness"].(float64); avg < 0.6 || avg > 0.7 {
		t.Errorf("otel-trace-eval average_correctness = %v: want 2/3 (the dataset's generated_output scored)", avg)
	}
	if _, ok := experiment.AggregateMetrics()["average_completeness_gpt"].(float64); !ok {
		t.Errorf("aggregate metrics %v: want average_completeness_gpt (the alias of the second metric)", experiment.AggregateMetrics())
	}

	// experiment2 = Experiment(name=f"{experiment.name}-rerun-1", dataset_name=experiment.dataset_name,
	//     prompt_name=experiment.prompt_name, metrics=experiment.metrics,
	//     project_name=experiment.project_name).create()
	experiment2, err := w.c.Experiments.New(galileo.ExperimentSpec{Name: experiment.Name() + "-rerun-1", DatasetName: experiment.DatasetName(),
		PromptName: experiment.PromptName(), Metrics: experiment.Metrics(), ProjectName: experiment.ProjectName()}).Create(ctx)
	if err != nil {
		t.Fatalf("re-run create(): %v", err)
	}
	if experiment2.Name() != "ml-expert-evaluation-rerun-1" || experiment2.DatasetName() != "ml-knowledge-dataset" ||
		experiment2.PromptName() != "ml-expert-v1" || experiment2.ProjectName() != "My AI Project" ||
		strings.Join(experiment2.Metrics(), ",") != "correctness,completeness" {
		t.Errorf("re-run = %q dataset %q prompt %q project %q metrics %v: want the first experiment's",
			experiment2.Name(), experiment2.DatasetName(), experiment2.PromptName(), experiment2.ProjectName(), experiment2.Metrics())
	}
	w.settle()
	if !experiment2.HasTraces(ctx) {
		t.Errorf("the re-run has no traces: want it run at create, as Python's create() does")
	}
}

func TestReference_create(t *testing.T) {
	// def create(self) -> Experiment
	t.Run("signature", func(t *testing.T) {
		w := newRefWorld(t, false)
		e := w.c.Experiments.New(galileo.ExperimentSpec{Name: "x", ProjectName: "My Project"})
		got, err := e.Create(w.ctx)
		if err != nil || got != e {
			t.Fatalf("Create = %p, %v: want the same handle", got, err)
		}
		// No dataset: created, nothing runs (a dataset is optional at creation).
		if !got.IsSynced() || got.DatasetName() != "" || got.HasTraces(w.ctx) {
			t.Errorf("synced %v dataset %q: want a synced experiment without dataset or traces", got.IsSynced(), got.DatasetName())
		}
	})
	// experiment = Experiment(name="ml-evaluation", dataset_name="ml-dataset", project_name="My AI Project").create()
	// assert experiment.is_synced()
	t.Run("example", func(t *testing.T) {
		w := newRefWorld(t, false)
		experiment, err := w.c.Experiments.New(galileo.ExperimentSpec{Name: "ml-evaluation", DatasetName: "ml-dataset",
			ProjectName: "My AI Project"}).Create(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !experiment.IsSynced() {
			t.Errorf("is_synced() = false after create()")
		}
		w.settle()
		if err := experiment.Refresh(w.ctx); err != nil {
			t.Fatal(err)
		}
		if st, _ := experiment.Status(w.ctx); !st.IsComplete {
			t.Errorf("status %v: want the run complete (started at create)", st)
		}
	})
}

func TestReference_run(t *testing.T) {
	// def run(self) -> ExperimentRunResult
	w := newRefWorld(t, false)
	e := w.c.Experiments.New(galileo.ExperimentSpec{Name: "r", ProjectName: "My Project", DatasetName: "ml-dataset", PromptName: "ml-prompt"})
	if _, err := e.Run(w.ctx); !errors.Is(err, galileo.ErrNotCreated) {
		t.Errorf("run() before create(): %v, want ErrNotCreated (Python's ValueError)", err)
	}
	if _, err := e.Create(w.ctx); err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := w.srv.URL() + "/project/" + e.ProjectID() + "/experiments/" + e.ID()
	if res.Link != want || !strings.Contains(res.Message, want) {
		t.Errorf("run() = link %q message %q: want the emulator's console link %q", res.Link, res.Message, want)
	}
	if _, err := e.Run(w.ctx); !errors.Is(err, galileo.ErrAlreadyRun) {
		t.Errorf("second run(): %v, want ErrAlreadyRun", err)
	}
}

func TestReference_get_prompt_template_settings(t *testing.T) {
	// def get_prompt_template_settings(self) -> PromptRunSettings | None
	// experiment = Experiment(name="ml-evaluation", prompt_name="ml-prompt", dataset_name="ml-dataset",
	//     project_name="My Project").create()
	// template_settings = experiment.get_prompt_template_settings()
	w := newRefWorld(t, false)
	experiment, err := w.c.Experiments.New(galileo.ExperimentSpec{Name: "ml-evaluation", PromptName: "ml-prompt",
		DatasetName: "ml-dataset", ProjectName: "My Project"}).Create(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	templateSettings, err := experiment.PromptTemplateSettings(w.ctx)
	if err != nil || templateSettings == nil {
		t.Fatalf("get_prompt_template_settings() = %v, %v", templateSettings, err)
	}
	if templateSettings.ModelAlias != refModel || templateSettings.Temperature == nil || *templateSettings.Temperature != 0.2 {
		t.Errorf("template settings %+v: want the template's (%s, temperature 0.2)", templateSettings, refModel)
	}
	// Not applied by themselves: the run used the defaults.
	if m := experiment.PromptModel(); m != galileo.DefaultPromptSettings().ModelAlias {
		t.Errorf("prompt_model = %q: want the default %q, the template's settings are not applied", m, galileo.DefaultPromptSettings().ModelAlias)
	}
}

func TestReference_model(t *testing.T) {
	// def model(self) -> Model | None
	// experiment = Experiment(name="ml-evaluation", dataset_name="ml-dataset", prompt_name="ml-prompt",
	//     model="gpt-4o-mini", project_name="My Project")
	// print(f"Model: {experiment.model.alias}")
	w := newRefWorld(t, false)
	experiment := w.c.Experiments.New(galileo.ExperimentSpec{Name: "ml-evaluation", DatasetName: "ml-dataset", PromptName: "ml-prompt",
		Model: "gpt-4o-mini", ProjectName: "My Project"})
	if got := experiment.Model(); got != "gpt-4o-mini" {
		t.Errorf("model.alias = %q before create, want gpt-4o-mini", got)
	}
	if _, err := experiment.Create(w.ctx); err != nil {
		t.Fatal(err)
	}
	if got, pm := experiment.Model(), experiment.PromptModel(); got != "gpt-4o-mini" || pm != "gpt-4o-mini" {
		t.Errorf("model = %q, prompt_model = %q after create: want gpt-4o-mini", got, pm)
	}
	// An alias the service does not offer is refused when the run starts.
	_, err := w.c.Experiments.New(galileo.ExperimentSpec{Name: "typo", DatasetName: "ml-dataset", PromptName: "ml-prompt",
		Model: "gpt-4o-mnii", ProjectName: "My Project"}).Create(w.ctx)
	if err == nil || !strings.Contains(err.Error(), "Model alias 'gpt-4o-mnii' not found") {
		t.Errorf("create with model gpt-4o-mnii: %v, want the service's model alias error", err)
	}
}

func TestReference_set_prompt(t *testing.T) {
	// def set_prompt(self, *, prompt=None, prompt_name=None, prompt_id=None) -> None
	w := newRefWorld(t, true)
	e := w.get("ml-evaluation", "My Project")
	e.SetPrompt(galileo.PromptRef{Name: "ml-prompt"}) // prompt_name=
	p, err := e.Prompt(w.ctx)
	if err != nil || p == nil || p.Name != "ml-prompt" || e.PromptName() != "ml-prompt" {
		t.Fatalf("prompt after set_prompt(prompt_name=...) = %+v, %v", p, err)
	}
	other, err := w.c.Prompts.GetByName(w.ctx, "ml-expert-v1")
	if err != nil {
		t.Fatal(err)
	}
	e.SetPrompt(other.Ref()) // prompt=<PromptTemplate>
	if p, err := e.Prompt(w.ctx); err != nil || p.ID != other.ID {
		t.Errorf("prompt after set_prompt(prompt=template) = %+v, %v: want %s", p, err, other.ID)
	}
	e.SetPrompt(galileo.PromptRef{ID: p.ID, Name: "ignored"}) // prompt_id= wins
	if got, err := e.Prompt(w.ctx); err != nil || got.Name != "ml-prompt" {
		t.Errorf("prompt after set_prompt(prompt_id=...) = %+v, %v: want ml-prompt (the id wins)", got, err)
	}
}

func TestReference_add_tag(t *testing.T) {
	// def add_tag(self, key: str, value: str, tag_type: str='generic') -> None
	w := newRefWorld(t, true)
	e := w.get("ml-evaluation", "My Project")
	if err := e.AddTag(w.ctx, "environment", "production", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.AddTag(w.ctx, "retriever", "bm25", "rag"); err != nil {
		t.Fatal(err)
	}
	tags := e.Tags()
	if g, r := tags["generic"], tags["rag"]; len(g) != 1 || g[0].Key != "environment" || g[0].Value != "production" ||
		len(r) != 1 || r[0].Key != "retriever" {
		t.Errorf("tags = %+v: want generic environment=production and rag retriever=bm25", tags)
	}
}

func TestReference_delete(t *testing.T) {
	// def delete(self) -> None
	// experiment = Experiment.get(name="old-experiment", project_name="My AI Project")
	// experiment.delete()
	// assert experiment.is_deleted()
	// print(experiment.sync_state)  # SyncState.DELETED
	w := newRefWorld(t, false)
	if _, err := w.c.Experiments.New(galileo.ExperimentSpec{Name: "old-experiment", ProjectName: "My AI Project"}).Create(w.ctx); err != nil {
		t.Fatal(err)
	}
	experiment := w.get("old-experiment", "My AI Project")
	if err := experiment.Delete(w.ctx); err != nil {
		t.Fatal(err)
	}
	if !experiment.IsDeleted() || experiment.IsSynced() || experiment.State().String() != "deleted" {
		t.Errorf("is_deleted() %v, sync_state %v: want deleted", experiment.IsDeleted(), experiment.State())
	}
	if _, err := w.c.Experiments.OpenIn(w.ctx, galileo.ProjectRef{Name: "My AI Project"}, "old-experiment"); !errors.Is(err, galileo.ErrNotFound) {
		t.Errorf("Experiment.get after delete: %v, want ErrNotFound (Python: None)", err)
	}
	if err := experiment.Refresh(w.ctx); !errors.Is(err, galileo.ErrDeleted) {
		t.Errorf("refresh() after delete: %v, want ErrDeleted", err)
	}
}

func TestReference_refresh(t *testing.T) {
	// def refresh(self) -> None
	// experiment.refresh()
	// assert experiment.is_synced()
	w := newRefWorld(t, false)
	experiment, err := w.c.Experiments.New(galileo.ExperimentSpec{Name: "ml-evaluation", ProjectName: "My Project",
		DatasetName: "ml-dataset", PromptName: "ml-prompt", Metrics: []string{"correctness"}}).Create(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.settle()
	if len(experiment.MetricAggregates()) != 0 {
		t.Fatalf("metric aggregates before refresh: %v, want none cached yet", experiment.MetricAggregates())
	}
	if err := experiment.Refresh(w.ctx); err != nil {
		t.Fatal(err)
	}
	if !experiment.IsSynced() || len(experiment.MetricAggregates()) == 0 {
		t.Errorf("after refresh: synced %v, aggregates %v: want synced with the run's aggregates", experiment.IsSynced(), experiment.MetricAggregates())
	}
}
