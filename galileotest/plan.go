package galileotest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/fixtures"
)

// ErrInput is matched (errors.Is) by every error about the experiment as
// written: a missing field, an unknown function, a malformed threshold, an
// unknown metric. Nothing is created on the server when it occurs.
var ErrInput = errors.New("galileotest: bad input")

// InputError is one problem with an experiment as written. Its text is
// "file:line: field: msg" for fixtures and `experiment "name": field: msg`
// for experiments declared in Go.
type InputError struct {
	File       string // fixture path, "" for Go
	Line       int    // line in File, 0 when unknown
	Experiment string // the experiment's name
	Field      string // the field, e.g. "function" or "expect.correctness"
	Msg        string // what is wrong and what was expected
}

// Error renders the problem on one line.
func (e *InputError) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		fmt.Fprintf(&b, "%s: ", e.File)
	case e.Experiment != "":
		fmt.Fprintf(&b, "experiment %q: ", e.Experiment)
	default:
		b.WriteString("experiment: ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Is makes errors.Is(err, ErrInput) true.
func (e *InputError) Is(target error) bool { return target == ErrInput }

// plan is an experiment checked and normalised, ready to run.
type plan struct {
	x           Experiment
	fn          Func
	rows        []fixtures.Row // nil for a stored dataset
	scorers     []string       // metrics that name scorers
	expects     []Expectation  // with parsed thresholds
	timeout     time.Duration
	concurrency int
	naming      Naming
}

func (p *plan) kind() string {
	if p.x.Prompt != nil {
		return "prompt"
	}
	return "function"
}

// inputErr builds an InputError located at the experiment.
func (x *Experiment) inputErr(line int, field, format string, args ...any) *InputError {
	if line == 0 {
		line = x.Line
	}
	return &InputError{File: x.File, Line: line, Experiment: x.Name, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// newPlan validates x without any network call. funcs are the registered
// functions.
func newPlan(x Experiment, funcs map[string]Func) (*plan, error) {
	var errs []error
	bad := func(line int, field, format string, args ...any) {
		errs = append(errs, x.inputErr(line, field, format, args...))
	}
	p := &plan{x: x, timeout: x.Timeout, concurrency: x.Concurrency, naming: x.Naming}
	if strings.TrimSpace(x.Name) == "" {
		bad(0, "name", "missing; expected the experiment's base name")
	}

	// Dataset: exactly one source.
	ds := x.Dataset
	sources := 0
	for _, set := range []bool{ds.Name != "", ds.File != "" && ds.rows == nil, ds.Rows != nil || ds.rows != nil} {
		if set {
			sources++
		}
	}
	switch {
	case sources == 0:
		bad(0, "dataset", "missing; expected a stored dataset name, a file or rows")
	case sources > 1:
		bad(0, "dataset", "set exactly one of a stored dataset name, a file and rows")
	case ds.Version != nil && ds.Name == "":
		bad(0, "dataset.version", "only a stored dataset has a version")
	case ds.Version != nil && *ds.Version < 0:
		bad(0, "dataset.version", "expected a version >= 0, got %d", *ds.Version)
	case ds.rows != nil:
		p.rows = ds.rows
	case ds.Rows != nil:
		if len(ds.Rows) == 0 {
			bad(0, "dataset.rows", "empty; expected at least one row")
		}
		for i, r := range ds.Rows {
			if r.Input == "" {
				bad(0, fmt.Sprintf("dataset.rows[%d].input", i), "empty; expected the row's input")
			}
			p.rows = append(p.rows, fixtures.Row{Input: r.Input, GroundTruth: r.GroundTruth, Metadata: r.Metadata})
		}
	case ds.File != "":
		rows, err := readDatasetFile(ds.File)
		if err != nil {
			errs = append(errs, x.inputErr(0, "dataset.file", "%v", err))
		}
		p.rows = rows
	}

	// What runs.
	switch {
	case x.Function != "" && x.Prompt != nil:
		bad(0, "function", "set exactly one of function and prompt")
	case x.Function == "" && x.Prompt == nil:
		bad(0, "function", "missing; expected a registered function (WithFunc) or a prompt")
	case x.Function != "":
		fn, ok := funcs[x.Function]
		if !ok || fn == nil {
			names := make([]string, 0, len(funcs))
			for n := range funcs {
				names = append(names, n)
			}
			slices.Sort(names)
			have := "none is registered"
			if len(names) > 0 {
				have = "registered: " + strings.Join(names, ", ")
			}
			bad(0, "function", "%q is not registered with the harness (galileotest.WithFunc(%q, fn)); %s", x.Function, x.Function, have)
		}
		p.fn = fn
	default:
		pr := x.Prompt
		switch {
		case pr.Template != "" && pr.Messages != nil:
			bad(pr.Line, "prompt", "set exactly one of template and messages")
		case pr.Template == "" && len(pr.Messages) == 0:
			bad(pr.Line, "prompt", "expected a stored template name or inline messages")
		case pr.Version != nil && pr.Template == "":
			bad(pr.Line, "prompt.version", "only a stored template has a version")
		}
		if ds.Name == "" && len(p.rows) > 0 {
			for i, r := range p.rows {
				if r.Input == "" {
					bad(0, fmt.Sprintf("dataset.rows[%d].input", i), "empty; a prompt run needs every row's input")
					break
				}
			}
		}
	}

	// Metrics and thresholds.
	seen := map[string]bool{}
	for i, m := range x.Metrics {
		m = strings.TrimSpace(m)
		switch {
		case m == "":
			bad(0, fmt.Sprintf("metrics[%d]", i), "empty; expected a metric name, label or scorer UUID")
		case seen[m]:
			bad(0, fmt.Sprintf("metrics[%d]", i), "%q is listed twice", m)
		case assert.IsSystemMetric(m):
			// computed by the server for every row; no scorer to resolve
		default:
			p.scorers = append(p.scorers, m)
		}
		seen[m] = true
	}
	for i, e := range x.Expect {
		field := "expect." + e.Metric
		if e.Metric == "" {
			bad(e.Line, fmt.Sprintf("expect[%d]", i), "missing metric")
			continue
		}
		if e.Threshold == (assert.Threshold{}) {
			th, err := assert.Parse(e.Metric, e.Expr)
			if err != nil {
				bad(e.Line, field, "%v", err)
				continue
			}
			e.Threshold = th
		}
		if e.Expr == "" {
			e.Expr = e.Threshold.String()
		}
		if !assert.IsSystemMetric(e.Metric) && !seen[strings.TrimSpace(e.Metric)] {
			bad(e.Line, field, "metric %q is not in metrics; add it there so that it is scored", e.Metric)
			continue
		}
		p.expects = append(p.expects, e)
	}

	switch {
	case p.timeout < 0:
		bad(0, "timeout", "expected a positive duration, got %s", p.timeout)
	case p.timeout == 0:
		p.timeout = DefaultTimeout
	}
	switch {
	case p.concurrency < 0:
		bad(0, "concurrency", "expected an integer >= 1, got %d", p.concurrency)
	case p.concurrency == 0:
		p.concurrency = DefaultConcurrency
	}
	switch p.naming.Strategy {
	case "":
		p.naming.Strategy = NamingUnique
	case NamingUnique, NamingRerun:
	case NamingTemplate:
		if _, err := p.naming.Execute(fixtures.NameData{Name: "x", GitSHA: "0000000", Branch: "main", RunID: "1", Attempt: 1, Timestamp: time.Unix(0, 0).UTC()}); err != nil {
			bad(0, "naming.template", "%v", err)
		}
	default:
		bad(0, "naming", "unknown strategy %q; expected unique, rerun or template", p.naming.Strategy)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// readDatasetFile reads a .jsonl or .csv dataset file with the fixture
// loader's strict reader, so that its problems are reported the same way:
// "testdata/q.jsonl:4: inptu: unknown field (did you mean "input"?)".
func readDatasetFile(p string) ([]fixtures.Row, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	base := filepath.Base(abs)
	rows, err := fixtures.ReadRows(os.DirFS(filepath.Dir(abs)), base)
	if err != nil {
		// Name the file as the caller gave it, not by its base name.
		return nil, errors.New(strings.ReplaceAll(err.Error(), base+":", p+":"))
	}
	return rows, nil
}
