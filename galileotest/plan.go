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

// plan is an experiment checked and normalised, ready to run.
type plan struct {
	x           fixtures.Experiment
	fn          Func
	rows        []fixtures.Row         // nil for a stored dataset
	scorers     []string               // metrics that name scorers
	expects     []fixtures.Expectation // with parsed thresholds
	timeout     time.Duration
	concurrency int
	naming      fixtures.Naming
}

func (p *plan) kind() string {
	if p.x.Prompt != nil {
		return "prompt"
	}
	return "function"
}

// inputErr builds a problem with the experiment as written, located at
// line (the experiment's line when 0).
func (p *plan) inputErr(line int, field, format string, args ...any) *fixtures.Error {
	if line == 0 {
		line = p.x.Line
	}
	return &fixtures.Error{File: p.x.File, Line: line, Field: field, Experiment: p.x.Name, Msg: fmt.Sprintf(format, args...)}
}

// newPlan validates x without any network call: the declaration's own
// rules (fixtures.Experiment.Validate, shared with the fixture loader),
// then what only the harness knows — the registered functions and a
// dataset file named in Go. Every problem is reported at once.
func newPlan(x fixtures.Experiment, funcs map[string]Func) (*plan, error) {
	p := &plan{x: x, timeout: x.Timeout, concurrency: x.Concurrency, naming: x.Naming}
	var errs []error
	if err := x.Validate(); err != nil {
		errs = append(errs, err)
	}
	if x.Function != "" {
		if err := p.bindFunc(funcs); err != nil {
			errs = append(errs, err)
		}
	}
	ds := x.Dataset
	switch {
	case ds.Rows != nil:
		p.rows = ds.Rows
	case ds.File != "" && ds.Name == "":
		rows, err := readDatasetFile(ds.File)
		if err != nil {
			errs = append(errs, p.inputErr(ds.Line, "dataset.file", "%v", err))
		}
		p.rows = rows
	}
	if x.Repeats > 1 && x.Prompt != nil && ds.Name != "" {
		errs = append(errs, p.inputErr(0, "repeats", "a prompt run repeats the rows of an inline or file dataset only; with the stored dataset %q, give the rows (dataset.rows or dataset.file) or drop repeats", ds.Name))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.rows = repeatRows(p.rows, x.Repeats)
	for _, m := range x.Metrics {
		if m = strings.TrimSpace(m); !assert.IsSystemMetric(m) {
			p.scorers = append(p.scorers, m)
		}
	}
	for _, e := range x.Expect {
		e.Metric = strings.TrimSpace(e.Metric)
		if e.Threshold == (assert.Threshold{}) {
			e.Threshold = assert.MustParse(e.Metric, e.Expr) // Validate parsed it
		}
		if e.Expr == "" {
			e.Expr = e.Threshold.String()
		}
		p.expects = append(p.expects, e)
	}
	if p.timeout == 0 {
		p.timeout = fixtures.DefaultTimeout
	}
	if p.concurrency == 0 {
		p.concurrency = fixtures.DefaultConcurrency
	}
	if p.naming.Strategy == "" {
		p.naming.Strategy = fixtures.NamingUnique
	}
	return p, nil
}

// bindFunc finds the registered function the experiment names.
func (p *plan) bindFunc(funcs map[string]Func) error {
	name := p.x.Function
	if fn := funcs[name]; fn != nil {
		p.fn = fn
		return nil
	}
	names := make([]string, 0, len(funcs))
	for n := range funcs {
		names = append(names, n)
	}
	slices.Sort(names)
	have := "none is registered"
	if len(names) > 0 {
		have = "registered: " + strings.Join(names, ", ")
	}
	line := 0
	if l, ok := p.x.FieldLine("function"); ok {
		line = l
	}
	return p.inputErr(line, "function", "%q is not registered with the harness (galileotest.WithFunc(%q, fn)); %s", name, name, have)
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
