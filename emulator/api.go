package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/galileo-community/galileo-go/emulator/scoring"
	"github.com/galileo-community/galileo-go/galileo"
)

// Direct state access, without HTTP. Everything here goes through the same
// code (and the same data directory) as the API.

// CreateProject stores a gen_ai project, as POST /projects does: the name
// is trimmed, and a blank name or a gen_ai project of the same name is an
// error (the API's 422 or 409, wrapped).
func (s *Server) CreateProject(name string) (galileo.Project, error) {
	p, err := s.createProject(projectSpec{Name: name})
	if err != nil {
		return galileo.Project{}, fmt.Errorf("emulator: CreateProject: %w", err)
	}
	return s.projectDB(p), nil
}

// CreateDataset stores a dataset with rows (column name to value; values
// are strings, numbers, nil or flat objects), as POST /datasets does with a
// JSON upload. projectID may be "". Columns are the union of the rows' keys;
// "ground_truth" is stored as "output". A blank or taken name, or an unknown
// project, is an error (the API's answer, wrapped).
func (s *Server) CreateDataset(projectID, name string, rows []map[string]any) (galileo.Dataset, error) {
	b, err := json.Marshal(rows)
	if err != nil {
		return galileo.Dataset{}, fmt.Errorf("emulator: CreateDataset: rows: %w", err)
	}
	in := datasetSpec{Name: name, ProjectID: projectID}
	if in.Columns, in.Rows, err = parseRows("json", b); err != nil {
		return galileo.Dataset{}, fmt.Errorf("emulator: CreateDataset: %w", err)
	}
	d, err := s.createDataset(in)
	if err != nil {
		return galileo.Dataset{}, fmt.Errorf("emulator: CreateDataset: %w", err)
	}
	return s.datasetDB(d), nil
}

// CreatePromptTemplate stores a prompt template (version 0) with the given
// messages ({{ variable }} placeholders) and optional settings (nil: the
// server defaults), as POST /templates does. projectID may be "". It needs
// at least one message; a blank or taken name, or an unknown project, is an
// error (the API's answer, wrapped).
func (s *Server) CreatePromptTemplate(projectID, name string, messages []galileo.Message, settings *galileo.PromptRunSettings) (galileo.PromptTemplate, error) {
	if len(messages) == 0 {
		return galileo.PromptTemplate{}, errors.New("emulator: CreatePromptTemplate: expected at least one message")
	}
	raw, err := json.Marshal(messages)
	if err != nil {
		return galileo.PromptTemplate{}, fmt.Errorf("emulator: CreatePromptTemplate: messages: %w", err)
	}
	in := templateSpec{Name: name, ProjectID: projectID, Template: raw, Settings: serverPromptDefaults()}
	if settings != nil {
		in.Settings = *settings
	}
	t, err := s.createTemplate(in)
	if err != nil {
		return galileo.PromptTemplate{}, fmt.Errorf("emulator: CreatePromptTemplate: %w", err)
	}
	return s.templateJSON(t), nil
}

// RegisterScorer adds a user scorer (for example scoring.CodeScorer) to the
// catalogue served by /scorers/list. Its id, name and label must not clash
// with another scorer's. An empty ScorerType becomes "code".
func (s *Server) RegisterScorer(sc scoring.Scorer) error {
	if strings.TrimSpace(sc.Name) == "" || sc.Score == nil {
		return errors.New("emulator: RegisterScorer: expected a name and a Score function")
	}
	if sc.ScorerType == "" {
		sc.ScorerType = "code"
	}
	if sc.ID == "" {
		sc.ID = scoring.ScorerID(sc.ScorerType, sc.Name)
	}
	if sc.Label == "" {
		sc.Label = sc.Name
	}
	if sc.Alias == "" {
		sc.Alias = sc.Name
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.catalogue {
		if strings.EqualFold(o.ID, sc.ID) || o.Name == sc.Name || o.Label == sc.Label {
			return fmt.Errorf("emulator: RegisterScorer: %q clashes with scorer %q (%s)", sc.Name, o.Name, o.ID)
		}
	}
	s.catalogue = append(slices.Clone(s.catalogue), sc)
	return nil
}

// Scorers returns the catalogue: the built-ins and the registered scorers.
func (s *Server) Scorers() []scoring.Scorer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.catalogue)
}

// Experiment returns an experiment as GET would, and whether it exists.
func (s *Server) Experiment(id string) (galileo.ExperimentResponse, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.st.Experiments[id]
	if e == nil {
		return galileo.ExperimentResponse{}, false
	}
	return s.experimentJSON(e, true, false), true
}

// Experiments returns the experiments of a project (all projects for "") in
// creation order.
func (s *Server) Experiments(projectID string) []galileo.ExperimentResponse {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []galileo.ExperimentResponse{}
	for _, id := range sortedIDs(s.st, s.st.Experiments) {
		if e := s.st.Experiments[id]; projectID == "" || e.ProjectID == projectID {
			out = append(out, s.experimentJSON(e, true, false))
		}
	}
	return out
}

// Traces returns the traces of an experiment or log stream in arrival
// order, with their spans and metric values.
func (s *Server) Traces(runID string) []Record {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []Record{}
	for _, t := range s.st.runTraces[runID] {
		out = append(out, s.renderNode(t, true))
	}
	return out
}

// Snapshot is the emulator's state as Dump returns it.
type Snapshot struct {
	Projects    []galileo.Project            `json:"projects"`
	LogStreams  []galileo.LogStream          `json:"log_streams"`
	Datasets    []DatasetSnapshot            `json:"datasets"`
	Templates   []galileo.PromptTemplate     `json:"templates"`
	Experiments []galileo.ExperimentResponse `json:"experiments"`
	Jobs        []galileo.Job                `json:"jobs"`
	// Traces maps a run (experiment or log stream) id to its traces.
	Traces map[string][]Record `json:"traces"`
	Faults []FaultState        `json:"faults"`
}

// DatasetSnapshot is a dataset with the rows of its current version.
type DatasetSnapshot struct {
	galileo.Dataset
	Rows []map[string]any `json:"rows"`
}

// Dump returns a JSON-encodable copy of the whole state.
func (s *Server) Dump() Snapshot {
	faults := s.Faults()
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	out := Snapshot{Projects: []galileo.Project{}, LogStreams: []galileo.LogStream{}, Datasets: []DatasetSnapshot{},
		Templates: []galileo.PromptTemplate{}, Experiments: []galileo.ExperimentResponse{}, Jobs: []galileo.Job{},
		Traces: map[string][]Record{}, Faults: faults}
	for _, id := range sortedIDs(st, st.Projects) {
		out.Projects = append(out.Projects, s.projectDB(st.Projects[id]))
	}
	for _, id := range sortedIDs(st, st.LogStreams) {
		out.LogStreams = append(out.LogStreams, s.logStreamJSON(st.LogStreams[id]))
	}
	for _, id := range sortedIDs(st, st.Datasets) {
		d := st.Datasets[id]
		ds := DatasetSnapshot{Dataset: s.datasetDB(d), Rows: []map[string]any{}}
		for _, r := range d.current().Rows {
			ds.Rows = append(ds.Rows, r.Values)
		}
		out.Datasets = append(out.Datasets, ds)
	}
	for _, id := range sortedIDs(st, st.Templates) {
		out.Templates = append(out.Templates, s.templateJSON(st.Templates[id]))
	}
	for _, id := range sortedIDs(st, st.Experiments) {
		out.Experiments = append(out.Experiments, s.experimentJSON(st.Experiments[id], true, false))
	}
	for _, id := range sortedIDs(st, st.Jobs) {
		out.Jobs = append(out.Jobs, s.jobJSON(st.Jobs[id]))
	}
	for run, traces := range st.runTraces {
		for _, t := range traces {
			out.Traces[run] = append(out.Traces[run], s.renderNode(t, true))
		}
	}
	return out
}

// WaitIdle blocks until no background work (prompt-run generation or
// scoring) is left, or ctx ends. With a ManualClock the clock must be
// advanced for paced work to finish.
func (s *Server) WaitIdle(ctx context.Context) error {
	s.mu.Lock()
	if s.busy == 0 {
		s.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	s.idle = append(s.idle, ch)
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// workerDone records the end of a worker. Call with s.mu held for writing.
func (s *Server) workerDone() {
	s.busy--
	if s.busy == 0 {
		for _, ch := range s.idle {
			close(ch)
		}
		s.idle = nil
	}
}
