package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/galileo-community/galileo-go/galileo"
)

// Job names.
const (
	jobPlaygroundRun = "playground_run"
	jobScorer        = "log_stream_scorer"
)

// jobBody is the part of CreateJobRequest the emulator reads.
type jobBody struct {
	JobName                 *string           `json:"job_name"`
	ProjectID               *string           `json:"project_id"`
	RunID                   *string           `json:"run_id"`
	PromptTemplateVersionID *string           `json:"prompt_template_version_id"`
	PromptSettings          json.RawMessage   `json:"prompt_settings"`
	DatasetID               *string           `json:"dataset_id"`
	DatasetVersionIndex     *int              `json:"dataset_version_index"`
	Scorers                 []json.RawMessage `json:"scorers"`
	TaskType                *int              `json:"task_type"`
}

func (s *Server) handleCreateJob(c *call) error {
	b, err := readBody(c)
	if err != nil {
		return err
	}
	var body jobBody
	if err := unmarshalBody(b, &body); err != nil {
		return err
	}
	switch {
	case body.ProjectID == nil:
		return missing("project_id")
	case body.RunID == nil:
		return missing("run_id")
	}
	raw := map[string]any{}
	_ = json.Unmarshal(b, &raw)
	job, e, err := s.createJob(&body, raw)
	if err != nil {
		return err
	}
	var req galileo.CreateJobRequest
	_ = json.Unmarshal(b, &req)
	req.JobName, req.ProjectID, req.RunID = job.Name, e.ProjectID, e.ID
	if req.Scorers != nil {
		req.Scorers = e.Scorers
	}
	jid := job.ID
	link := s.consoleURL() + "/project/" + e.ProjectID + "/experiments/" + e.ID
	return c.json(http.StatusOK, galileo.CreateJobResponse{CreateJobRequest: req, JobID: &jid,
		Message: "Job " + job.Name + " created for experiment " + e.Name, Link: link})
}

// createJob stores a job on the experiment body names: new scorers, and for
// a playground_run (or prompt_run) a prompt run over the dataset. raw is
// the request as stored in request_data. It returns the job and the
// updated experiment.
func (s *Server) createJob(body *jobBody, raw map[string]any) (*jobRec, *experimentRec, error) {
	name := jobScorer
	if body.JobName != nil && *body.JobName != "" {
		name = *body.JobName
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(*body.ProjectID, *body.RunID)
	if err != nil {
		return nil, nil, err
	}
	ne := *e
	job := &jobRec{ID: s.newID(), Name: name, ProjectID: e.ProjectID, RunID: e.ID, RequestData: raw, CreatedAt: s.now()}
	if body.Scorers != nil {
		if ne.Scorers, err = s.normalizeScorers(body.Scorers, "scorers"); err != nil {
			return nil, nil, err
		}
	}
	var d *datasetRec
	if name == jobPlaygroundRun || name == "prompt_run" {
		if d, err = s.jobPromptRun(&ne, body, job.ID); err != nil {
			return nil, nil, err
		}
	} else if ne.DatasetID != "" {
		d = s.st.Datasets[ne.DatasetID]
	}
	ne.UpdatedAt = s.now()
	if err := s.commit("put", kindJob, job.ID, job); err != nil {
		return nil, nil, err
	}
	s.st.putJob(job)
	if err := s.saveExperiment(&ne, d); err != nil {
		return nil, nil, err
	}
	return job, &ne, nil
}

// jobPromptRun sets the template, settings and dataset of a playground run
// on e and starts the run. It returns the dataset. Call with s.mu held.
func (s *Server) jobPromptRun(e *experimentRec, body *jobBody, jobID string) (*datasetRec, error) {
	if body.PromptTemplateVersionID == nil || *body.PromptTemplateVersionID == "" {
		return nil, missing("prompt_template_version_id")
	}
	if s.st.templateVer[*body.PromptTemplateVersionID] == nil {
		return nil, notFound("Prompt template version", *body.PromptTemplateVersionID)
	}
	e.TemplateVersionID = *body.PromptTemplateVersionID
	if len(body.PromptSettings) > 0 && string(body.PromptSettings) != "null" {
		set, err := decodeSettings(body.PromptSettings, "prompt_settings")
		if err != nil {
			return nil, err
		}
		e.PromptSettings = &set
	} else if e.PromptSettings == nil {
		def := galileo.DefaultPromptSettings()
		e.PromptSettings = &def
	}
	dsID := e.DatasetID
	if body.DatasetID != nil && *body.DatasetID != "" {
		dsID = *body.DatasetID
	}
	if dsID == "" {
		return nil, missing("dataset_id")
	}
	d, err := s.dataset(dsID)
	if err != nil {
		return nil, err
	}
	if dsID != e.DatasetID {
		e.DatasetID, e.DatasetVersion = d.ID, d.current().Index
	}
	if v := body.DatasetVersionIndex; v != nil {
		if *v < 0 || *v >= len(d.Versions) {
			return nil, errorf(http.StatusNotFound, "Version %d of dataset %s not found", *v, d.ID)
		}
		e.DatasetVersion = *v
	}
	return d, s.startRun(e, d, jobID)
}

func readBody(c *call) ([]byte, error) {
	var raw json.RawMessage
	if err := decodeJSON(c.r, &raw, false); err != nil {
		return nil, err
	}
	return raw, nil
}

func (s *Server) consoleURL() string {
	if s.opts.ConsoleURL != "" {
		return s.opts.ConsoleURL
	}
	return s.url
}

// jobJSON renders a job with its status derived from the run's progress.
func (s *Server) jobJSON(j *jobRec) galileo.Job {
	out := galileo.Job{ID: j.ID, JobName: j.Name, ProjectID: j.ProjectID, RunID: j.RunID, RequestData: j.RequestData,
		CreatedAt: j.CreatedAt, UpdatedAt: j.CreatedAt, Status: "pending"}
	if out.RequestData == nil {
		out.RequestData = map[string]any{}
	}
	e := s.st.Experiments[j.RunID]
	if e == nil {
		msg := "the experiment was deleted"
		out.Status, out.ErrorMessage = "cancelled", &msg
		return out
	}
	rs := s.st.runs[e.ID]
	var done, total int
	switch j.Name {
	case jobPlaygroundRun, "prompt_run":
		rows := s.runRows(e)
		total = len(rows)
		for _, r := range rows {
			if rs.generated[r.ID] {
				done++
			}
		}
	default:
		traces := s.st.runTraces[e.ID]
		total = len(traces)
		for _, t := range traces {
			if ts := t.score; ts != nil && len(ts.vals) >= len(e.Scorers) {
				done++
			}
		}
	}
	out.StepsCompleted, out.StepsTotal = done, total
	switch {
	case total > 0 && done >= total:
		out.Status, out.ProgressPercent = "completed", 100
		at := e.UpdatedAt
		if at.Before(j.CreatedAt) {
			at = j.CreatedAt
		}
		out.CompletedAt = &at
	case done > 0:
		out.Status, out.ProgressPercent = "processing", 100*float64(done)/float64(total)
	case total == 0 && j.Name != jobPlaygroundRun:
		out.Status = "completed"
		at := j.CreatedAt
		out.CompletedAt = &at
	}
	msg := "generated " + itoa(done) + " of " + itoa(total) + " rows"
	out.ProgressMessage = &msg
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// scorerJob is the synthetic log_stream_scorer job every experiment with
// scorers has (older clients poll it).
func (s *Server) scorerJob(e *experimentRec) *jobRec {
	return &jobRec{ID: derivedID("scorer-job", e.ID), Name: jobScorer, ProjectID: e.ProjectID, RunID: e.ID,
		RequestData: map[string]any{"scorers": e.Scorers}, CreatedAt: e.CreatedAt}
}

func (s *Server) handleGetJob(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id := c.param("job_id")
	if j := s.st.Jobs[id]; j != nil {
		return c.json(http.StatusOK, s.jobJSON(j))
	}
	for _, e := range s.st.Experiments {
		if len(e.Scorers) > 0 && derivedID("scorer-job", e.ID) == id {
			return c.json(http.StatusOK, s.jobJSON(s.scorerJob(e)))
		}
	}
	return notFound("Job", id)
}

func (s *Server) handleRunJobs(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, err := s.experiment(c.param("project_id"), c.param("run_id"))
	if err != nil {
		return err
	}
	var jobs []*jobRec
	for _, id := range sortedIDs(s.st, s.st.Jobs) {
		if j := s.st.Jobs[id]; j.RunID == e.ID {
			jobs = append(jobs, j)
		}
	}
	if len(e.Scorers) > 0 {
		jobs = append(jobs, s.scorerJob(e))
	}
	status := c.query("status")
	out := []galileo.Job{}
	for _, j := range jobs {
		jj := s.jobJSON(j)
		if status == "" || jj.Status == status {
			out = append(out, jj)
		}
	}
	return c.json(http.StatusOK, out)
}
