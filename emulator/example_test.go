package emulator_test

import (
	"context"
	"fmt"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/galileo"
)

// A prompt run on the emulator: the built-in "ground-truth" model answers
// every row correctly, and the Correctness aggregates cover every row once
// the background scoring is done.
func Example() {
	s, err := emulator.New(emulator.Options{Seed: 7, ScoringDelay: -1})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	c, err := s.Client()
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	p, _ := c.Projects.Create(ctx, "demo")
	ds, _ := c.Datasets.Create(ctx, "qa", []map[string]any{
		{"input": "What is 2+2?", "output": "4"},
		{"input": "Capital of France?", "output": "Paris"},
	}, &galileo.DatasetCreateOptions{ProjectID: p.ID})
	tmpl, _ := c.Prompts.Create(ctx, "qa-prompt", []galileo.Message{{Role: "user", Content: "{{input}}"}}, nil, nil)
	e, err := c.Experiments.New(galileo.ExperimentSpec{Name: "nightly", ProjectID: p.ID, DatasetID: ds.ID,
		PromptTemplateID: tmpl.ID, Model: emulator.ModelGroundTruth, Metrics: []string{"correctness"}}).Create(ctx)
	if err != nil {
		panic(err)
	}
	if err := s.WaitIdle(ctx); err != nil {
		panic(err)
	}
	if err := e.Refresh(ctx); err != nil {
		panic(err)
	}
	agg, _ := e.GetMetricAggregate(ctx, "Correctness")
	fmt.Printf("correctness: avg %.2f over %d rows\n", *agg.Avg, *agg.Count)
	// Output: correctness: avg 1.00 over 2 rows
}
