package galileo

import (
	"context"
	"net/http"
	"testing"
)

func TestJobsService(t *testing.T) {
	f := newFakeAPI(t)
	pid, rid, did, vid := newID(), newID(), newID(), newID()
	job := fxJob(pid, rid, JobNamePlaygroundRun, JobProcessing)
	f.handle("POST /jobs", func(w http.ResponseWriter, r *http.Request) {
		body := decodeBody[CreateJobRequest](t, r)
		if body.JobName != JobNamePlaygroundRun || body.RunID != rid || *body.DatasetID != did || *body.PromptTemplateVersionID != vid || *body.TaskType != 16 {
			t.Errorf("body %+v: want a playground_run of run %s", body, rid)
		}
		serveJSON(w, 200, CreateJobResponse{CreateJobRequest: body, JobID: &job.ID, Message: "queued", Link: testConsole})
	})
	f.json("GET /jobs/{job_id}", 200, job)
	f.handle("GET /projects/{project_id}/runs/{run_id}/jobs", func(w http.ResponseWriter, r *http.Request) {
		serveJSON(w, 200, []Job{job})
	})
	c := f.client()
	ctx := t.Context()
	created, err := c.Jobs.Create(ctx, CreateJobRequest{JobName: JobNamePlaygroundRun, ProjectID: pid, RunID: rid,
		PromptTemplateVersionID: &vid, DatasetID: &did, TaskType: ptr(TaskTypeExperiment)})
	if err != nil || *created.JobID != job.ID {
		t.Fatalf("Create = %+v, %v", created, err)
	}
	got, err := c.Jobs.Get(ctx, job.ID)
	if err != nil || got.Status != JobProcessing {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	jobs, err := c.Jobs.ForRun(ctx, pid, rid)
	if err != nil || len(jobs) != 1 || jobs[0].ID != job.ID {
		t.Fatalf("ForRun = %+v, %v", jobs, err)
	}
	errorPathCases(t, "GET /jobs/{job_id}", `{"status": 1}`, func(ctx context.Context, c *Client) error {
		_, err := c.Jobs.Get(ctx, job.ID)
		return err
	})
}

// A job whose answer is lost is found among the run's jobs, not started twice.
func TestJobsService_Create_ambiguousFailure(t *testing.T) {
	f := newFakeAPI(t)
	pid, rid := newID(), newID()
	job := fxJob(pid, rid, JobNamePlaygroundRun, JobPending)
	f.json("POST /jobs", http.StatusGatewayTimeout, map[string]string{"detail": "timeout"})
	f.json("GET /projects/{project_id}/runs/{run_id}/jobs", 200, []Job{job})
	got, err := f.client(WithRetry(3, 0, 0)).Jobs.Create(t.Context(), CreateJobRequest{JobName: JobNamePlaygroundRun, ProjectID: pid, RunID: rid})
	if err != nil {
		t.Fatal(err)
	}
	if *got.JobID != job.ID || f.count("POST /jobs") != 1 {
		t.Errorf("job %s after %d POSTs, want %s after 1", *got.JobID, f.count("POST /jobs"), job.ID)
	}
}
