package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/galileo-community/galileo-go/galileo"
)

// Error code Galileo returns when a run without a prompt template is
// triggered on a dataset that has no generated_output column.
const errCodeNoGeneratedOutput = 3512

// experimentCreate is the body of POST /projects/{pid}/experiments.
type experimentCreate struct {
	Name                    *string           `json:"name"`
	TaskType                *int              `json:"task_type"`
	Dataset                 *json.RawMessage  `json:"dataset"`
	PromptTemplateVersionID *string           `json:"prompt_template_version_id"`
	PromptSettings          json.RawMessage   `json:"prompt_settings"`
	Scorers                 []json.RawMessage `json:"scorers"`
	Trigger                 bool              `json:"trigger"`
	PlaygroundID            *string           `json:"playground_id"`
	ExperimentGroupID       *string           `json:"experiment_group_id"`
	ExperimentGroupName     *string           `json:"experiment_group_name"`
}

// checkNameAndTaskType validates the name and task_type an experiment is
// created or updated with: the name is required, the task type defaults to
// TaskTypeExperiment and must be 16 or 17.
func checkNameAndTaskType(name *string, taskType *int) (string, int, error) {
	n, err := requiredName(name)
	if err != nil {
		return "", 0, err
	}
	if taskType == nil {
		return n, galileo.TaskTypeExperiment, nil
	}
	if *taskType != 16 && *taskType != 17 {
		return "", 0, invalid("literal_error", "Input should be 16 or 17", "task_type")
	}
	return n, *taskType, nil
}

// checkExperimentName is the one uniqueness rule of experiment names in a
// project (create and rename), Options.DuplicateNames; except is the
// experiment being renamed. Call with s.mu held.
func (s *Server) checkExperimentName(p *projectRec, name, except string) error {
	if s.opts.DuplicateNames == DuplicateNamesAllow {
		return nil
	}
	for _, e := range s.st.Experiments {
		if e.ProjectID == p.ID && e.Name == name && e.ID != except {
			return errorf(http.StatusConflict, "Experiment with name %s already exists in project %s", name, p.Name)
		}
	}
	return nil
}

// group picks the experiment group: the given one, else "<dataset> Experiment
// Group" when there is a dataset, else the system "Ungrouped" group.
func group(projectID string, id, name *string, datasetName string) (string, string, bool) {
	switch {
	case name != nil && *name != "":
		gid := derivedID("group", projectID, *name)
		if id != nil && *id != "" {
			gid = *id
		}
		return gid, *name, false
	case id != nil && *id != "":
		return *id, "Experiment Group", false
	case datasetName != "":
		n := datasetName + " Experiment Group"
		return derivedID("group", projectID, n), n, false
	}
	return derivedID("group", projectID, "Ungrouped"), "Ungrouped", true
}

// experimentSpec is what a new experiment is made of.
type experimentSpec struct {
	Name     string
	TaskType int
	// Dataset names the dataset and its version (-1: the current one).
	Dataset                 *galileo.ExperimentDatasetRequest
	PromptTemplateVersionID string
	PromptSettings          *galileo.PromptRunSettings // nil: none, or the defaults with a template
	Scorers                 []json.RawMessage
	Trigger                 bool // start a prompt run at once
	GroupID, GroupName      *string
}

// createExperiment validates and stores an experiment of project
// projectID, starts its run when in.Trigger, and returns it as the create
// answer shows it.
func (s *Server) createExperiment(projectID string, in experimentSpec) (galileo.ExperimentResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.project(projectID)
	if err != nil {
		return galileo.ExperimentResponse{}, err
	}
	scorers, err := s.normalizeScorers(in.Scorers, "scorers")
	if err != nil {
		return galileo.ExperimentResponse{}, err
	}
	now := s.now()
	e := &experimentRec{ID: s.newID(), ProjectID: p.ID, Name: in.Name, TaskType: in.TaskType, CreatedAt: now, UpdatedAt: now,
		Scorers: scorers, Tags: []galileo.RunTag{}, PromptSettings: in.PromptSettings}
	d, err := s.experimentDataset(e, in.Dataset)
	if err != nil {
		return galileo.ExperimentResponse{}, err
	}
	if id := in.PromptTemplateVersionID; id != "" {
		if s.st.templateVer[id] == nil {
			return galileo.ExperimentResponse{}, notFound("Prompt template version", id)
		}
		e.TemplateVersionID = id
		if e.PromptSettings == nil {
			def := galileo.DefaultPromptSettings()
			e.PromptSettings = &def
		}
	}
	// trigger: true is what the Python SDK's create() always sends; with
	// neither a dataset nor a template there is nothing to run, and the
	// experiment is only created (a dataset is optional at creation).
	if in.Trigger && (d != nil || e.TemplateVersionID != "") {
		if err := s.startRun(e, d, ""); err != nil {
			return galileo.ExperimentResponse{}, err
		}
	}
	if err := s.checkExperimentName(p, in.Name, ""); err != nil {
		return galileo.ExperimentResponse{}, err
	}
	dname := ""
	if d != nil {
		dname = d.Name
	}
	e.GroupID, e.GroupName, e.GroupIsSystem = group(p.ID, in.GroupID, in.GroupName, dname)
	if err := s.saveExperiment(e, d); err != nil {
		return galileo.ExperimentResponse{}, err
	}
	return s.experimentJSON(e, false, false), nil
}

// experimentDataset sets the dataset and version ds names on e and returns
// the dataset (nil without one). Call with s.mu held.
func (s *Server) experimentDataset(e *experimentRec, ds *galileo.ExperimentDatasetRequest) (*datasetRec, error) {
	if ds == nil {
		return nil, nil
	}
	d, err := s.dataset(ds.DatasetID)
	if err != nil {
		return nil, err
	}
	v, cur := ds.VersionIndex, d.current().Index
	if v < 0 {
		v = cur
	}
	if v > cur {
		return nil, errorf(http.StatusNotFound, "Version %d of dataset %s not found", v, d.ID)
	}
	e.DatasetID, e.DatasetVersion = d.ID, v
	return d, nil
}

func (s *Server) handleCreateExperiment(c *call) error {
	in, err := decodeExperimentCreate(c)
	if err != nil {
		return err
	}
	out, err := s.createExperiment(c.param("project_id"), in)
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, out)
}

// decodeExperimentCreate reads and validates the body of POST
// /projects/{project_id}/experiments.
func decodeExperimentCreate(c *call) (experimentSpec, error) {
	var body experimentCreate
	if err := decodeJSON(c.r, &body, false); err != nil {
		return experimentSpec{}, err
	}
	name, tt, err := checkNameAndTaskType(body.Name, body.TaskType)
	if err != nil {
		return experimentSpec{}, err
	}
	in := experimentSpec{Name: name, TaskType: tt, Scorers: body.Scorers, Trigger: body.Trigger,
		GroupID: body.ExperimentGroupID, GroupName: body.ExperimentGroupName}
	if body.Dataset != nil && string(*body.Dataset) != "null" {
		var d struct {
			DatasetID    *string `json:"dataset_id"`
			VersionIndex *int    `json:"version_index"`
		}
		if err := unmarshalBody(*body.Dataset, &d); err != nil {
			return experimentSpec{}, invalid("model_attributes_type", "Input should be a valid dictionary", "dataset")
		}
		if d.DatasetID == nil {
			return experimentSpec{}, missing("dataset", "dataset_id")
		}
		in.Dataset = &galileo.ExperimentDatasetRequest{DatasetID: *d.DatasetID, VersionIndex: -1}
		if d.VersionIndex != nil {
			in.Dataset.VersionIndex = *d.VersionIndex
		}
	}
	if len(body.PromptSettings) > 0 && string(body.PromptSettings) != "null" {
		set, err := decodeSettings(body.PromptSettings, "prompt_settings")
		if err != nil {
			return experimentSpec{}, err
		}
		in.PromptSettings = &set
	}
	if body.PromptTemplateVersionID != nil {
		in.PromptTemplateVersionID = *body.PromptTemplateVersionID
	}
	return in, nil
}

// startRun validates and records a server-side run of e over d. jobID is
// the playground job that started it ("" for trigger). Call with s.mu held.
func (s *Server) startRun(e *experimentRec, d *datasetRec, jobID string) error {
	if len(s.st.runTraces[e.ID]) > 0 || e.Run != nil {
		return errorf(http.StatusConflict, "Experiment %s has already been run: experiments are immutable once they have traces; create a new experiment", e.Name)
	}
	if d == nil {
		return invalid("value_error", "Value error, a dataset is required to run an experiment", "dataset")
	}
	run := &promptRun{StartedAt: s.now(), JobID: jobID}
	if e.TemplateVersionID != "" {
		run.Kind = "template"
		run.TemplateVersionID = e.TemplateVersionID
		run.TemplateID = s.st.templateVer[e.TemplateVersionID].ID
		run.Settings = e.PromptSettings
		if err := s.checkModel(run.Settings); err != nil {
			return err
		}
	} else {
		if !slices.Contains(d.Versions[e.DatasetVersion].Columns, "generated_output") {
			return standardError(http.StatusUnprocessableEntity, errCodeNoGeneratedOutput, "experiment_missing_generated_output",
				fmt.Sprintf("Dataset %s has no generated_output column: give a prompt template, or add generated outputs to the dataset", d.Name), "dataset")
		}
		run.Kind = "generated_output"
	}
	e.Run = run
	return nil
}

// saveExperiment persists e, links its dataset to its project, and starts
// its worker. Call with s.mu held for writing.
func (s *Server) saveExperiment(e *experimentRec, d *datasetRec) error {
	var nd *datasetRec
	if d != nil && !slices.Contains(d.ProjectIDs, e.ProjectID) {
		cp := *d
		cp.ProjectIDs = append(slices.Clone(d.ProjectIDs), e.ProjectID)
		nd = &cp
		if err := s.commit("put", kindDataset, cp.ID, nd); err != nil {
			return err
		}
	}
	if err := s.commit("put", kindExperiment, e.ID, e); err != nil {
		return err
	}
	if nd != nil {
		s.st.putDataset(nd)
	}
	s.st.putExperiment(e)
	s.requeueAll(e)
	s.rerank(e.ProjectID)
	return nil
}

// requeueAll schedules every trace of e for (re)scoring and starts its
// worker. Call with s.mu held for writing.
func (s *Server) requeueAll(e *experimentRec) {
	rs := s.st.runs[e.ID]
	for _, t := range s.st.runTraces[e.ID] {
		if t.IsComplete {
			rs.enqueue(t.ID)
		}
	}
	s.scoresChanged(e, rs)
	if s.hasWork(e.ID) {
		s.kick(e.ID)
	}
}
