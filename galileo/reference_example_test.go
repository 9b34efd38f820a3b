package galileo_test

import (
	"context"
	"fmt"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/galileo"
)

// The Python reference's lookups and session filter, against the emulator:
//
//	experiment = Experiment.get(name="ml-evaluation", project_name="My AI Project")
//	model_column = experiment.session_columns["model"]
//	sessions = experiment.get_sessions(filters=[model_column.equals("GPT-4o mini")])
func ExampleExperimentsService_OpenIn() {
	srv, err := emulator.New(emulator.Options{Seed: 1, ScoringDelay: -1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()
	p, _ := srv.CreateProject("My AI Project")
	_, _ = srv.CreateDataset(p.ID, "ml-dataset", []map[string]any{
		{"input": "What is overfitting?", "output": "Memorizing the training data."},
		{"input": "What is dropout?", "output": "Randomly disabling units while training."},
	})
	_, _ = srv.CreatePromptTemplate(p.ID, "ml-prompt", []galileo.Message{{Role: "user", Content: "{{input}}"}}, nil)

	// GALILEO_PROJECT, as the Python SDK's fallback; WithDefaultProject
	// sets it here so that the example does not depend on the environment.
	c, err := srv.Client(galileo.WithDefaultProject("", "My AI Project"))
	if err != nil {
		fmt.Println(err)
		return
	}
	created, err := c.Experiments.New(galileo.ExperimentSpec{Name: "ml-evaluation", DatasetName: "ml-dataset",
		PromptName: "ml-prompt", Model: "GPT-4o mini"}).Create(ctx) // runs at create, as in Python
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("synced:", created.IsSynced())
	_ = srv.WaitIdle(ctx)

	experiment, err := c.Experiments.OpenIn(ctx, galileo.ProjectRef{Name: "My AI Project"}, "ml-evaluation")
	if err != nil {
		fmt.Println(err)
		return
	}
	columns, err := experiment.SessionColumns(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	modelColumn := columns.Get("model")
	sessions, err := experiment.GetSessions(ctx, galileo.QueryOptions{
		Filters: []galileo.Filter{galileo.Text(modelColumn.ID).Equals("GPT-4o mini")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(experiment.Name(), "in", experiment.ProjectName(), "on", experiment.DatasetName(), "with", experiment.PromptName())
	fmt.Println("sessions on GPT-4o mini:", len(sessions.Records))
	// Output:
	// synced: true
	// ml-evaluation in My AI Project on ml-dataset with ml-prompt
	// sessions on GPT-4o mini: 2
}
