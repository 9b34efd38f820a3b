package galileo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/internal/apispec"
)

// The examples run against a tiny stand-in for the API, checked against
// the OpenAPI document: a contract violation is printed and fails the
// example's output.

const (
	sxProject    = "7d3c8f0a-5b1e-4c2d-9e8f-1a2b3c4d5e6f"
	sxDataset    = "8b0d7c1e-1a51-4d0c-9a53-2f5ad6f9b0a1"
	sxExperiment = "5c3e2a9e-2f7a-4b5e-9a55-0d1c9b6f4e21"
	sxScorer     = "aed89cbc-5515-43c3-87ae-39c3c44c043e"
	sxUser       = "0b7c1e2a-3a51-4d0c-9a53-2f5ad6f9b0a1"
)

var sxTime = time.Date(2026, 7, 30, 18, 0, 0, 0, time.UTC)

// serviceExampleAPI starts the stand-in and returns a client for it and a
// function that stops it and prints any contract violation.
func serviceExampleAPI() (*galileo.Client, func()) {
	v, err := apispec.Load()
	if err != nil {
		panic(err)
	}
	var rec apispec.Recorder
	var mu sync.Mutex
	polls := 0
	user := galileo.UserInfo{ID: sxUser, Email: "dev@example.test"}
	name := "support-bot"
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /projects", func(w http.ResponseWriter, r *http.Request) {
		reply(w, []galileo.Project{{ID: sxProject, Name: &name, CreatedBy: sxUser, CreatedByUser: user,
			Runs: []any{}, CreatedAt: sxTime, UpdatedAt: sxTime, Permissions: []any{}, Labels: []string{}}})
	})
	rows := 2
	dataset := galileo.Dataset{ID: sxDataset, Name: "questions", CreatedAt: sxTime, UpdatedAt: sxTime, NumRows: &rows,
		ColumnNames: []string{"input", "output", "generated_output"}, CreatedByUser: &user, CurrentVersionIndex: 1, Permissions: []any{}}
	mux.HandleFunc("POST /datasets/query", func(w http.ResponseWriter, r *http.Request) {
		reply(w, galileo.ListDatasetResponse{Datasets: []galileo.Dataset{dataset}})
	})
	mux.HandleFunc("GET /datasets/{dataset_id}/content", func(w http.ResponseWriter, r *http.Request) {
		meta := &galileo.DatasetRowMetadata{CreatedInVersion: 1, CreatedAt: sxTime, CreatedByUser: &user, UpdatedInVersion: 1, UpdatedAt: sxTime, UpdatedByUser: &user}
		row := func(i int, in, out, gen string) galileo.DatasetRow {
			return galileo.DatasetRow{RowID: fmt.Sprintf("00000000-0000-4000-8000-00000000000%d", i), Index: i,
				Values: []any{in, out, gen}, ValuesDict: map[string]any{"input": in, "output": out, "generated_output": gen}, Metadata: meta}
		}
		reply(w, galileo.DatasetContent{ColumnNames: []string{"input", "output", "generated_output"},
			Rows: []galileo.DatasetRow{row(0, "How do I reset my password?", "Use the reset link.", "Click the reset link."),
				row(1, "Do you ship abroad?", "Yes.", "Yes, worldwide.")}})
	})
	label := "Correctness"
	mux.HandleFunc("POST /scorers/list", func(w http.ResponseWriter, r *http.Request) {
		reply(w, galileo.ListScorersResponse{Scorers: []galileo.Scorer{{ID: sxScorer, Name: "correctness", Label: &label, ScorerType: "preset", Tags: []string{"preset"}}}})
	})
	experiment := func(progress float64) galileo.ExperimentResponse {
		e := galileo.ExperimentResponse{ID: sxExperiment, ProjectID: sxProject, TaskType: galileo.TaskTypeExperiment,
			Name: "support-bot-nightly", CreatedAt: sxTime, AggregateMetrics: map[string]any{}, Tags: map[string][]galileo.RunTag{},
			Status: galileo.ExperimentStatus{LogGeneration: &galileo.ExperimentPhaseStatus{ProgressPercent: progress}}}
		if progress >= 1 {
			avg, count := 0.95, int64(2)
			e.StructuredAggregateMetrics = map[string]galileo.MetricAggregates{sxScorer: {Avg: &avg, Count: &count}}
		}
		return e
	}
	mux.HandleFunc("POST /projects/{project_id}/experiments", func(w http.ResponseWriter, r *http.Request) {
		reply(w, experiment(0))
	})
	mux.HandleFunc("GET /projects/{project_id}/experiments/{experiment_id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		polls++
		p := min(float64(polls)*0.5, 1)
		mu.Unlock()
		reply(w, experiment(p))
	})
	mux.HandleFunc("POST /projects/{project_id}/experiments/search", func(w http.ResponseWriter, r *http.Request) {
		var body galileo.ExperimentSearchRequest
		_ = json.NewDecoder(r.Body).Decode(&body)
		if len(body.Filters) == 0 || body.Filters[0].Name != "id" {
			reply(w, galileo.ListExperimentResponse{Experiments: []galileo.ExperimentResponse{}})
			return
		}
		// A wait's poll: the experiment by id, with counts.
		mu.Lock()
		polls++
		p := min(float64(polls)*0.5, 1)
		mu.Unlock()
		e, traces := experiment(p), 2
		e.NumTraces = &traces
		reply(w, galileo.ListExperimentResponse{Experiments: []galileo.ExperimentResponse{e}})
	})
	dt, alias := "floating_point", "correctness"
	mux.HandleFunc("POST /projects/{project_id}/experiments/available_columns", func(w http.ResponseWriter, r *http.Request) {
		reply(w, galileo.ColumnsResponse{Columns: []galileo.ColumnInfo{{ID: "metrics/" + sxScorer, Label: &label,
			MetricKeyAlias: &alias, Category: "metric", DataType: &dt}}})
	})
	mux.HandleFunc("POST /projects/{project_id}/export_records", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintln(w, `{"type":"trace","input":"How do I reset my password?","output":"Use the reset link."}`)
		fmt.Fprintln(w, `{"type":"trace","input":"Do you ship abroad?","output":"Yes."}`)
	})
	srv := httptest.NewServer(v.Middleware(mux, &rec))
	c, err := galileo.NewClient(galileo.WithBaseURL(srv.URL), galileo.WithJWT("example-token"),
		galileo.WithConsoleURL("https://console.example.test"), galileo.WithHTTPClient(srv.Client()))
	if err != nil {
		panic(err)
	}
	return c, func() {
		srv.Close()
		for _, err := range rec.Violations() {
			fmt.Println("contract violation:", err)
		}
	}
}

// Create an experiment that the server runs over a stored dataset at
// create, as the Python SDK's create() does (without a prompt template it
// scores the dataset's generated_output column), wait for it, and read one
// metric.
func ExampleExperimentsService_New() {
	client, stop := serviceExampleAPI()
	defer stop()
	ctx := context.Background()

	exp, err := client.Experiments.New(galileo.ExperimentSpec{
		Name:        "support-bot-nightly",
		ProjectName: "support-bot",
		DatasetName: "questions",
		Metrics:     []string{"correctness"},
	}).Create(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, _ := exp.Run(ctx)
	fmt.Println(res.Link)

	if _, err := exp.MonitorProgress(ctx, os.Stdout, 10*time.Millisecond); err != nil {
		fmt.Println(err)
		return
	}
	agg, err := exp.GetMetricAggregate(ctx, "Correctness")
	if err != nil || agg == nil {
		fmt.Println("not scored yet", err)
		return
	}
	fmt.Printf("correctness: avg %.2f over %d rows\n", *agg.Avg, *agg.Count)
	// Output:
	// https://console.example.test/project/7d3c8f0a-5b1e-4c2d-9e8f-1a2b3c4d5e6f/experiments/5c3e2a9e-2f7a-4b5e-9a55-0d1c9b6f4e21
	// experiment "support-bot-nightly": in progress (50%)
	// experiment "support-bot-nightly": complete (100%)
	// correctness: avg 0.95 over 2 rows
}

// A misspelt metric fails before anything is created, with suggestions.
func ExampleScorersService_Resolve() {
	client, stop := serviceExampleAPI()
	defer stop()

	_, err := client.Scorers.Resolve(context.Background(), []string{"corectness"})
	var unknown *galileo.UnknownMetricError
	if errors.As(err, &unknown) {
		fmt.Println(err)
		fmt.Println(unknown.Suggestions["corectness"])
	}
	// Output:
	// galileo: unknown metric "corectness" (did you mean "correctness"?); available: Correctness (correctness)
	// [correctness]
}

// Stream an experiment's records without holding them in memory.
func ExampleRecordsService_Export() {
	client, stop := serviceExampleAPI()
	defer stop()

	eid := sxExperiment
	for rec, err := range client.Records.Export(context.Background(), sxProject, galileo.LogRecordsExportRequest{ExperimentID: &eid}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(rec["input"], "->", rec["output"])
	}
	// Output:
	// How do I reset my password? -> Use the reset link.
	// Do you ship abroad? -> Yes.
}

// Read a stored dataset row by row.
func ExampleDatasetsService_Content() {
	client, stop := serviceExampleAPI()
	defer stop()

	for row, err := range client.Datasets.Content(context.Background(), sxDataset) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d: %s\n", row.Index, strings.ToLower(row.ValuesDict["input"].(string)))
	}
	// Output:
	// 0: how do i reset my password?
	// 1: do you ship abroad?
}
