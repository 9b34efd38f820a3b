package galileo

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Experiment is a handle on one Galileo experiment, the Go counterpart of
// the official Python SDK's Experiment object. Get one with
// [ExperimentsService.New] (then [Experiment.Create]), [ExperimentsService.Open],
// [ExperimentsService.OpenByID] or [ExperimentsService.OpenAll]. See
// the README of this module for the method-by-method mapping.
//
// The handle caches the experiment as the API last returned it: accessors
// such as [Experiment.MetricAggregates], [Experiment.Rank] and
// [Experiment.Tags] make no call and are stale until [Experiment.Refresh]
// (or [Experiment.Status]). Methods taking a context call the API.
// A handle is safe for concurrent use.
type Experiment struct {
	c   *Client
	now func() time.Time // clock of the rename suffix

	mu         sync.Mutex
	spec       ExperimentSpec
	resp       ExperimentResponse
	state      SyncState
	opened     bool              // obtained by Open, OpenByID or OpenAll
	run        *RunResult        // remembered by Create
	runDone    bool              // Run has returned its result
	pendingJob *CreateJobRequest // prompt run to start at Run (Trigger false)
	promptID   string            // SetPrompt, or the spec's template
	promptName string
}

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
	// dataset is required when Trigger is set or a prompt template is given.
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
	// Trigger makes the server start the run when the experiment is
	// created (the Python SDK always does this): with a prompt template the
	// server calls the model for every row; without one it scores the
	// dataset's generated_output column. Leave it false for experiments
	// whose traces the client logs itself; their metrics are then
	// registered with the run's scorer settings. With a prompt template and
	// Trigger false, [Experiment.Run] starts the run as a job.
	Trigger bool
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

// RenameLayout is the time layout of the suffix added on a name clash.
const RenameLayout = "2006-01-02 at 15:04:05.000"

// SyncState tells how a handle relates to the server, like the Python
// SDK's sync_state.
type SyncState int

const (
	// StateLocalOnly is a handle from New not created yet.
	StateLocalOnly SyncState = iota
	// StateSynced is a handle that exists on the server.
	StateSynced
	// StateDeleted is a handle whose experiment was deleted.
	StateDeleted
)

// String returns "local_only", "synced" or "deleted".
func (s SyncState) String() string {
	switch s {
	case StateLocalOnly:
		return "local_only"
	case StateSynced:
		return "synced"
	case StateDeleted:
		return "deleted"
	}
	return fmt.Sprintf("SyncState(%d)", int(s))
}

// Errors of the Experiment handle, for use with errors.Is.
var (
	// ErrNotCreated: the handle has no server-side experiment yet.
	ErrNotCreated = errors.New("galileo: experiment not created yet: call Create first")
	// ErrAlreadyRun: Run already returned this experiment's result.
	ErrAlreadyRun = errors.New("galileo: experiment already run")
	// ErrHasTraces: the experiment has traces and cannot be run again.
	ErrHasTraces = errors.New("galileo: experiment already has traces")
	// ErrDatasetRequired: running an experiment needs a dataset.
	ErrDatasetRequired = errors.New("galileo: a dataset is required to run an experiment")
	// ErrDeleted: the handle's experiment was deleted.
	ErrDeleted = errors.New("galileo: experiment was deleted")
)

// ImmutableError reports an attempt to run an experiment that already has
// traces. Experiments are immutable once run: create a new one with another
// name. It matches [ErrHasTraces] and [ErrAlreadyRun].
type ImmutableError struct {
	Name         string
	ProjectID    string
	ExperimentID string
}

// Error says the experiment cannot run again and how to re-run.
func (e *ImmutableError) Error() string {
	return fmt.Sprintf("galileo: experiment %q (%s) already has traces and cannot be run again; create a new experiment with another name (for example %q)",
		e.Name, e.ExperimentID, e.Name+"-rerun-1")
}

// Is matches ErrHasTraces and ErrAlreadyRun.
func (e *ImmutableError) Is(target error) bool {
	return target == ErrHasTraces || target == ErrAlreadyRun
}

// RunResult is what [Experiment.Run] returns: the experiment as created, its
// console link and a message for humans.
type RunResult struct {
	Experiment ExperimentResponse
	// Link is the console deep link, "" when the client has no console URL.
	Link    string
	Message string
	// JobID is set when Run started the run as a job.
	JobID string
}

// New returns a local handle for the experiment spec describes; nothing is
// sent until [Experiment.Create].
func (s *ExperimentsService) New(spec ExperimentSpec) *Experiment {
	spec.Metrics = append([]string(nil), spec.Metrics...)
	return &Experiment{c: s.c, now: time.Now, spec: spec,
		promptID: strings.TrimSpace(spec.PromptTemplateID), promptName: strings.TrimSpace(spec.PromptName)}
}

// Open returns a handle on the experiment with exactly this name in a
// project (the Python SDK's Experiment.get). A missing experiment is an
// error matching [ErrNotFound]. Resolve a project name first with
// [ProjectsService.Resolve].
func (s *ExperimentsService) Open(ctx context.Context, projectID, name string) (*Experiment, error) {
	r, err := s.GetByName(ctx, projectID, name)
	if err != nil {
		return nil, err
	}
	return s.opened(*r), nil
}

// OpenByID returns a handle on an experiment by id.
func (s *ExperimentsService) OpenByID(ctx context.Context, projectID, experimentID string) (*Experiment, error) {
	r, err := s.Get(ctx, projectID, experimentID)
	if err != nil {
		return nil, err
	}
	return s.opened(*r), nil
}

// OpenAll returns a handle on every experiment of a project (the Python
// SDK's Experiment.list). Unlike Python, an API error is returned rather than
// an empty list.
func (s *ExperimentsService) OpenAll(ctx context.Context, projectID string) ([]*Experiment, error) {
	rs, err := s.List(ctx, projectID)
	if err != nil {
		return nil, err
	}
	out := make([]*Experiment, len(rs))
	for i, r := range rs {
		out[i] = s.opened(r)
	}
	return out, nil
}

func (s *ExperimentsService) opened(r ExperimentResponse) *Experiment {
	e := &Experiment{c: s.c, now: time.Now, resp: r, state: StateSynced, opened: true}
	e.spec = ExperimentSpec{Name: r.Name, ProjectID: r.ProjectID}
	return e
}

// Create creates the experiment on the server, as the Python SDK's
// create() does, and returns the handle:
//
//  1. checks the spec (a dataset is required with Trigger or a prompt);
//  2. resolves the project, the dataset (which must have rows) and the
//     prompt template version;
//  3. handles a name clash according to OnNameClash;
//  4. resolves Metrics to scorers (unknown names fail here, with
//     suggestions, before anything is created);
//  5. POST /projects/{pid}/experiments, with trigger and the scorers when
//     Trigger is set; otherwise the scorers are registered afterwards with
//     the run's scorer settings (unless a prompt run is left for Run).
//
// The result of the run is remembered for [Experiment.Run].
func (e *Experiment) Create(ctx context.Context) (*Experiment, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.resp.ID != "" {
		return e, fmt.Errorf("galileo: experiment %q already exists (id %s): create a new handle with New", e.resp.Name, e.resp.ID)
	}
	spec := e.spec
	if strings.TrimSpace(spec.Name) == "" {
		return e, errors.New("galileo: experiment: empty Name")
	}
	hasDataset := strings.TrimSpace(spec.DatasetID) != "" || strings.TrimSpace(spec.DatasetName) != ""
	hasPrompt := strings.TrimSpace(spec.PromptTemplateID) != "" || strings.TrimSpace(spec.PromptName) != ""
	switch {
	case spec.Trigger && !hasDataset:
		return e, fmt.Errorf("galileo: experiment %q: %w: set DatasetID or DatasetName (Trigger is set)", spec.Name, ErrDatasetRequired)
	case hasPrompt && !hasDataset:
		return e, fmt.Errorf("galileo: experiment %q: %w: a prompt template runs over a dataset; set DatasetID or DatasetName", spec.Name, ErrDatasetRequired)
	case spec.PromptVersion != nil && !hasPrompt:
		return e, fmt.Errorf("galileo: experiment %q: PromptVersion is set without PromptTemplateID or PromptName", spec.Name)
	case spec.OnNameClash != NameClashRename && spec.OnNameClash != NameClashError:
		return e, fmt.Errorf("galileo: experiment %q: OnNameClash %d: expected NameClashRename or NameClashError", spec.Name, spec.OnNameClash)
	}

	c := e.c
	project, err := c.Projects.Resolve(ctx, spec.ProjectID, spec.ProjectName)
	if err != nil {
		return e, err
	}
	pid := project.ID

	var ds *Dataset
	if hasDataset {
		if id := strings.TrimSpace(spec.DatasetID); id != "" {
			ds, err = c.Datasets.Get(ctx, id)
		} else {
			ds, err = c.Datasets.GetByName(ctx, strings.TrimSpace(spec.DatasetName))
		}
		if err != nil {
			return e, err
		}
		page, _, err := c.Datasets.contentPage(ctx, ds.ID, 0, 1)
		if err != nil {
			return e, err
		}
		if len(page.Rows) == 0 {
			return e, fmt.Errorf("galileo: experiment %q: dataset %q (%s) has no rows: expected at least one", spec.Name, ds.Name, ds.ID)
		}
	}

	name := spec.Name
	switch _, err := c.Experiments.GetByName(ctx, pid, name); {
	case err == nil && spec.OnNameClash == NameClashError:
		return e, fmt.Errorf("galileo: experiment %q already exists in project %q: %w", name, project.ProjectName(), ErrConflict)
	case err == nil:
		name = name + " " + e.now().UTC().Format(RenameLayout)
	case !errors.Is(err, ErrNotFound):
		return e, err
	}

	var tmpl *PromptTemplate
	var versionID string
	if hasPrompt {
		if id := strings.TrimSpace(spec.PromptTemplateID); id != "" {
			tmpl, err = c.Prompts.Get(ctx, id)
		} else {
			tmpl, err = c.Prompts.GetByName(ctx, strings.TrimSpace(spec.PromptName))
		}
		if err != nil {
			return e, err
		}
		versionID = tmpl.SelectedVersionID
		if versionID == "" {
			versionID = tmpl.SelectedVersion.ID
		}
		if spec.PromptVersion != nil {
			v, err := c.Prompts.GetVersion(ctx, tmpl.ID, *spec.PromptVersion)
			if err != nil {
				return e, err
			}
			versionID = v.ID
		}
	}
	settings := promptSettings(strings.TrimSpace(spec.Model), spec.PromptSettings, tmpl != nil)

	scorers, err := c.Scorers.Resolve(ctx, spec.Metrics)
	if err != nil {
		return e, err
	}
	var configs []ScorerConfig
	for i := range scorers {
		configs = append(configs, scorers[i].Config())
	}

	body := ExperimentCreateRequest{Name: name, TaskType: TaskTypeExperiment, PromptSettings: settings}
	if ds != nil {
		body.Dataset = &ExperimentDatasetRequest{DatasetID: ds.ID, VersionIndex: ds.CurrentVersionIndex}
	}
	if tmpl != nil {
		body.PromptTemplateVersionID = &versionID
	}
	if spec.Trigger {
		body.Trigger = true
		body.Scorers = configs
	}
	if g := strings.TrimSpace(spec.ExperimentGroupID); g != "" {
		body.ExperimentGroupID = &g
	}
	if g := strings.TrimSpace(spec.ExperimentGroupName); g != "" {
		body.ExperimentGroupName = &g
	}
	resp, err := c.Experiments.Create(ctx, pid, body)
	if err != nil {
		return e, err
	}
	e.resp, e.state = *resp, StateSynced
	e.spec.ProjectID = pid
	if tmpl != nil {
		e.promptID, e.promptName = tmpl.ID, tmpl.Name
	}
	link := c.consoleLink(pid, resp.ID)
	e.run = &RunResult{Experiment: *resp, Link: link}

	switch {
	case spec.Trigger:
		e.run.Message = fmt.Sprintf("experiment %q is running on the server; results will appear at %s", resp.Name, linkOr(link, resp.ID))
	case tmpl != nil:
		e.pendingJob = &CreateJobRequest{
			JobName: JobNamePlaygroundRun, ProjectID: pid, RunID: resp.ID,
			PromptTemplateVersionID: &versionID, PromptSettings: settings, DatasetID: &ds.ID,
			Scorers: configs, TaskType: ptr(TaskTypeExperiment),
		}
		e.run.Message = fmt.Sprintf("experiment %q is created; Run starts its prompt run (%s)", resp.Name, linkOr(link, resp.ID))
	default:
		if len(configs) > 0 {
			if _, err := c.Scorers.SetRunSettings(ctx, pid, resp.ID, configs); err != nil {
				return e, fmt.Errorf("galileo: experiment %q was created (id %s) but registering its metrics failed: %w", resp.Name, resp.ID, err)
			}
		}
		e.run.Message = fmt.Sprintf("experiment %q is created; log its traces, then see the results at %s", resp.Name, linkOr(link, resp.ID))
	}
	return e, nil
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

// snapshot returns the cached response and fails for handles that do not
// exist on the server.
func (e *Experiment) snapshot() (ExperimentResponse, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.state == StateDeleted:
		return e.resp, fmt.Errorf("galileo: experiment %q: %w", e.resp.Name, ErrDeleted)
	case e.resp.ID == "":
		return e.resp, fmt.Errorf("galileo: experiment %q: %w", e.spec.Name, ErrNotCreated)
	}
	return e.resp, nil
}

// Refresh reloads the experiment (GET /projects/{pid}/experiments/{eid});
// every cached value is replaced.
func (e *Experiment) Refresh(ctx context.Context) error {
	r, err := e.snapshot()
	if err != nil {
		return err
	}
	got, err := e.c.Experiments.Get(ctx, r.ProjectID, r.ID)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state != StateDeleted {
		e.resp, e.state = *got, StateSynced
	}
	return nil
}

// Delete deletes the experiment and all its data; this cannot be undone.
// The handle's state becomes StateDeleted.
func (e *Experiment) Delete(ctx context.Context) error {
	r, err := e.snapshot()
	if err != nil {
		return err
	}
	if err := e.c.Experiments.Delete(ctx, r.ProjectID, r.ID); err != nil {
		return err
	}
	e.mu.Lock()
	e.state = StateDeleted
	e.mu.Unlock()
	return nil
}

// Run returns the run result, once per handle, like the Python SDK's run():
//
//   - after Create with Trigger (the run started at create) or for an
//     experiment whose traces the client logs: the remembered result;
//   - after Create with a prompt template and Trigger false: it starts the
//     prompt run as a job (POST /jobs), unless the experiment already has
//     traces, which is an [*ImmutableError];
//   - for a handle from Open, OpenByID or OpenAll: a result made from the
//     cached experiment and its link.
//
// A second call fails with [ErrAlreadyRun]: experiments are immutable once
// run, so create a new experiment with another name to run again.
func (e *Experiment) Run(ctx context.Context) (*RunResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.state == StateDeleted:
		return nil, fmt.Errorf("galileo: experiment %q: %w", e.resp.Name, ErrDeleted)
	case e.resp.ID == "":
		return nil, fmt.Errorf("galileo: experiment %q: %w", e.spec.Name, ErrNotCreated)
	case e.runDone:
		return nil, fmt.Errorf("galileo: experiment %q: %w; create a new experiment with another name to run again", e.resp.Name, ErrAlreadyRun)
	}
	if e.run == nil {
		link := e.c.consoleLink(e.resp.ProjectID, e.resp.ID)
		e.run = &RunResult{Experiment: e.resp, Link: link,
			Message: fmt.Sprintf("experiment %q was opened, not created by this handle; see %s", e.resp.Name, linkOr(link, e.resp.ID))}
	}
	if e.pendingJob != nil {
		has, err := e.c.hasTraces(ctx, e.resp.ProjectID, e.resp.ID)
		if err != nil {
			return nil, err
		}
		if has {
			return nil, &ImmutableError{Name: e.resp.Name, ProjectID: e.resp.ProjectID, ExperimentID: e.resp.ID}
		}
		job, err := e.c.Jobs.Create(ctx, *e.pendingJob)
		if err != nil {
			return nil, err
		}
		e.pendingJob = nil
		if job.JobID != nil {
			e.run.JobID = *job.JobID
		}
		e.run.Message = fmt.Sprintf("experiment %q: prompt run started; results will appear at %s", e.resp.Name, linkOr(e.run.Link, e.resp.ID))
	}
	e.runDone = true
	r := *e.run
	return &r, nil
}

// Status refreshes the experiment and returns its progress
// (the Python SDK's get_status). Complete means the rows' outputs are
// generated; metric scoring continues afterwards, so wait for
// [Experiment.GetMetricAggregate] too.
func (e *Experiment) Status(ctx context.Context) (ExperimentStatusInfo, error) {
	if err := e.Refresh(ctx); err != nil {
		return ExperimentStatusInfo{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return statusOf(e.resp), nil
}

// HasTraces reports whether the experiment has any trace
// (POST /projects/{pid}/traces/search with limit 1). As in the Python SDK,
// any error counts as false; use [Experiment.HasTracesErr] to see it.
func (e *Experiment) HasTraces(ctx context.Context) bool {
	ok, err := e.HasTracesErr(ctx)
	return err == nil && ok
}

// HasTracesErr is [Experiment.HasTraces] returning the error instead of
// treating it as false.
func (e *Experiment) HasTracesErr(ctx context.Context) (bool, error) {
	r, err := e.snapshot()
	if err != nil {
		return false, err
	}
	return e.c.hasTraces(ctx, r.ProjectID, r.ID)
}

func (c *Client) hasTraces(ctx context.Context, projectID, experimentID string) (bool, error) {
	res, err := c.Records.Search(ctx, projectID, RecordTrace, LogRecordsQueryRequest{
		Limit: 1, ExperimentID: &experimentID,
		Sort: &Sort{ColumnID: "created_at", Ascending: false, SortType: "column"},
	})
	if err != nil {
		return false, err
	}
	return len(res.Records) > 0, nil
}

// AddTag adds a tag (tag type "" means "generic"; "rag" is the other
// common type) and adds the tag the API returns to the cached
// [Experiment.Tags]; nothing is reloaded.
func (e *Experiment) AddTag(ctx context.Context, key, value, tagType string) error {
	r, err := e.snapshot()
	if err != nil {
		return err
	}
	tag, err := e.c.Experiments.AddTag(ctx, r.ProjectID, r.ID, RunTagCreateRequest{Key: key, Value: value, TagType: tagType})
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	tags := maps.Clone(e.resp.Tags)
	if tags == nil {
		tags = map[string][]RunTag{}
	}
	// A new slice: callers of Tags may hold the old one.
	tags[tag.TagType] = append(slices.Clip(tags[tag.TagType]), *tag)
	e.resp.Tags = tags
	return nil
}

// Tags returns the cached tags by tag type ("generic", "rag", ...).
func (e *Experiment) Tags() map[string][]RunTag {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.resp.Tags)
}

// AggregateMetrics returns the cached legacy aggregates (average_cost,
// average_latency, total_responses, average_<metric>, ...). Deprecated in
// the API in favour of [Experiment.MetricAggregates].
func (e *Experiment) AggregateMetrics() map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.resp.AggregateMetrics)
}

// MetricAggregates returns the cached structured aggregates, keyed by scorer
// UUID for scorer-backed metrics and by raw name for system metrics (cost,
// duration_ns). It is nil while nothing is computed.
func (e *Experiment) MetricAggregates() map[string]MetricAggregates {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.resp.StructuredAggregateMetrics)
}

// GetMetricAggregate returns the cached aggregates of one metric, or nil
// when they are not computed yet or the metric is unknown. metric may be:
//
//  1. a scorer UUID: looked up directly;
//  2. a label ("Correctness"): resolved through [Experiment.ExperimentColumns]
//     (one call) to the "metrics/<uuid>" column with that label;
//  3. a legacy metric_key_alias ("correctness"), through the same columns;
//  4. a raw key such as "cost" or "duration_ns" (system metrics have no
//     column).
//
// Call [Experiment.Refresh] first for fresh values. No call is made while
// nothing is computed.
func (e *Experiment) GetMetricAggregate(ctx context.Context, metric string) (*MetricAggregates, error) {
	aggs := e.MetricAggregates()
	if len(aggs) == 0 {
		return nil, nil
	}
	if isUUID(metric) {
		for k, a := range aggs {
			if strings.EqualFold(k, metric) {
				return &a, nil
			}
		}
		return nil, nil
	}
	cols, err := e.ExperimentColumns(ctx)
	if err != nil {
		return nil, err
	}
	for _, byAlias := range []bool{false, true} {
		for _, col := range cols {
			key, ok := strings.CutPrefix(col.ID, "metrics/")
			if !ok {
				continue
			}
			v := col.Label
			if byAlias {
				v = col.MetricKeyAlias
			}
			if v == nil || *v != metric {
				continue
			}
			if a, ok := aggs[key]; ok {
				return &a, nil
			}
		}
	}
	if a, ok := aggs[metric]; ok {
		return &a, nil
	}
	return nil, nil
}

// ExperimentColumns returns the columns of the project's experiments table
// (POST /projects/{pid}/experiments/available_columns). Metric columns
// ("metrics/<scorer uuid>") carry the label and metric_key_alias that name
// the keys of [Experiment.MetricAggregates].
func (e *Experiment) ExperimentColumns(ctx context.Context) (ColumnCollection, error) {
	r, err := e.snapshot()
	if err != nil {
		return nil, err
	}
	return e.c.Experiments.AvailableColumns(ctx, r.ProjectID)
}

// TraceColumns returns the columns available for this experiment's traces.
func (e *Experiment) TraceColumns(ctx context.Context) (ColumnCollection, error) {
	return e.recordColumns(ctx, RecordTrace)
}

// SpanColumns returns the columns available for this experiment's spans.
func (e *Experiment) SpanColumns(ctx context.Context) (ColumnCollection, error) {
	return e.recordColumns(ctx, RecordSpan)
}

// SessionColumns returns the columns available for this experiment's sessions.
func (e *Experiment) SessionColumns(ctx context.Context) (ColumnCollection, error) {
	return e.recordColumns(ctx, RecordSession)
}

func (e *Experiment) recordColumns(ctx context.Context, rt RecordType) (ColumnCollection, error) {
	r, err := e.snapshot()
	if err != nil {
		return nil, err
	}
	return e.c.Records.Columns(ctx, r.ProjectID, rt, r.ID)
}

// QueryOptions select records for [Experiment.Query]. Filters are record
// filters (ColumnID and Type set); a zero Limit means 100.
type QueryOptions struct {
	Filters       []Filter
	Sort          *Sort
	Limit         int
	StartingToken int
}

func (e *Experiment) queryRequest(eid string, o QueryOptions) LogRecordsQueryRequest {
	return LogRecordsQueryRequest{StartingToken: o.StartingToken, Limit: o.Limit, ExperimentID: &eid, Filters: o.Filters, Sort: o.Sort}
}

// Query returns one page of this experiment's records of type rt
// (POST /projects/{pid}/{traces|spans|sessions}/search). The response's
// NextStartingToken, when not nil, is the StartingToken of the next page.
func (e *Experiment) Query(ctx context.Context, rt RecordType, o QueryOptions) (*LogRecordsQueryResponse, error) {
	r, err := e.snapshot()
	if err != nil {
		return nil, err
	}
	return e.c.Records.Search(ctx, r.ProjectID, rt, e.queryRequest(r.ID, o))
}

// QueryAll iterates over every matching record of type rt, page by page.
func (e *Experiment) QueryAll(ctx context.Context, rt RecordType, o QueryOptions) iter.Seq2[Record, error] {
	r, err := e.snapshot()
	if err != nil {
		return func(yield func(Record, error) bool) { yield(Record{}, err) }
	}
	return e.c.Records.All(ctx, r.ProjectID, rt, e.queryRequest(r.ID, o))
}

// GetTraces is Query for traces.
func (e *Experiment) GetTraces(ctx context.Context, o QueryOptions) (*LogRecordsQueryResponse, error) {
	return e.Query(ctx, RecordTrace, o)
}

// GetSpans is Query for spans.
func (e *Experiment) GetSpans(ctx context.Context, o QueryOptions) (*LogRecordsQueryResponse, error) {
	return e.Query(ctx, RecordSpan, o)
}

// GetSessions is Query for sessions.
func (e *Experiment) GetSessions(ctx context.Context, o QueryOptions) (*LogRecordsQueryResponse, error) {
	return e.Query(ctx, RecordSession, o)
}

// ExportOptions select what [Experiment.ExportRecords] exports. The zero
// value exports traces as jsonl, newest first, redacted, like the Python SDK.
type ExportOptions struct {
	// RecordType is trace (default), span or session.
	RecordType RecordType
	Filters    []Filter
	// Sort defaults to created_at descending.
	Sort *Sort
	// Format is jsonl (default), jsonl_flat or csv.
	Format ExportFormat
	// ColumnIDs choose the columns of a csv export.
	ColumnIDs []string
	// NoRedact asks for unredacted values (redact=false).
	NoRedact bool
}

// ExportRecords streams this experiment's records
// (POST /projects/{pid}/export_records with the experiment id in
// log_stream_id, as the Python SDK sends it), decoding each line as it
// arrives so memory stays constant. For csv, each row is a map from column
// header to its string value.
func (e *Experiment) ExportRecords(ctx context.Context, o ExportOptions) iter.Seq2[map[string]any, error] {
	r, err := e.snapshot()
	if err != nil {
		return func(yield func(map[string]any, error) bool) { yield(nil, err) }
	}
	eid := r.ID
	req := LogRecordsExportRequest{
		RootType: o.RecordType, ColumnIDs: o.ColumnIDs, Redact: !o.NoRedact,
		LogStreamID: &eid, Filters: o.Filters, Sort: o.Sort,
	}
	if req.Sort == nil {
		req.Sort = &Sort{ColumnID: "created_at", Ascending: false, SortType: "column"}
	}
	if o.Format != ExportCSV {
		req.ExportFormat = o.Format
		return e.c.Records.Export(ctx, r.ProjectID, req)
	}
	return func(yield func(map[string]any, error) bool) {
		for row, err := range e.c.Records.ExportCSV(ctx, r.ProjectID, req) {
			if err != nil {
				yield(nil, err)
				return
			}
			m := make(map[string]any, len(row))
			for k, v := range row {
				m[k] = v
			}
			if !yield(m, nil) {
				return
			}
		}
	}
}

// Rank returns the cached rank among the project's experiments (1 is best),
// or nil when there is none (null or 0).
func (e *Experiment) Rank() *int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.resp.Rank == nil || *e.resp.Rank == 0 {
		return nil
	}
	v := *e.resp.Rank
	return &v
}

// RankingScore returns the cached ranking score (higher is better), or nil
// when there is none (null or 0).
func (e *Experiment) RankingScore() *float64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.resp.RankingScore == nil || *e.resp.RankingScore == 0 {
		return nil
	}
	v := *e.resp.RankingScore
	return &v
}

// IsWinner reports whether the cached experiment is marked the winner.
func (e *Experiment) IsWinner() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.resp.Winner != nil && *e.resp.Winner
}

// Model returns the model alias of the experiment: the spec's Model, else
// the alias of the cached prompt run settings, else the cached prompt
// model; "" when none is known. No call is made.
func (e *Experiment) Model() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case strings.TrimSpace(e.spec.Model) != "":
		return strings.TrimSpace(e.spec.Model)
	case e.resp.PromptRunSettings != nil && e.resp.PromptRunSettings.ModelAlias != "":
		return e.resp.PromptRunSettings.ModelAlias
	case e.resp.PromptModel != nil:
		return *e.resp.PromptModel
	}
	return ""
}

// PromptModel returns the cached model alias the prompt ran with
// ("GPT-4o"), or "".
func (e *Experiment) PromptModel() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.resp.PromptModel == nil {
		return ""
	}
	return *e.resp.PromptModel
}

// promptRef returns the template id and name known to the handle: set with
// SetPrompt or the spec, else from the cached experiment.
func (e *Experiment) promptRef() (id, name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	id, name = e.promptID, e.promptName
	if p := e.resp.Prompt; p != nil {
		if id == "" && p.PromptTemplateID != nil {
			id = *p.PromptTemplateID
		}
		if name == "" && p.Name != nil {
			name = *p.Name
		}
	}
	return id, name
}

// Prompt loads the experiment's prompt template (by id, else by name), or
// returns nil when the experiment has none. For playground experiments not
// yet run, set it first with [Experiment.SetPrompt].
func (e *Experiment) Prompt(ctx context.Context) (*PromptTemplate, error) {
	id, name := e.promptRef()
	switch {
	case id != "":
		return e.c.Prompts.Get(ctx, id)
	case name != "":
		return e.c.Prompts.GetByName(ctx, name)
	}
	return nil, nil
}

// SetPrompt sets the prompt template the handle refers to, by id or by name
// (the id wins). It is local only: no call is made.
func (e *Experiment) SetPrompt(templateID, name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.promptID, e.promptName = strings.TrimSpace(templateID), strings.TrimSpace(name)
}

// PromptTemplateSettings returns the settings stored on the prompt
// template's selected version, or nil when there is no template. The API
// does not apply them by itself: pass them as ExperimentSpec.PromptSettings
// to use them.
func (e *Experiment) PromptTemplateSettings(ctx context.Context) (*PromptRunSettings, error) {
	t, err := e.Prompt(ctx)
	if err != nil || t == nil {
		return nil, err
	}
	s := t.SelectedVersion.Settings
	return &s, nil
}

// Dataset loads the experiment's dataset, or returns nil when it has none.
func (e *Experiment) Dataset(ctx context.Context) (*Dataset, error) {
	e.mu.Lock()
	var id, name string
	if d := e.resp.Dataset; d != nil {
		if d.DatasetID != nil {
			id = *d.DatasetID
		}
		if d.Name != nil {
			name = *d.Name
		}
	}
	if id == "" && name == "" {
		id, name = strings.TrimSpace(e.spec.DatasetID), strings.TrimSpace(e.spec.DatasetName)
	}
	e.mu.Unlock()
	switch {
	case id != "":
		return e.c.Datasets.Get(ctx, id)
	case name != "":
		return e.c.Datasets.GetByName(ctx, name)
	}
	return nil, nil
}

// Project loads the experiment's project.
func (e *Experiment) Project(ctx context.Context) (*Project, error) {
	r, err := e.snapshot()
	if err != nil {
		return nil, err
	}
	return e.c.Projects.Get(ctx, r.ProjectID)
}

// PlaygroundName returns the name of the playground the experiment came
// from, or "".
func (e *Experiment) PlaygroundName() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p := e.resp.Playground; p != nil && p.Name != nil {
		return *p.Name
	}
	return ""
}

// Link returns the console deep link {console}/project/{pid}/experiments/{eid},
// or "" when the client has no console URL (WithConsoleURL) or the
// experiment is not created.
func (e *Experiment) Link() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.c.consoleLink(e.resp.ProjectID, e.resp.ID)
}

// ID returns the experiment id, "" before Create.
func (e *Experiment) ID() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.resp.ID
}

// Name returns the experiment's name: the server's once created (which
// may carry a rename suffix), else the spec's.
func (e *Experiment) Name() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.resp.ID != "" {
		return e.resp.Name
	}
	return e.spec.Name
}

// ProjectID returns the project id, "" before Create when the spec named
// the project by name.
func (e *Experiment) ProjectID() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.resp.ProjectID != "" {
		return e.resp.ProjectID
	}
	return e.spec.ProjectID
}

// Response returns a copy of the cached experiment as the API last
// returned it.
func (e *Experiment) Response() ExperimentResponse {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.resp
}

// State returns the handle's sync state.
func (e *Experiment) State() SyncState {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state
}
