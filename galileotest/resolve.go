package galileotest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
)

// contentPrefix starts the names of datasets and prompt templates the
// harness stores under a hash of their content, so that identical rows or
// messages reuse one stored copy.
const contentPrefix = "galileotest-"

// resolvedProject is a project the experiment runs in.
type resolvedProject struct {
	id, name string
}

// resolveProject finds the experiment's project, creating it when it is
// named and missing.
func (r *Runner) resolveProject(ctx context.Context, c *galileo.Client, p *plan) (resolvedProject, error) {
	name, id := strings.TrimSpace(p.x.Project), ""
	if name == "" {
		id, name = r.cfg.ProjectID, r.cfg.Project
	}
	if id == "" && name == "" {
		if r.needsProject(c) {
			return resolvedProject{}, p.inputErr(0, "project", "missing; set project in the fixture (Experiment.Project) or GALILEO_PROJECT (SPLUNK_AO_PROJECT)")
		}
		name = DefaultProject
	}
	key := "name:" + name
	if id != "" {
		key = "id:" + id
	}
	v, err := r.projects.do(ctx, key, func() (string, error) {
		if id != "" {
			pr, err := c.Projects.Get(ctx, id)
			if err != nil {
				return "", err
			}
			return pr.ID + "\x00" + pr.ProjectName(), nil
		}
		pr, err := c.Projects.Ensure(ctx, name)
		if err != nil {
			return "", err
		}
		return pr.ID + "\x00" + name, nil
	})
	if err != nil {
		what := "project " + strconv.Quote(name)
		if id != "" {
			what = "project id " + id
		}
		return resolvedProject{}, &SetupError{Step: what, Err: err}
	}
	pid, pname, _ := strings.Cut(v, "\x00")
	return resolvedProject{id: pid, name: pname}, nil
}

// isLoopback reports whether a base URL points at this machine (an
// emulator), where a default project is harmless.
func isLoopback(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// resolvedData is the dataset an experiment runs on.
type resolvedData struct {
	id      string // "" when the rows are local (function runs)
	name    string
	version int
	rows    []fixtures.Row // the rows, for function runs
	count   int            // number of rows
}

// resolveDataset finds or uploads the dataset. A function run needs the
// rows themselves; a stored dataset is read once. A prompt run needs a
// stored dataset: inline and file rows are uploaded under a name derived
// from their content.
func (r *Runner) resolveDataset(ctx context.Context, c *galileo.Client, p *plan, projectID string) (*resolvedData, error) {
	ds := p.x.Dataset
	if ds.Name != "" {
		d, problem, err := lookupDataset(ctx, c, p)
		switch {
		case problem != nil:
			return nil, problem
		case err != nil:
			return nil, &SetupError{Step: "dataset " + strconv.Quote(ds.Name), Err: err}
		}
		out := &resolvedData{id: d.ID, name: d.Name, version: d.CurrentVersionIndex}
		if d.NumRows != nil {
			out.count = *d.NumRows
		}
		if ds.Version != nil {
			out.version = *ds.Version
		}
		if p.kind() == "function" || d.NumRows == nil {
			if out.version != d.CurrentVersionIndex {
				return nil, p.inputErr(0, "dataset.version", "reading the rows of version %d of %q is not supported (current version %d); leave version out or run a prompt", out.version, ds.Name, d.CurrentVersionIndex)
			}
			rows, err := readStoredRows(ctx, c, d.ID)
			if err != nil {
				return nil, &SetupError{Step: "read dataset " + strconv.Quote(ds.Name), Err: err}
			}
			if len(rows) == 0 {
				return nil, p.inputErr(0, "dataset.name", "dataset %q has no rows", ds.Name)
			}
			rows = repeatRows(rows, p.x.Repeats)
			out.rows, out.count = rows, len(rows)
		}
		return out, nil
	}
	if p.kind() == "function" {
		return &resolvedData{rows: p.rows, count: len(p.rows)}, nil
	}
	return r.uploadRows(ctx, c, p.rows, projectID)
}

// lookupDataset finds the stored dataset the experiment names, and checks
// that the version it asks for exists. A dataset or version that does not
// exist is a problem with the experiment as written; other errors are the
// API's.
func lookupDataset(ctx context.Context, c *galileo.Client, p *plan) (*galileo.Dataset, *fixtures.Error, error) {
	ds := p.x.Dataset
	d, err := c.Datasets.GetByName(ctx, ds.Name)
	switch {
	case errors.Is(err, galileo.ErrNotFound):
		return nil, p.inputErr(ds.Line, "dataset.name", "no dataset named %q is stored on Galileo", ds.Name), nil
	case err != nil:
		return nil, nil, err
	case ds.Version != nil && *ds.Version > d.CurrentVersionIndex:
		return nil, p.inputErr(ds.Line, "dataset.version", "dataset %q has no version %d (current version %d)", ds.Name, *ds.Version, d.CurrentVersionIndex), nil
	}
	return d, nil, nil
}

// uploadRows stores rows as a dataset named galileotest-<hash of the rows>,
// or reuses the one stored by an earlier run.
func (r *Runner) uploadRows(ctx context.Context, c *galileo.Client, rows []fixtures.Row, projectID string) (*resolvedData, error) {
	records := make([]map[string]any, len(rows))
	var buf bytes.Buffer
	for i, row := range rows {
		rec := map[string]any{"input": row.Input}
		if row.GroundTruth != "" {
			rec["output"] = row.GroundTruth
		}
		if len(row.Metadata) > 0 {
			rec["metadata"] = row.Metadata
		}
		if row.GeneratedOutput != "" {
			rec["generated_output"] = row.GeneratedOutput
		}
		records[i] = rec
		line, _ := json.Marshal(rec) // map keys are sorted: canonical
		buf.Write(line)
		buf.WriteByte('\n')
	}
	sum := sha256.Sum256(buf.Bytes())
	name := contentPrefix + hex.EncodeToString(sum[:])[:12]
	return r.datasets.do(ctx, name, func() (*resolvedData, error) {
		d, err := c.Datasets.Ensure(ctx, name, records, &galileo.DatasetCreateOptions{ProjectID: projectID})
		if err != nil {
			return nil, &SetupError{Step: "upload dataset " + name, Err: err}
		}
		return &resolvedData{id: d.ID, name: d.Name, version: d.CurrentVersionIndex, rows: rows, count: len(rows)}, nil
	})
}

// readStoredRows reads every row of a stored dataset's current version.
func readStoredRows(ctx context.Context, c *galileo.Client, id string) ([]fixtures.Row, error) {
	var rows []fixtures.Row
	for dr, err := range c.Datasets.Content(ctx, id) {
		if err != nil {
			return nil, err
		}
		rows = append(rows, rowFromValues(dr.ValuesDict))
	}
	return rows, nil
}

// rowFromValues converts a stored row's values_dict.
func rowFromValues(v map[string]any) fixtures.Row {
	text := func(x any) string {
		switch t := x.(type) {
		case nil:
			return ""
		case string:
			return t
		default:
			b, _ := json.Marshal(t)
			return string(b)
		}
	}
	row := fixtures.Row{
		Input:           text(v["input"]),
		GroundTruth:     text(v["output"]),
		GeneratedOutput: text(v["generated_output"]),
	}
	if row.GroundTruth == "" {
		row.GroundTruth = text(v["ground_truth"])
	}
	var md map[string]any
	switch m := v["metadata"].(type) {
	case map[string]any:
		md = m
	case string:
		_ = json.Unmarshal([]byte(m), &md)
	}
	if len(md) > 0 {
		row.Metadata = make(map[string]string, len(md))
		for k, x := range md {
			row.Metadata[k] = text(x)
		}
	}
	return row
}

// resolvePrompt returns the prompt template version id to run: a stored
// template by name (and version), or inline messages stored as a template
// named galileotest-<hash of the messages>, reused when it exists.
func (r *Runner) resolvePrompt(ctx context.Context, c *galileo.Client, p *plan, projectID string) (string, error) {
	pr := p.x.Prompt
	if pr.Template != "" {
		v, problem, err := lookupTemplate(ctx, c, p)
		switch {
		case problem != nil:
			return "", problem
		case err != nil:
			return "", &SetupError{Step: "prompt template " + strconv.Quote(pr.Template), Err: err}
		}
		return v.ID, nil
	}
	msgs := make([]galileo.Message, len(pr.Messages))
	for i, m := range pr.Messages {
		msgs[i] = galileo.Message{Role: m.Role, Content: m.Content}
	}
	data, _ := json.Marshal(msgs)
	sum := sha256.Sum256(data)
	name := contentPrefix + hex.EncodeToString(sum[:])[:12]
	return r.templates.do(ctx, name, func() (string, error) {
		t, err := c.Prompts.Ensure(ctx, name, msgs, nil, &galileo.PromptCreateOptions{ProjectID: projectID})
		if err != nil {
			return "", &SetupError{Step: "store prompt template " + name, Err: err}
		}
		return t.SelectedVersionID, nil
	})
}

// lookupTemplate finds the stored template version the experiment names.
// A template or version that does not exist is a problem with the
// experiment as written; other errors are the API's.
func lookupTemplate(ctx context.Context, c *galileo.Client, p *plan) (*galileo.PromptTemplateVersion, *fixtures.Error, error) {
	pr := p.x.Prompt
	v, err := c.Prompts.ResolveVersion(ctx, pr.Template, pr.Version)
	var uv *galileo.UnknownPromptVersionError
	switch {
	case errors.As(err, &uv):
		return nil, p.inputErr(pr.Line, "prompt.version", "prompt template %q has no version %d (versions: %v)", pr.Template, uv.Version, uv.Available), nil
	case errors.Is(err, galileo.ErrNotFound):
		return nil, p.inputErr(pr.Line, "prompt.template", "no prompt template named %q is stored on Galileo", pr.Template), nil
	case err != nil:
		return nil, nil, err
	}
	return v, nil, nil
}

// promptSettings returns the settings of a prompt run: the SDKs' defaults,
// with the fixture's model as model_alias and its settings applied.
func promptSettings(pr *fixtures.Prompt) galileo.PromptRunSettings {
	s := galileo.DefaultPromptSettings()
	if pr.Model != "" {
		s.ModelAlias = pr.Model
	}
	o := pr.Settings
	if o.Temperature != nil {
		t := *o.Temperature
		s.Temperature = &t
	}
	if o.MaxTokens != nil {
		s.MaxTokens = *o.MaxTokens
	}
	if o.TopP != nil {
		s.TopP = *o.TopP
	}
	if o.TopK != nil {
		s.TopK = *o.TopK
	}
	if o.FrequencyPenalty != nil {
		s.FrequencyPenalty = *o.FrequencyPenalty
	}
	if o.PresencePenalty != nil {
		s.PresencePenalty = *o.PresencePenalty
	}
	if o.N != nil {
		s.N = *o.N
	}
	if o.StopSequences != nil {
		s.StopSequences = o.StopSequences
	}
	if o.Logprobs != nil {
		s.Logprobs = *o.Logprobs
	}
	if o.TopLogprobs != nil {
		s.TopLogprobs = *o.TopLogprobs
	}
	if o.Echo != nil {
		s.Echo = *o.Echo
	}
	if o.ReasoningEffort != "" {
		s.ReasoningEffort = o.ReasoningEffort
	}
	if o.Verbosity != "" {
		s.Verbosity = o.Verbosity
	}
	if o.DeploymentName != "" {
		d := o.DeploymentName
		s.DeploymentName = &d
	}
	if o.ResponseFormat != nil {
		s.ResponseFormat, _ = json.Marshal(o.ResponseFormat)
	}
	if o.Tools != nil {
		s.Tools = make([]any, len(o.Tools))
		for i, t := range o.Tools {
			s.Tools[i] = t
		}
	}
	if o.ToolChoice != nil {
		s.ToolChoice = o.ToolChoice
	}
	return s
}

// resolveScorers turns the plan's scorer metrics into scorers; an unknown
// metric is bad input whose message lists the available ones.
func resolveScorers(ctx context.Context, c *galileo.Client, p *plan) ([]galileo.Scorer, error) {
	if len(p.scorers) == 0 {
		return nil, nil
	}
	sc, err := c.Scorers.Resolve(ctx, p.scorers)
	var ue *galileo.UnknownMetricError
	if errors.As(err, &ue) {
		line, _ := p.x.FieldLine("metrics")
		return nil, p.inputErr(line, "metrics", "%s", strings.TrimPrefix(ue.Error(), "galileo: "))
	}
	if err != nil {
		return nil, &SetupError{Step: "resolve metrics", Err: err}
	}
	if len(sc) != len(p.scorers) {
		return nil, &SetupError{Step: "resolve metrics", Err: fmt.Errorf("expected %d scorers for %v, got %d", len(p.scorers), p.scorers, len(sc))}
	}
	if err := checkScoreRanges(p, sc); err != nil {
		return nil, err
	}
	return sc, nil
}

// checkScoreRanges rejects thresholds that a scorer's scores can never
// meet, or always meet: the scorer record says whether its scores run
// from 0 to 1 (output type percentage or boolean), which the metric's name
// alone does not tell the threshold parser. scorers are p.scorers'
// resolved scorers, in order.
func checkScoreRanges(p *plan, scorers []galileo.Scorer) error {
	byMetric := map[string]*galileo.Scorer{}
	for i, m := range p.scorers {
		byMetric[strings.TrimSpace(m)] = &scorers[i]
	}
	var errs []error
	for _, e := range p.x.Expect {
		s := byMetric[strings.TrimSpace(e.Metric)]
		if s == nil || s.OutputType == nil || (*s.OutputType != "percentage" && *s.OutputType != "boolean") {
			continue
		}
		th := e.Threshold
		if th == (assert.Threshold{}) {
			var err error
			if th, err = assert.Parse(strings.TrimSpace(e.Metric), e.Expr); err != nil {
				continue // Validate reports it
			}
		}
		if err := th.WithinRange(0, 1); err != nil {
			errs = append(errs, p.inputErr(e.Line, "expect."+strings.TrimSpace(e.Metric), "%v", err))
		}
	}
	return errors.Join(errs...)
}
