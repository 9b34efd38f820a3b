package galileo

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// JobsService handles server-side jobs (/jobs), the legacy way to run a
// prompt template over an experiment's dataset. The Python SDK no longer
// calls it (v2.5.1 removed it): experiments start their prompt run at
// create with trigger: true (see [Experiment.Create]). The client uses it
// only for a run deferred with RunMode RunDeferred.
type JobsService struct{ c *Client }

// JobNamePlaygroundRun is the job name of a prompt run.
const JobNamePlaygroundRun = "playground_run"

// Job statuses.
const (
	JobPending    = "pending"
	JobProcessing = "processing"
	JobCompleted  = "completed"
	JobFailed     = "failed"
	JobCancelled  = "cancelled"
)

// Create creates and enqueues a job (POST /jobs). If the call fails in a
// way that leaves it unknown whether the job was created, the client lists
// the run's jobs before retrying and returns a job of the same name if one
// exists, so a retry never starts a second run.
func (s *JobsService) Create(ctx context.Context, req CreateJobRequest) (*CreateJobResponse, error) {
	if err := requireIDs("Jobs.Create", "project", req.ProjectID, "run", req.RunID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.JobName) == "" {
		return nil, errors.New("galileo: Jobs.Create: empty job name")
	}
	var out CreateJobResponse
	r := &request{
		method: http.MethodPost,
		path:   "/jobs",
		body:   req,
		onAmbiguous: func(ctx context.Context) (bool, error) {
			jobs, err := s.ForRun(ctx, req.ProjectID, req.RunID)
			if err != nil {
				return false, err
			}
			for _, j := range jobs {
				if j.JobName == req.JobName {
					id := j.ID
					out = CreateJobResponse{CreateJobRequest: req, JobID: &id}
					return true, nil
				}
			}
			return false, nil
		},
	}
	if _, err := s.c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get returns a job (GET /jobs/{id}).
func (s *JobsService) Get(ctx context.Context, id string) (*Job, error) {
	if err := requireIDs("Jobs.Get", "job", id); err != nil {
		return nil, err
	}
	var out Job
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: "/jobs/" + url.PathEscape(id), idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ForRun returns the jobs of a run (an experiment), newest first
// (GET /projects/{pid}/runs/{run_id}/jobs).
func (s *JobsService) ForRun(ctx context.Context, projectID, runID string) ([]Job, error) {
	if err := requireIDs("Jobs.ForRun", "project", projectID, "run", runID); err != nil {
		return nil, err
	}
	var out []Job
	path := "/projects/" + url.PathEscape(projectID) + "/runs/" + url.PathEscape(runID) + "/jobs"
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: path, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return out, nil
}
