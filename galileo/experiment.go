package galileo

import (
	"context"
	"errors"
	"fmt"
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
//
// A handle is safe for concurrent use, and no lock is held during a call to
// the API, so accessors answer at once while another goroutine waits on the
// network. Each method reads what it needs from the cache, makes its calls,
// then applies the answer to the cache. In detail:
//
//   - Create and Run take turns on a handle: a call waits (or gives up when
//     its context ends) while the other one, or another call of the same,
//     is in flight. So concurrent Create calls create one experiment (the
//     others then fail as a Create on an existing experiment does), and
//     concurrent Run calls start at most one prompt run and return the
//     result once (the others fail with [ErrAlreadyRun]).
//   - Refresh, Status, AddTag, Delete and the queries run concurrently with
//     each other and with Create and Run. An experiment not created yet
//     (Create still in flight) gives [ErrNotCreated].
//   - A Refresh answer replaces the cache only if no Refresh started later
//     has already applied its own, so the cache never goes back in time;
//     nothing is applied after Delete.
type Experiment struct {
	c   *Client
	now func() time.Time // clock of the rename suffix

	// turn serializes Create and Run (capacity 1); it is never held by
	// accessors, and mu is never held across a call.
	turn chan struct{}

	mu         sync.Mutex
	spec       ExperimentSpec
	resp       ExperimentResponse
	state      SyncState
	opened     bool              // obtained by Open, OpenByID or OpenAll
	run        *RunResult        // remembered by Create
	runDone    bool              // Run has returned its result
	pendingJob *CreateJobRequest // prompt run to start at Run (RunDeferred)
	promptID   string            // SetPrompt, or the spec's template
	promptName string
	project    string // the project's name, once resolved
	refreshes  uint64 // Refresh calls started
	refreshed  uint64 // the latest started Refresh whose answer is applied
}

// begin waits for the handle's turn for Create or Run, or for ctx to end;
// call the returned function to end the turn.
func (e *Experiment) begin(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case e.turn <- struct{}{}:
		return func() { <-e.turn }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

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

// New returns a local handle for the experiment spec describes; nothing is
// sent until [Experiment.Create].
func (s *ExperimentsService) New(spec ExperimentSpec) *Experiment {
	spec.Metrics = append([]string(nil), spec.Metrics...)
	return &Experiment{c: s.c, now: time.Now, turn: make(chan struct{}, 1), spec: spec,
		promptID: strings.TrimSpace(spec.PromptTemplateID), promptName: strings.TrimSpace(spec.PromptName)}
}

// ProjectRef names a project as the Python SDK's project_id and
// project_name keyword arguments do: a non-blank ID wins over Name, and
// the zero ProjectRef means the client's default project
// ([WithDefaultProject], [WithEnvProject]).
type ProjectRef struct {
	ID   string
	Name string
}

// OpenIn returns a handle on the experiment with exactly this name in the
// project ref names: the Python SDK's Experiment.get(name=...,
// project_id=..., project_name=...) in one call. A missing project or
// experiment is an error matching [ErrNotFound] (Python returns None).
func (s *ExperimentsService) OpenIn(ctx context.Context, ref ProjectRef, name string) (*Experiment, error) {
	p, err := s.c.Projects.Resolve(ctx, ref.ID, ref.Name)
	if err != nil {
		return nil, err
	}
	e, err := s.Open(ctx, p.ID, name)
	if err != nil {
		return nil, err
	}
	e.project = p.ProjectName()
	return e, nil
}

// OpenAllIn returns a handle on every experiment of the project ref names:
// the Python SDK's Experiment.list(project_id=..., project_name=...) in
// one call. Unlike Python, an API error is returned rather than an empty
// list.
func (s *ExperimentsService) OpenAllIn(ctx context.Context, ref ProjectRef) ([]*Experiment, error) {
	p, err := s.c.Projects.Resolve(ctx, ref.ID, ref.Name)
	if err != nil {
		return nil, err
	}
	es, err := s.OpenAll(ctx, p.ID)
	for _, e := range es {
		e.project = p.ProjectName()
	}
	return es, err
}

// Open returns a handle on the experiment with exactly this name in a
// project (the Python SDK's Experiment.get). A missing experiment is an
// error matching [ErrNotFound]. To name the project by name, or to use the
// client's default project, use [ExperimentsService.OpenIn].
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
	e := &Experiment{c: s.c, now: time.Now, turn: make(chan struct{}, 1), resp: r, state: StateSynced, opened: true}
	e.spec = ExperimentSpec{Name: r.Name, ProjectID: r.ProjectID}
	return e
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
	e.mu.Lock()
	e.refreshes++
	seq := e.refreshes
	e.mu.Unlock()
	got, err := e.c.Experiments.Get(ctx, r.ProjectID, r.ID)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state != StateDeleted && seq > e.refreshed {
		e.resp, e.state, e.refreshed = *got, StateSynced, seq
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

// IsSynced reports whether the handle's experiment exists on the server
// (the Python SDK's is_synced()): after Create, Open or Refresh, and
// until Delete.
func (e *Experiment) IsSynced() bool { return e.State() == StateSynced }

// IsDeleted reports whether Delete deleted the handle's experiment (the
// Python SDK's is_deleted()).
func (e *Experiment) IsDeleted() bool { return e.State() == StateDeleted }

// ProjectName returns the project's name: the spec's ProjectName, else
// the name of the project Create, OpenIn or OpenAllIn resolved; "" when
// the handle only knows the project id (Open, OpenByID, OpenAll). No call
// is made.
func (e *Experiment) ProjectName() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if n := strings.TrimSpace(e.spec.ProjectName); n != "" {
		return n
	}
	return e.project
}

// DatasetName returns the dataset's name as the cached experiment has it,
// else the spec's DatasetName; "" without a dataset. No call is made.
func (e *Experiment) DatasetName() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d := e.resp.Dataset; d != nil && d.Name != nil && *d.Name != "" {
		return *d.Name
	}
	return strings.TrimSpace(e.spec.DatasetName)
}

// PromptName returns the prompt template's name: the one given to
// SetPrompt or the spec, else the cached experiment's; "" when unknown
// (a template given by id only, before Create). No call is made.
func (e *Experiment) PromptName() string {
	_, name := e.promptRef()
	return name
}

// Metrics returns a copy of the metrics the spec gave to New, as written;
// nil for a handle from Open, OpenByID or OpenAll, as in Python.
func (e *Experiment) Metrics() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.spec.Metrics == nil {
		return nil
	}
	return slices.Clone(e.spec.Metrics)
}
