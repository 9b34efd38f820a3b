package galileo

import (
	"context"
	"fmt"
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
	// JobID is set when Run started a deferred prompt run as a job
	// (RunMode RunDeferred).
	JobID string
}

// Run returns the run result, once per handle, like the Python SDK's run():
//
//   - after Create that started the run (RunAtCreate, the default) or
//     for an experiment whose traces the client logs (RunByClient): the
//     remembered result, with no call;
//   - after Create with a prompt template and RunDeferred: it starts the
//     prompt run through the legacy jobs route (POST /jobs), which the
//     Python SDK no longer uses, unless the experiment already has traces,
//     which is an [*ImmutableError];
//   - for a handle from Open, OpenByID or OpenAll: a result made from the
//     cached experiment and its link.
//
// A second call fails with [ErrAlreadyRun]: experiments are immutable once
// run, so create a new experiment with another name to run again.
// Concurrent calls take turns (see [Experiment]), so at most one starts the
// prompt run and one returns the result.
func (e *Experiment) Run(ctx context.Context) (*RunResult, error) {
	release, err := e.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	job, r, err := e.runStart()
	if err != nil || job == nil {
		return r, err
	}
	has, err := e.c.hasTraces(ctx, job.ProjectID, job.RunID)
	if err != nil {
		return nil, err
	}
	if has {
		e.mu.Lock()
		defer e.mu.Unlock()
		return nil, &ImmutableError{Name: e.resp.Name, ProjectID: e.resp.ProjectID, ExperimentID: e.resp.ID}
	}
	started, err := e.c.Jobs.Create(ctx, *job)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pendingJob = nil
	if started.JobID != nil {
		e.run.JobID = *started.JobID
	}
	e.run.Message = fmt.Sprintf("experiment %q: prompt run started; results will appear at %s", e.resp.Name, linkOr(e.run.Link, e.resp.ID))
	e.runDone = true
	res := *e.run
	return &res, nil
}

// runStart checks that Run may proceed and returns the prompt run it must
// start, if any; with none, Run is done and its result is returned.
func (e *Experiment) runStart() (*CreateJobRequest, *RunResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.state == StateDeleted:
		return nil, nil, fmt.Errorf("galileo: experiment %q: %w", e.resp.Name, ErrDeleted)
	case e.resp.ID == "":
		return nil, nil, fmt.Errorf("galileo: experiment %q: %w", e.spec.Name, ErrNotCreated)
	case e.runDone:
		return nil, nil, fmt.Errorf("galileo: experiment %q: %w; create a new experiment with another name to run again", e.resp.Name, ErrAlreadyRun)
	}
	if e.run == nil {
		link := e.c.consoleLink(e.resp.ProjectID, e.resp.ID)
		e.run = &RunResult{Experiment: e.resp, Link: link,
			Message: fmt.Sprintf("experiment %q was opened, not created by this handle; see %s", e.resp.Name, linkOr(link, e.resp.ID))}
	}
	if e.pendingJob != nil {
		job := *e.pendingJob
		return &job, nil, nil
	}
	e.runDone = true
	res := *e.run
	return nil, &res, nil
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
