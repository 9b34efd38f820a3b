package galileo_test

// The reference_*_test.go files port every Python code block of the
// official Python SDK's Experiment reference to Go, line by line through
// the README's "Python Experiment → Go" table, and run each against the
// emulator with the traffic checked against the OpenAPI document. A test
// is named after its block: TestReference_<method>, with the reference's
// usage example and signature as subtests. When the client or the table
// changes, these tests say which Python line no longer ports.

import (
	"context"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/internal/apispec"
)

// refWorld is the world the reference's examples assume: the projects
// "My AI Project" and "My Project", the datasets and prompt templates they
// name, and, when asked, the experiment "ml-evaluation" run in both
// projects.
type refWorld struct {
	t   *testing.T
	ctx context.Context
	srv *emulator.Server
	c   *galileo.Client
	// projectIDs by name.
	projectIDs map[string]string
}

// refRows are the rows of every reference dataset. generated_output is
// what a model answered before (the function / generated-output flow
// scores it); output is the ground truth.
var refRows = []map[string]any{
	{"input": "What is overfitting?", "output": "A model that memorizes its training data.", "generated_output": "A model that memorizes its training data."},
	{"input": "What is a learning rate?", "output": "The step size of gradient descent.", "generated_output": "The step size of gradient descent."},
	{"input": "What is dropout?", "output": "Randomly disabling units while training.", "generated_output": "A kind of pooling."},
}

// refModel is the model alias of the reference prompt templates.
const refModel = "GPT-4o mini"

// newRefWorld starts the emulator and creates the reference's projects,
// datasets and prompt templates; with run, it also runs "ml-evaluation"
// in both projects and waits until the emulator has scored them.
func newRefWorld(t *testing.T, run bool, opts ...galileo.Option) *refWorld {
	t.Helper()
	ct := apispec.NewT(t, apispec.AllowRoutes(apispec.OffSpecRoutes()...))
	srv := emulator.NewTest(t, emulator.Options{Seed: 1, ScoringDelay: -1, Middleware: ct.Handler})
	c, err := srv.Client(opts...)
	if err != nil {
		t.Fatal(err)
	}
	w := &refWorld{t: t, ctx: t.Context(), srv: srv, c: c, projectIDs: map[string]string{}}
	for _, name := range []string{"My AI Project", "My Project"} {
		p, err := srv.CreateProject(name)
		if err != nil {
			t.Fatal(err)
		}
		w.projectIDs[name] = p.ID
	}
	pid := w.projectIDs["My Project"]
	for _, name := range []string{"ml-knowledge-dataset", "trace-dataset", "ml-dataset"} {
		if _, err := srv.CreateDataset(pid, name, refRows); err != nil {
			t.Fatal(err)
		}
	}
	temp := 0.2
	settings := galileo.DefaultPromptSettings()
	settings.ModelAlias, settings.Temperature = refModel, &temp
	for _, name := range []string{"ml-expert-v1", "ml-prompt"} {
		msgs := []galileo.Message{{Role: "system", Content: "You are a machine learning expert."}, {Role: "user", Content: "{{input}}"}}
		if _, err := srv.CreatePromptTemplate(pid, name, msgs, &settings); err != nil {
			t.Fatal(err)
		}
	}
	if run {
		for _, project := range []string{"My AI Project", "My Project"} {
			// The template's own settings, as a Python user passes them
			// (see get_prompt_template_settings).
			_, err := c.Experiments.New(galileo.ExperimentSpec{Name: "ml-evaluation", ProjectName: project,
				DatasetName: "ml-knowledge-dataset", PromptName: "ml-expert-v1", Model: refModel,
				Metrics: []string{"correctness"}}).Create(w.ctx)
			if err != nil {
				t.Fatal(err)
			}
		}
		w.settle()
	}
	return w
}

// settle waits until the emulator has generated and scored every row
// ("after the run completes" in the reference).
func (w *refWorld) settle() {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.ctx, 30*time.Second)
	defer cancel()
	if err := w.srv.WaitIdle(ctx); err != nil {
		w.t.Fatalf("the emulator did not finish its runs: %v", err)
	}
}

// get is the reference's Experiment.get(name=..., project_name=...).
func (w *refWorld) get(name, project string) *galileo.Experiment {
	w.t.Helper()
	e, err := w.c.Experiments.OpenIn(w.ctx, galileo.ProjectRef{Name: project}, name)
	if err != nil {
		w.t.Fatalf("Experiment.get(name=%q, project_name=%q): %v", name, project, err)
	}
	return e
}
