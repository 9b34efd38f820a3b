package galileo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ExperimentSpec describes an experiment to create with [ExperimentsService.New].
type ExperimentSpec struct {
	// Name is the experiment's name. If the project already has an
	// experiment of that name, OnNameClash decides what happens.
	Name string
	// ProjectID or ProjectName selects the project; the id wins when both
	// are set (see [ProjectsService.Resolve]).
	ProjectID   string
	ProjectName string
	// DatasetID or DatasetName selects a stored dataset; the id wins. A
	// dataset is required with a prompt template, and with RunAtCreate it
	// is what the server runs over (see [RunAtCreate]).
	DatasetID   string
	DatasetName string
	// PromptTemplateID or PromptName selects a prompt template to run over
	// the dataset; the id wins. PromptVersion picks a version (nil: the
	// template's selected version).
	PromptTemplateID string
	PromptName       string
	PromptVersion    *int
	// Model is a model alias ("GPT-4o"). It replaces model_alias in the
	// prompt settings sent, whether PromptSettings are given or the
	// defaults are used.
	Model string
	// PromptSettings, when set, fully override the template's stored
	// settings, which the API never applies by itself. When nil and a
	// template is given, DefaultPromptSettings are sent (with Model as
	// model_alias if set). Use [Experiment.PromptTemplateSettings] to reuse
	// the template's own settings.
	PromptSettings *PromptRunSettings
	// Metrics are scorer labels ("Correctness"), names ("correctness") or
	// scorer UUIDs, resolved with [ScorersService.Resolve] before anything
	// is created.
	Metrics []string
	// MetricVersions pins scorer versions, as the Python SDK's
	// Metric(name=..., version=N) does: a key is a metric as written in
	// Metrics, its value the scorer version (> 0) whose config is sent as
	// the scorer's scorer_version (see [ScorersService.Version]). Metrics
	// without an entry use the scorer's latest version.
	MetricVersions map[string]int
	// RunMode says who runs the experiment and when. The zero value,
	// RunAtCreate, does what the Python SDK's create() always does.
	RunMode RunMode
	// OnNameClash chooses what Create does when the name is taken: rename
	// (the default, like the SDKs) or fail.
	OnNameClash NameClash
	// ExperimentGroupID or ExperimentGroupName put the experiment in a group.
	ExperimentGroupID   string
	ExperimentGroupName string
}

// NameClash says what [Experiment.Create] does when the project already has
// an experiment with the requested name.
type NameClash int

const (
	// NameClashRename, the default, does what the official SDKs do: the new
	// experiment is named name + " " + the UTC time as
	// "2006-01-02 at 15:04:05.000", for example
	// "nightly-qa 2026-07-30 at 18:38:55.042".
	NameClashRename NameClash = iota
	// NameClashError makes Create fail with an error matching [ErrConflict]
	// before anything is created.
	NameClashError
)

// RunMode says who runs an experiment and when; see
// [ExperimentSpec.RunMode].
type RunMode int

const (
	// RunAtCreate, the default, is the Python SDK's create(): the create
	// request carries trigger: true and the scorers, and the server starts
	// the run at once. With a prompt template it calls the model for every
	// dataset row; without one it scores the dataset's generated_output
	// column (Create refuses a dataset without that column before
	// anything is created, as the server would with API error code 3512);
	// without a dataset there is nothing to run and the experiment is only
	// created.
	RunAtCreate RunMode = iota
	// RunByClient is the function flow (the Python SDK's
	// run_experiment(function=...)): the experiment is created without
	// trigger, its metrics are registered with the run's scorer settings,
	// and the caller logs one trace per row. It cannot be used with a
	// prompt template.
	RunByClient
	// RunDeferred, with a prompt template, creates the experiment without
	// trigger and leaves its prompt run to [Experiment.Run], which starts
	// it through the legacy jobs route (POST /jobs). The Python SDK no
	// longer calls that route (v2.5.1 dropped it); use it only to create an
	// experiment now and run it later.
	RunDeferred
)

// String returns "at create", "by client" or "deferred".
func (m RunMode) String() string {
	switch m {
	case RunAtCreate:
		return "at create"
	case RunByClient:
		return "by client"
	case RunDeferred:
		return "deferred"
	}
	return fmt.Sprintf("RunMode(%d)", int(m))
}

// RenameLayout is the time layout of the suffix added on a name clash.
const RenameLayout = "2006-01-02 at 15:04:05.000"

// Create creates the experiment on the server, as the Python SDK's
// create() does, and returns the handle:
//
//  1. checks the spec (a prompt template needs a dataset);
//  2. resolves the project, the dataset (which must have rows) and the
//     prompt template version;
//  3. handles a name clash according to OnNameClash;
//  4. resolves Metrics to scorers (unknown names fail here, with
//     suggestions, before anything is created);
//  5. POST /projects/{pid}/experiments, with trigger: true and the scorers
//     under RunAtCreate (the default, as Python); under RunByClient the
//     scorers are registered afterwards with the run's scorer settings;
//     under RunDeferred they go with the prompt run Run starts.
//
// The result of the run is remembered for [Experiment.Run]. Concurrent
// calls on one handle run one at a time (see [Experiment]): one creates the
// experiment, the others then fail as a second Create does.
func (e *Experiment) Create(ctx context.Context) (*Experiment, error) {
	release, err := e.begin(ctx)
	if err != nil {
		return e, err
	}
	defer release()
	e.mu.Lock()
	spec, now, r := e.spec, e.now, e.resp
	e.mu.Unlock()
	if r.ID != "" {
		return e, fmt.Errorf("galileo: experiment %q already exists (id %s): create a new handle with New", r.Name, r.ID)
	}
	if err := spec.check(); err != nil {
		return e, err
	}
	p, err := e.c.planCreate(ctx, spec, now)
	if err != nil {
		return e, err
	}
	resp, err := e.c.Experiments.Create(ctx, p.projectID, p.body)
	if err != nil {
		return e, err
	}
	register := e.created(spec, p, resp)
	if !register {
		return e, nil
	}
	if _, err := e.c.Scorers.SetRunSettings(ctx, p.projectID, resp.ID, p.scorers); err != nil {
		return e, fmt.Errorf("galileo: experiment %q was created (id %s) but registering its metrics failed: %w", resp.Name, resp.ID, err)
	}
	e.mu.Lock()
	e.run.Message = logTracesMessage(resp, e.run.Link)
	e.mu.Unlock()
	return e, nil
}

// check reports a spec Create cannot use, before any call.
func (s ExperimentSpec) check() error {
	if strings.TrimSpace(s.Name) == "" {
		return errors.New("galileo: experiment: empty Name")
	}
	switch {
	case s.RunMode != RunAtCreate && s.RunMode != RunByClient && s.RunMode != RunDeferred:
		return fmt.Errorf("galileo: experiment %q: RunMode %d: expected RunAtCreate, RunByClient or RunDeferred", s.Name, s.RunMode)
	case s.RunMode == RunDeferred && !s.hasPrompt():
		return fmt.Errorf("galileo: experiment %q: RunMode is RunDeferred without PromptTemplateID or PromptName: only a prompt run can be deferred", s.Name)
	case s.RunMode == RunByClient && s.hasPrompt():
		return fmt.Errorf("galileo: experiment %q: RunMode is RunByClient with a prompt template: the server runs a prompt; expected RunAtCreate or RunDeferred", s.Name)
	case s.hasPrompt() && !s.hasDataset():
		return fmt.Errorf("galileo: experiment %q: %w: a prompt template runs over a dataset; set DatasetID or DatasetName", s.Name, ErrDatasetRequired)
	case s.PromptVersion != nil && !s.hasPrompt():
		return fmt.Errorf("galileo: experiment %q: PromptVersion is set without PromptTemplateID or PromptName", s.Name)
	case s.badMetricVersion() != "":
		return fmt.Errorf("galileo: experiment %q: %s", s.Name, s.badMetricVersion())
	case s.OnNameClash != NameClashRename && s.OnNameClash != NameClashError:
		return fmt.Errorf("galileo: experiment %q: OnNameClash %d: expected NameClashRename or NameClashError", s.Name, s.OnNameClash)
	}
	return nil
}

// badMetricVersion describes a MetricVersions entry Create cannot use, or
// returns "".
func (s ExperimentSpec) badMetricVersion() string {
	keys := make([]string, 0, len(s.MetricVersions))
	for k := range s.MetricVersions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if n := s.MetricVersions[k]; n <= 0 {
			return fmt.Sprintf("MetricVersions[%q] is %d: expected a scorer version > 0", k, n)
		}
		if !slices.ContainsFunc(s.Metrics, func(m string) bool { return strings.TrimSpace(m) == strings.TrimSpace(k) }) {
			return fmt.Sprintf("MetricVersions names %q, which is not in Metrics", k)
		}
	}
	return ""
}

// triggers reports whether Create sends trigger: true.
func (s ExperimentSpec) triggers() bool {
	return s.RunMode == RunAtCreate
}

func (s ExperimentSpec) hasDataset() bool {
	return strings.TrimSpace(s.DatasetID) != "" || strings.TrimSpace(s.DatasetName) != ""
}

func (s ExperimentSpec) hasPrompt() bool {
	return strings.TrimSpace(s.PromptTemplateID) != "" || strings.TrimSpace(s.PromptName) != ""
}

// createPlan is what Create resolves before it creates anything.
type createPlan struct {
	projectID   string
	projectName string
	dataset     *Dataset        // nil without a dataset
	tmpl        *PromptTemplate // nil without a prompt template
	versionID   string
	settings    *PromptRunSettings
	scorers     []ScorerConfig
	body        ExperimentCreateRequest
}

// planCreate resolves the project, dataset, name, prompt template version
// and scorers of spec, in that order, and builds the create request.
func (c *Client) planCreate(ctx context.Context, spec ExperimentSpec, now func() time.Time) (*createPlan, error) {
	project, err := c.Projects.Resolve(ctx, spec.ProjectID, spec.ProjectName)
	if err != nil {
		return nil, err
	}
	p := &createPlan{projectID: project.ID, projectName: project.ProjectName()}
	if spec.hasDataset() {
		if p.dataset, err = c.datasetWithRows(ctx, spec); err != nil {
			return nil, err
		}
	}
	name, err := c.freeName(ctx, project, spec, now)
	if err != nil {
		return nil, err
	}
	if spec.hasPrompt() {
		if p.tmpl, err = c.Prompts.find(ctx, spec.PromptTemplateID, spec.PromptName); err != nil {
			return nil, err
		}
		v, err := c.Prompts.version(ctx, p.tmpl, spec.PromptVersion)
		if err != nil {
			return nil, err
		}
		p.versionID = v.ID
	}
	p.settings = promptSettings(strings.TrimSpace(spec.Model), spec.PromptSettings, p.tmpl != nil)
	scorers, err := c.Scorers.Resolve(ctx, spec.Metrics)
	if err != nil {
		return nil, err
	}
	if p.scorers, err = c.scorerConfigs(ctx, spec, scorers); err != nil {
		return nil, err
	}
	if err := generatedOutputCheck(spec, p); err != nil {
		return nil, err
	}
	p.body = p.request(name, spec)
	return p, nil
}

// generatedOutputCheck refuses, before anything is created, what the
// server refuses with error code 3512: a run at create without a prompt
// template over a dataset without a generated_output column. A dataset
// that lists no columns is left to the server.
func generatedOutputCheck(spec ExperimentSpec, p *createPlan) error {
	ds := p.dataset
	if !spec.triggers() || p.tmpl != nil || ds == nil || len(ds.ColumnNames) == 0 || slices.Contains(ds.ColumnNames, "generated_output") {
		return nil
	}
	return fmt.Errorf("galileo: experiment %q: dataset %q has no generated_output column, which a run at create without a prompt template scores: "+
		"expected a prompt template (PromptName or PromptTemplateID), generated outputs in the dataset, or RunMode RunByClient to log the traces yourself",
		spec.Name, ds.Name)
}

// scorerConfigs turns the scorers Resolve found for spec.Metrics (one per
// distinct metric, in order) into configs, pinning spec.MetricVersions.
func (c *Client) scorerConfigs(ctx context.Context, spec ExperimentSpec, scorers []Scorer) ([]ScorerConfig, error) {
	pins := make(map[string]int, len(spec.MetricVersions))
	for k, n := range spec.MetricVersions {
		pins[strings.TrimSpace(k)] = n
	}
	var out []ScorerConfig
	seen := map[string]bool{}
	for _, m := range spec.Metrics {
		m = strings.TrimSpace(m)
		if seen[m] {
			continue
		}
		seen[m] = true
		i := len(out)
		if i >= len(scorers) {
			break
		}
		sc := &scorers[i]
		n, ok := pins[m]
		if !ok {
			out = append(out, sc.Config())
			continue
		}
		v, err := c.Scorers.Version(ctx, sc.ID, n)
		if err != nil {
			return nil, fmt.Errorf("galileo: experiment %q: metric %q version %d: %w", spec.Name, m, n, err)
		}
		out = append(out, sc.ConfigVersion(v))
	}
	return out, nil
}

// datasetWithRows returns the spec's dataset, which must have a row.
func (c *Client) datasetWithRows(ctx context.Context, spec ExperimentSpec) (*Dataset, error) {
	var ds *Dataset
	var err error
	if id := strings.TrimSpace(spec.DatasetID); id != "" {
		ds, err = c.Datasets.Get(ctx, id)
	} else {
		ds, err = c.Datasets.GetByName(ctx, strings.TrimSpace(spec.DatasetName))
	}
	if err != nil {
		return nil, err
	}
	page, _, err := c.Datasets.contentPage(ctx, ds.ID, 0, 1)
	if err != nil {
		return nil, err
	}
	if len(page.Rows) == 0 {
		return nil, fmt.Errorf("galileo: experiment %q: dataset %q (%s) has no rows: expected at least one", spec.Name, ds.Name, ds.ID)
	}
	return ds, nil
}

// freeName returns the name to create the experiment under, applying
// spec.OnNameClash when the project already has an experiment so named.
func (c *Client) freeName(ctx context.Context, project *Project, spec ExperimentSpec, now func() time.Time) (string, error) {
	name := spec.Name
	switch _, err := c.Experiments.GetByName(ctx, project.ID, name); {
	case err == nil && spec.OnNameClash == NameClashError:
		return "", fmt.Errorf("galileo: experiment %q already exists in project %q: %w", name, project.ProjectName(), ErrConflict)
	case err == nil:
		return name + " " + now().UTC().Format(RenameLayout), nil
	case !errors.Is(err, ErrNotFound):
		return "", err
	}
	return name, nil
}

// request builds the body of POST /projects/{pid}/experiments.
func (p *createPlan) request(name string, spec ExperimentSpec) ExperimentCreateRequest {
	body := ExperimentCreateRequest{Name: name, TaskType: TaskTypeExperiment, PromptSettings: p.settings}
	if ds := p.dataset; ds != nil {
		body.Dataset = &ExperimentDatasetRequest{DatasetID: ds.ID, VersionIndex: ds.CurrentVersionIndex}
	}
	if p.tmpl != nil {
		body.PromptTemplateVersionID = &p.versionID
	}
	if spec.triggers() {
		body.Trigger = true
		body.Scorers = p.scorers
	}
	if g := strings.TrimSpace(spec.ExperimentGroupID); g != "" {
		body.ExperimentGroupID = &g
	}
	if g := strings.TrimSpace(spec.ExperimentGroupName); g != "" {
		body.ExperimentGroupName = &g
	}
	return body
}

// created records the created experiment in the handle and reports whether
// the scorers remain to be registered with the run's scorer settings.
func (e *Experiment) created(spec ExperimentSpec, p *createPlan, resp *ExperimentResponse) (register bool) {
	link := e.c.consoleLink(p.projectID, resp.ID)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.resp, e.state = *resp, StateSynced
	e.spec.ProjectID, e.project = p.projectID, p.projectName
	if p.tmpl != nil {
		e.promptID, e.promptName = p.tmpl.ID, p.tmpl.Name
	}
	e.run = &RunResult{Experiment: *resp, Link: link}
	switch {
	case spec.triggers() && p.dataset == nil:
		e.run.Message = fmt.Sprintf("experiment %q is created without a dataset, so nothing runs; see %s", resp.Name, linkOr(link, resp.ID))
	case spec.triggers():
		e.run.Message = fmt.Sprintf("experiment %q is running on the server; results will appear at %s", resp.Name, linkOr(link, resp.ID))
	case p.tmpl != nil:
		e.pendingJob = &CreateJobRequest{
			JobName: JobNamePlaygroundRun, ProjectID: p.projectID, RunID: resp.ID,
			PromptTemplateVersionID: &p.versionID, PromptSettings: p.settings, DatasetID: &p.dataset.ID,
			Scorers: p.scorers, TaskType: ptr(TaskTypeExperiment),
		}
		e.run.Message = fmt.Sprintf("experiment %q is created; Run starts its prompt run (%s)", resp.Name, linkOr(link, resp.ID))
	case len(p.scorers) > 0:
		return true // the message is set once they are registered
	default:
		e.run.Message = logTracesMessage(resp, link)
	}
	return false
}

// logTracesMessage is the run message of an experiment whose traces the
// client logs.
func logTracesMessage(resp *ExperimentResponse, link string) string {
	return fmt.Sprintf("experiment %q is created; log its traces, then see the results at %s", resp.Name, linkOr(link, resp.ID))
}

func linkOr(link, id string) string {
	if link != "" {
		return link
	}
	return "experiment id " + id
}

// promptSettings decides the prompt_settings sent at create, as the SDKs
// do: a model alias replaces model_alias in the given settings or in the
// defaults (even without a template); else the given settings; else the
// defaults when a template is used; else none.
func promptSettings(model string, given *PromptRunSettings, hasTemplate bool) *PromptRunSettings {
	switch {
	case model != "":
		s := DefaultPromptSettings()
		if given != nil {
			s = *given
		}
		s.ModelAlias = model
		return &s
	case given != nil:
		s := *given
		return &s
	case hasTemplate:
		s := DefaultPromptSettings()
		return &s
	}
	return nil
}
