package galileotest

import (
	"context"
	"time"

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

// Types shared with package fixtures, so that an experiment declared in Go
// reads like one declared in YAML.
type (
	// Prompt is the prompt of a prompt experiment: a stored template (by
	// name and optional version) or inline messages, with an optional model
	// alias and settings.
	Prompt = fixtures.Prompt
	// Message is one chat message of an inline prompt.
	Message = fixtures.Message
	// Settings are model settings that override the defaults.
	Settings = fixtures.Settings
	// Expectation is one threshold: a metric and an expression in the
	// language of package assert, such as {Metric: "correctness", Expr:
	// "avg >= 0.95"}. Threshold may be left zero; it is parsed from Expr.
	Expectation = fixtures.Expectation
	// Naming says how each run's experiment name is built.
	Naming = fixtures.Naming
	// Allowance is how many rows may stay unscored or fail.
	Allowance = fixtures.Allowance
)

// Naming strategies, see the package documentation.
const (
	NamingUnique   = fixtures.NamingUnique
	NamingRerun    = fixtures.NamingRerun
	NamingTemplate = fixtures.NamingTemplate
)

// Defaults applied when an experiment leaves a field zero.
const (
	DefaultTimeout     = fixtures.DefaultTimeout
	DefaultConcurrency = fixtures.DefaultConcurrency
	// DefaultProject is the project used on the emulator when neither the
	// experiment nor GALILEO_PROJECT names one.
	DefaultProject = "galileotest"
)

// Experiment describes one experiment to run: what runs (a registered Go
// function or a prompt), over which rows, scored by which metrics, and the
// thresholds its aggregates must meet. It is the Go form of a YAML fixture
// (see FromFixture); the fields mean what the fixture fields of the same
// name mean (package fixtures documents them).
type Experiment struct {
	// Name is the base name; each run's experiment name is derived from it
	// by Naming. Required.
	Name string
	// Project is the Galileo project name. "" uses GALILEO_PROJECT_ID or
	// GALILEO_PROJECT, and on the emulator (or a client for a loopback
	// address) DefaultProject. A project that does not exist is created.
	Project string
	// Dataset is where the rows come from. Required.
	Dataset Dataset
	// Function names a Go function registered with WithFunc. Exactly one of
	// Function and Prompt is set.
	Function string
	// Prompt is the prompt the server runs over the dataset.
	Prompt *Prompt
	// Metrics are the scorers to run: names, labels or scorer UUIDs.
	Metrics []string
	// Expect are thresholds asserted when the experiment runs through a
	// Harness (one subtest each) and reported as verdicts in the Report.
	Expect []Expectation
	// Timeout bounds the whole run, waiting for scores included;
	// DefaultTimeout when zero.
	Timeout time.Duration
	// Naming says how the run's experiment name is built; the zero value
	// means NamingUnique.
	Naming Naming
	// Tags are written as experiment tags next to the git and CI tags.
	Tags map[string]string
	// Concurrency bounds how many rows a function runs at once;
	// DefaultConcurrency when zero.
	Concurrency int
	// Allow is how many rows may stay unscored or fail without failing the
	// run; nothing by default.
	Allow Allowance
	// File and Line locate the declaration in a fixture, for messages;
	// empty for experiments declared in Go.
	File string
	Line int
}

// Dataset says where an experiment's rows come from. Set exactly one of
// Name (a dataset stored on Galileo), File (a JSONL or CSV file) and Rows.
type Dataset struct {
	// Name is a dataset stored on Galileo, Version its version (nil: the
	// current one).
	Name    string
	Version *int
	// File is a .jsonl or .csv file in the format package fixtures
	// documents, relative to the working directory (for a fixture: to the
	// fixture's directory, read when the fixture is loaded).
	File string
	// Rows are inline rows.
	Rows []Row

	// rows are rows read by package fixtures, with their generated outputs.
	rows []fixtures.Row
}

// DatasetFile returns a dataset read from a .jsonl or .csv file when the
// experiment runs. A relative path is relative to the working directory,
// which under go test is the package directory.
func DatasetFile(path string) Dataset { return Dataset{File: path} }

// DatasetRows returns a dataset of inline rows.
func DatasetRows(rows ...Row) Dataset { return Dataset{Rows: rows} }

// StoredDataset returns a dataset stored on Galileo under name, in its
// current version.
func StoredDataset(name string) Dataset { return Dataset{Name: name} }

// FromFixture converts an experiment loaded by package fixtures.
func FromFixture(x fixtures.Experiment) Experiment {
	ds := Dataset{Name: x.Dataset.Name, Version: x.Dataset.Version, File: x.Dataset.File}
	if !x.Dataset.Stored() {
		ds.rows = x.Dataset.Rows
		if ds.rows == nil {
			ds.rows = []fixtures.Row{}
		}
	}
	return Experiment{
		Name:        x.Name,
		Project:     x.Project,
		Dataset:     ds,
		Function:    x.Function,
		Prompt:      x.Prompt,
		Metrics:     x.Metrics,
		Expect:      x.Expect,
		Timeout:     x.Timeout,
		Naming:      x.Naming,
		Tags:        x.Tags,
		Concurrency: x.Concurrency,
		Allow:       x.Allow,
		File:        x.File,
		Line:        x.Line,
	}
}
