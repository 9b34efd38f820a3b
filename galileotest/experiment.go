package galileotest

import (
	"context"

	"github.com/galileo-community/galileo-go/fixtures"
)

// Row is one dataset row as a function under test sees it.
type Row struct {
	Input       string            // the row's input: plain text, or JSON text when structured
	GroundTruth string            // the row's expected output ("" when the dataset has none)
	Metadata    map[string]string // the row's metadata
}

// Func is a Go function under test. The harness calls it once per dataset
// row, concurrently for different rows, and logs its answer (or its error) as
// the row's output. The context carries the harness's recorder: see
// RecordLLM, RecordTool and RecordRetriever. Fixtures name a function with
// `function: <name>`; register it with WithFunc.
type Func func(ctx context.Context, row Row) (string, error)

// Experiment declares one experiment in Go. It is the fixture loader's
// type, fixtures.Experiment — the same fields, the same defaults and the
// same Validate, so an experiment reads and behaves alike whether it comes
// from YAML or from Go:
//
//	h.Run(galileotest.Experiment{
//		Name:     "support-bot",
//		Dataset:  galileotest.DatasetFile("testdata/questions.jsonl"),
//		Function: "answer",
//		Metrics:  []string{"correctness"},
//		Expect:   []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.9"}},
//	})
//
// Prompt, Expect, Naming and Allow take package fixtures' types
// (fixtures.Prompt, fixtures.Expectation, …). Zero Timeout, Concurrency and
// Naming mean fixtures.DefaultTimeout, fixtures.DefaultConcurrency and
// fixtures.NamingUnique. A project left empty is GALILEO_PROJECT_ID or
// GALILEO_PROJECT, and on the emulator DefaultProject.
type Experiment fixtures.Experiment

// DatasetFile returns a dataset read from a .jsonl or .csv file (the
// format package fixtures documents) when the experiment runs. A relative
// path is relative to the working directory, which under go test is the
// package directory.
func DatasetFile(path string) fixtures.Dataset { return fixtures.Dataset{File: path} }

// DatasetRows returns a dataset of inline rows.
func DatasetRows(rows ...Row) fixtures.Dataset {
	out := make([]fixtures.Row, len(rows))
	for i, r := range rows {
		out[i] = fixtures.Row{Input: r.Input, GroundTruth: r.GroundTruth, Metadata: r.Metadata}
	}
	return fixtures.Dataset{Rows: out}
}

// StoredDataset returns a dataset stored on Galileo under name, in its
// current version.
func StoredDataset(name string) fixtures.Dataset { return fixtures.Dataset{Name: name} }

// DefaultProject is the project used on the emulator when neither the
// experiment nor GALILEO_PROJECT names one.
const DefaultProject = "galileotest"
