package emulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/galileo-community/galileo-go/emulator/scoring"
	"github.com/galileo-community/galileo-go/galileo"
)

// Error code Galileo returns when a run without a prompt template is
// triggered on a dataset that has no generated_output column.
const errCodeNoGeneratedOutput = 3512

func (s *Server) experiment(projectID, id string) (*experimentRec, error) {
	if _, err := s.project(projectID); err != nil {
		return nil, err
	}
	e := s.st.Experiments[id]
	if e == nil || e.ProjectID != projectID {
		return nil, notFound("Experiment", id)
	}
	return e, nil
}

// experimentJSON renders an experiment. hide reports the state of a
// "pending" fault: progress 0 and no aggregates.
func (s *Server) experimentJSON(e *experimentRec, counts, hide bool) galileo.ExperimentResponse {
	rs := s.st.runs[e.ID]
	up := e.UpdatedAt
	by := userID
	out := galileo.ExperimentResponse{ID: e.ID, ProjectID: e.ProjectID, TaskType: e.TaskType, Name: e.Name, CreatedAt: e.CreatedAt,
		UpdatedAt: &up, CreatedBy: &by, CreatedByUser: userInfo(), AggregateMetrics: map[string]any{},
		Tags: map[string][]galileo.RunTag{}, Status: galileo.ExperimentStatus{LogGeneration: &galileo.ExperimentPhaseStatus{}},
		AggregateFeedback: map[string]any{}, RatingAggregates: map[string]any{}}
	if e.DatasetID != "" {
		id, v := e.DatasetID, e.DatasetVersion
		ds := &galileo.ExperimentDataset{DatasetID: &id, VersionIndex: &v}
		if d := s.st.Datasets[e.DatasetID]; d != nil {
			n := d.Name
			ds.Name = &n
		}
		out.Dataset = ds
	}
	if e.TemplateVersionID != "" {
		if t := s.st.templateVer[e.TemplateVersionID]; t != nil {
			for _, v := range t.Versions {
				if v.ID == e.TemplateVersionID {
					tid, name, ver, content := t.ID, t.Name, v.Version, templateText(v.Template)
					out.Prompt = &galileo.ExperimentPrompt{PromptTemplateID: &tid, VersionIndex: &ver, Name: &name, Content: &content}
				}
			}
		}
	}
	if e.PromptSettings != nil {
		set := *e.PromptSettings
		out.PromptRunSettings = &set
		m := set.ModelAlias
		out.PromptModel = &m
	}
	for _, tag := range e.Tags {
		out.Tags[tag.TagType] = append(out.Tags[tag.TagType], tag)
	}
	if e.GroupID != "" {
		gid, gname, sys := e.GroupID, e.GroupName, e.GroupIsSystem
		out.ExperimentGroupID, out.ExperimentGroupName, out.ExperimentGroupIsSystem = &gid, &gname, &sys
	}
	if counts {
		traces := s.st.runTraces[e.ID]
		nt, ns := len(traces), 0
		sessions := map[string]bool{}
		for _, t := range traces {
			ns += t.countSpans()
			sessions[t.SessionID] = true
		}
		nss := len(sessions)
		out.NumTraces, out.NumSpans, out.NumSessions = &nt, &ns, &nss
	}
	if hide || rs == nil {
		return out
	}
	out.Status.LogGeneration.ProgressPercent = s.progress(e)
	if len(rs.structured) > 0 {
		out.StructuredAggregateMetrics = rs.structured
		if len(rs.tokens) > 0 {
			out.StructuredAggregateMetrics = make(map[string]galileo.MetricAggregates, len(rs.structured)+len(rs.tokens))
			maps.Copy(out.StructuredAggregateMetrics, rs.structured)
			maps.Copy(out.StructuredAggregateMetrics, rs.tokens)
		}
	}
	for k, v := range rs.legacy {
		out.AggregateMetrics[k] = v
	}
	if rs.rank != nil && rs.rank.Rank > 0 {
		score, rank, win := rs.rank.Score, rs.rank.Rank, rs.rank.Winner
		out.RankingScore, out.Rank, out.Winner = &score, &rank, &win
	}
	return out
}

// normalizeScorers resolves the scorer configs of a request against the
// catalogue: every scorer must be known (by id, or by name when the id is
// missing). Call with s.mu held.
func (s *Server) normalizeScorers(raw []json.RawMessage, field string) ([]galileo.ScorerConfig, error) {
	out := []galileo.ScorerConfig{}
	for i, r := range raw {
		var cfg struct {
			ID         string  `json:"id"`
			Name       *string `json:"name"`
			ScorerType string  `json:"scorer_type"`
		}
		if err := json.Unmarshal(r, &cfg); err != nil {
			return nil, invalid("model_attributes_type", "Input should be a valid ScorerConfig object", field, i)
		}
		if cfg.ID == "" && (cfg.Name == nil || *cfg.Name == "") {
			return nil, missing(field, i, "id")
		}
		sc, ok := s.scorerFor(galileo.ScorerConfig{ID: cfg.ID, Name: cfg.Name})
		if !ok {
			key := cfg.ID
			if key == "" {
				key = *cfg.Name
			}
			return nil, notFound("Scorer", key)
		}
		if slices.ContainsFunc(out, func(c galileo.ScorerConfig) bool { return c.ID == sc.ID }) {
			continue
		}
		name := sc.Name
		c := galileo.ScorerConfig{ID: sc.ID, Name: &name, ScorerType: sc.ScorerType}
		if sc.ModelType != "" {
			mt := sc.ModelType
			c.ModelType = &mt
		}
		if sc.OutputType != "" {
			ot := sc.OutputType
			c.OutputType = &ot
		}
		if sc.JudgeModel != "" {
			jm, nj := sc.JudgeModel, sc.NumJudges
			c.ModelName, c.NumJudges = &jm, &nj
		}
		out = append(out, c)
	}
	return out, nil
}

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

func (s *Server) nameTaken(projectID, name, except string) bool {
	for _, e := range s.st.Experiments {
		if e.ProjectID == projectID && e.Name == name && e.ID != except {
			return true
		}
	}
	return false
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

func (s *Server) handleCreateExperiment(c *call) error {
	var body experimentCreate
	if err := decodeJSON(c.r, &body, false); err != nil {
		return err
	}
	name, tt, err := checkNameAndTaskType(body.Name, body.TaskType)
	if err != nil {
		return err
	}
	var ds *galileo.ExperimentDatasetRequest
	if body.Dataset != nil && string(*body.Dataset) != "null" {
		var d struct {
			DatasetID    *string `json:"dataset_id"`
			VersionIndex *int    `json:"version_index"`
		}
		if err := unmarshalBody(*body.Dataset, &d); err != nil {
			return invalid("model_attributes_type", "Input should be a valid dictionary", "dataset")
		}
		if d.DatasetID == nil {
			return missing("dataset", "dataset_id")
		}
		ds = &galileo.ExperimentDatasetRequest{DatasetID: *d.DatasetID, VersionIndex: -1}
		if d.VersionIndex != nil {
			ds.VersionIndex = *d.VersionIndex
		}
	}
	var settings *galileo.PromptRunSettings
	if len(body.PromptSettings) > 0 && string(body.PromptSettings) != "null" {
		set, err := decodeSettings(body.PromptSettings, "prompt_settings")
		if err != nil {
			return err
		}
		settings = &set
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.project(c.param("project_id"))
	if err != nil {
		return err
	}
	scorers, err := s.normalizeScorers(body.Scorers, "scorers")
	if err != nil {
		return err
	}
	now := s.now()
	e := &experimentRec{ID: s.newID(), ProjectID: p.ID, Name: name, TaskType: tt, CreatedAt: now, UpdatedAt: now,
		Scorers: scorers, Tags: []galileo.RunTag{}, PromptSettings: settings}
	var d *datasetRec
	if ds != nil {
		if d, err = s.dataset(ds.DatasetID); err != nil {
			return err
		}
		cur := d.current().Index
		if ds.VersionIndex < 0 {
			ds.VersionIndex = cur
		}
		if ds.VersionIndex > cur {
			return errorf(http.StatusNotFound, "Version %d of dataset %s not found", ds.VersionIndex, d.ID)
		}
		e.DatasetID, e.DatasetVersion = d.ID, ds.VersionIndex
	}
	if body.PromptTemplateVersionID != nil && *body.PromptTemplateVersionID != "" {
		if s.st.templateVer[*body.PromptTemplateVersionID] == nil {
			return notFound("Prompt template version", *body.PromptTemplateVersionID)
		}
		e.TemplateVersionID = *body.PromptTemplateVersionID
		if e.PromptSettings == nil {
			def := galileo.DefaultPromptSettings()
			e.PromptSettings = &def
		}
	}
	if body.Trigger {
		if err := s.startRun(e, d, ""); err != nil {
			return err
		}
	}
	if s.nameTaken(p.ID, name, "") {
		return errorf(http.StatusConflict, "Experiment with name %s already exists in project %s", name, p.Name)
	}
	dname := ""
	if d != nil {
		dname = d.Name
	}
	e.GroupID, e.GroupName, e.GroupIsSystem = group(p.ID, body.ExperimentGroupID, body.ExperimentGroupName, dname)
	if err := s.saveExperiment(e, d); err != nil {
		return err
	}
	return c.json(http.StatusOK, s.experimentJSON(e, false, false))
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
	s.aggregate(e, rs)
	if s.hasWork(e.ID) {
		s.kick(e.ID)
	}
}

func (s *Server) handleGetExperiment(c *call) error {
	counts, err := c.queryBool("include_counts", false)
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, s.experimentJSON(e, counts, c.hide))
}

func (s *Server) projectExperiments(projectID string) []*experimentRec {
	var out []*experimentRec
	for _, id := range sortedIDs(s.st, s.st.Experiments) {
		if e := s.st.Experiments[id]; e.ProjectID == projectID {
			out = append(out, e)
		}
	}
	return out
}

func (s *Server) handleListExperiments(c *call) error {
	counts, err := c.queryBool("include_counts", false)
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.project(c.param("project_id"))
	if err != nil {
		return err
	}
	out := []galileo.ExperimentResponse{}
	for _, e := range s.projectExperiments(p.ID) {
		out = append(out, s.experimentJSON(e, counts, false))
	}
	return c.json(http.StatusOK, out)
}

func (s *Server) handlePaginatedExperiments(c *call) error {
	pg, err := c.page()
	if err != nil {
		return err
	}
	counts, err := c.queryBool("include_counts", false)
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.project(c.param("project_id"))
	if err != nil {
		return err
	}
	list := s.projectExperiments(p.ID)
	sortBy(list, false, func(a, b *experimentRec) int { return cmpTime(a.CreatedAt, b.CreatedAt) })
	exps, env := pageOf(pg, list, func(e *experimentRec) galileo.ExperimentResponse { return s.experimentJSON(e, counts, false) })
	return c.json(http.StatusOK, galileo.ListExperimentResponse{Page: env, Experiments: exps})
}

func (s *Server) handleSearchExperiments(c *call) error {
	var body struct {
		StartingToken int          `json:"starting_token"`
		Limit         *int         `json:"limit"`
		Filters       []listFilter `json:"filters"`
		Sort          *listSort    `json:"sort"`
		IncludeCounts bool         `json:"include_counts"`
	}
	if err := decodeJSON(c.r, &body, true); err != nil {
		return err
	}
	limit := 100
	if body.Limit != nil {
		limit = *body.Limit
	}
	pg := normPage(body.StartingToken, limit)
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.project(c.param("project_id"))
	if err != nil {
		return err
	}
	list, err := filterItems(s.projectExperiments(p.ID), body.Filters, matchExperiment)
	if err != nil {
		return err
	}
	col := body.Sort.column("created_at")
	sortBy(list, body.Sort.ascending(false), func(a, b *experimentRec) int { return a.listKeys().cmp(col, b.listKeys()) })
	exps, env := pageOf(pg, list, func(e *experimentRec) galileo.ExperimentResponse {
		return s.experimentJSON(e, body.IncludeCounts, false)
	})
	return c.json(http.StatusOK, galileo.ListExperimentResponse{Page: env, Experiments: exps})
}

// matchExperiment answers filter i of the experiments search for e; an
// unknown column is a 422, as on Galileo.
func matchExperiment(i int, f listFilter, e *experimentRec) (bool, error) {
	switch f.column() {
	case "name":
		return matchText(i, f, e.Name, true)
	case "id":
		return matchText(i, f, e.ID, false)
	case "created_by":
		return matchText(i, f, userID, false)
	case "created_at":
		return matchDate(i, f, e.CreatedAt)
	case "updated_at":
		return matchDate(i, f, e.UpdatedAt)
	case "experiment_group_id":
		return matchText(i, f, e.GroupID, false)
	case "experiment_group_name":
		return matchText(i, f, e.GroupName, true)
	case "":
		return false, missing("filters", i, "name")
	}
	return false, invalid("union_tag_invalid", fmt.Sprintf("Input tag '%s' found using 'name' does not match any of the expected tags: 'id', 'name', 'created_by', 'created_at', 'updated_at', 'experiment_group_id', 'experiment_group_name'", f.column()), "filters", i)
}

func (s *Server) handleUpdateExperiment(c *call) error {
	var body struct {
		Name                *string `json:"name"`
		TaskType            *int    `json:"task_type"`
		ExperimentGroupID   *string `json:"experiment_group_id"`
		ExperimentGroupName *string `json:"experiment_group_name"`
	}
	if err := decodeJSON(c.r, &body, false); err != nil {
		return err
	}
	name, tt, err := checkNameAndTaskType(body.Name, body.TaskType)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	if s.nameTaken(e.ProjectID, name, e.ID) {
		return errorf(http.StatusConflict, "Experiment with name %s already exists", name)
	}
	ne := *e
	ne.Name, ne.TaskType, ne.UpdatedAt = name, tt, s.now()
	if body.ExperimentGroupID != nil || body.ExperimentGroupName != nil {
		ne.GroupID, ne.GroupName, ne.GroupIsSystem = group(e.ProjectID, body.ExperimentGroupID, body.ExperimentGroupName, "")
	}
	if err := s.commit("put", kindExperiment, ne.ID, &ne); err != nil {
		return err
	}
	s.st.Experiments[ne.ID] = &ne
	return c.json(http.StatusOK, s.experimentJSON(&ne, false, false))
}

func (s *Server) handleDeleteExperiment(c *call) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	if err := s.commit("del", kindExperiment, e.ID, nil); err != nil {
		return err
	}
	s.st.deleteExperiment(e.ID)
	s.rerank(e.ProjectID)
	return c.noContent()
}

// experimentColumn builds one ColumnInfo of the experiments table.
func experimentColumn(id, label, category, dataType string) galileo.ColumnInfo {
	l, dt := label, dataType
	return galileo.ColumnInfo{ID: id, Label: &l, Category: category, DataType: &dt, Sortable: true, Filterable: true, ApplicableTypes: []string{}}
}

// handleExperimentColumns lists the columns of the experiments table: the
// standard ones, the legacy aggregate ones, and one metrics/<scorer id>
// column for every scorer used by any experiment of the project.
func (s *Server) handleExperimentColumns(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.project(c.param("project_id"))
	if err != nil {
		return err
	}
	cols := []galileo.ColumnInfo{
		experimentColumn("id", "ID", "standard", "uuid"),
		experimentColumn("name", "Name", "standard", "text"),
		experimentColumn("created_at", "Created", "standard", "timestamp"),
		experimentColumn("updated_at", "Updated", "standard", "timestamp"),
		experimentColumn("created_by", "Created By", "standard", "uuid"),
		experimentColumn("dataset", "Dataset", "standard", "dataset"),
		experimentColumn("prompt", "Prompt", "standard", "prompt"),
		experimentColumn("ranking_score", "Ranking Score", "standard", "floating_point"),
		experimentColumn("rank", "Rank", "standard", "rank"),
		experimentColumn("experiment_group_name", "Experiment Group", "standard", "text"),
		experimentColumn("metrics/average_cost", "Average Cost", "metric", "floating_point"),
		experimentColumn("metrics/average_latency", "Average Latency", "metric", "floating_point"),
		experimentColumn("metrics/total_responses", "Total Responses", "metric", "integer"),
		experimentColumn("metrics/total_cost", "Total Cost", "metric", "floating_point"),
	}
	seen := map[string]bool{}
	for _, e := range s.projectExperiments(p.ID) {
		for _, cfg := range e.Scorers {
			sc, ok := s.scorerFor(cfg)
			if !ok || seen[sc.ID] {
				continue
			}
			seen[sc.ID] = true
			col := experimentColumn("metrics/"+sc.ID, sc.Label, "metric", "floating_point")
			alias := scorerKey(cfg, sc, true)
			col.MetricKeyAlias = &alias
			ru := rollUp(sc)
			col.RollUpMethod = &ru
			col.ScorerID = nil
			cols = append(cols, col)
		}
	}
	return c.json(http.StatusOK, galileo.ColumnsResponse{Columns: cols})
}

func rollUp(sc scoring.Scorer) string {
	switch sc.Kind {
	case scoring.Boolean:
		return "percentage_true"
	case scoring.Categorical:
		return "category_count"
	}
	return "average"
}

// bucketedMetric is one entry of the experiment metrics answer.
type bucketedMetric struct {
	Name         string           `json:"name"`
	Buckets      map[string]int64 `json:"buckets"`
	Average      *float64         `json:"average"`
	RollUpMethod string           `json:"roll_up_method"`
	DataType     *string          `json:"data_type"`
}

// metricsFor buckets the scorer values of the traces matching body.
func (s *Server) metricsFor(exps []*experimentRec, filters []listFilter) ([]bucketedMetric, error) {
	type acc struct {
		sc     scoring.Scorer
		values []float64
	}
	var order []string
	accs := map[string]*acc{}
	for _, e := range exps {
		rs := s.st.runs[e.ID]
		for _, cfg := range e.Scorers {
			sc, ok := s.scorerFor(cfg)
			if !ok {
				continue
			}
			a := accs[sc.ID]
			if a == nil {
				a = &acc{sc: sc}
				accs[sc.ID] = a
				order = append(order, sc.ID)
			}
			for _, t := range s.st.runTraces[e.ID] {
				ok := true
				for i, f := range filters {
					m, err := s.matches(i, f, item{n: t})
					if err != nil {
						return nil, err
					}
					ok = ok && m
				}
				if !ok || rs == nil || rs.scores[t.ID] == nil {
					continue
				}
				if v := rs.scores[t.ID].vals[sc.ID]; v.status == "success" {
					a.values = append(a.values, v.value)
				}
			}
		}
	}
	out := []bucketedMetric{}
	for _, id := range order {
		a := accs[id]
		m := bucketedMetric{Name: scorerKey(galileo.ScorerConfig{}, a.sc, true), Buckets: map[string]int64{}, RollUpMethod: rollUp(a.sc)}
		if a.sc.OutputType != "" {
			ot := a.sc.OutputType
			m.DataType = &ot
		}
		agg := a.sc.Aggregate(a.values)
		m.Average = agg.Avg
		switch {
		case agg.ValueDistribution != nil:
			m.Buckets = agg.ValueDistribution
		default:
			for _, v := range a.values {
				lo := math.Floor(v*10) / 10
				if lo >= 1 {
					lo = 0.9
				}
				if lo < 0 {
					lo = 0
				}
				key := strconv.FormatFloat(lo, 'f', 1, 64) + "-" + strconv.FormatFloat(lo+0.1, 'f', 1, 64)
				m.Buckets[key]++
			}
		}
		out = append(out, m)
	}
	return out, nil
}

func (s *Server) handleExperimentMetrics(c *call) error {
	var body struct {
		Filters []listFilter `json:"filters"`
	}
	if err := decodeJSON(c.r, &body, true); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var exps []*experimentRec
	if eid := c.param("experiment_id"); eid != "" {
		e, err := s.experiment(c.param("project_id"), eid)
		if err != nil {
			return err
		}
		exps = []*experimentRec{e}
	} else {
		p, err := s.project(c.param("project_id"))
		if err != nil {
			return err
		}
		exps = s.projectExperiments(p.ID)
	}
	ms, err := s.metricsFor(exps, body.Filters)
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, map[string]any{"metrics": ms})
}

// scorerSettingsBody is the body of the scorer-settings and metric_settings routes.
type scorerSettingsBody struct {
	RunID          *string           `json:"run_id"`
	Scorers        []json.RawMessage `json:"scorers"`
	SegmentFilters []any             `json:"segment_filters"`
}

// setScorers replaces an experiment's scorers and schedules rescoring.
// Call with s.mu held for writing.
func (s *Server) setScorers(e *experimentRec, body *scorerSettingsBody) (*experimentRec, error) {
	ne := *e
	if body.Scorers != nil {
		sc, err := s.normalizeScorers(body.Scorers, "scorers")
		if err != nil {
			return nil, err
		}
		ne.Scorers = sc
	}
	if body.SegmentFilters != nil {
		ne.SegmentFilters = body.SegmentFilters
	}
	ne.UpdatedAt = s.now()
	if err := s.commit("put", kindExperiment, ne.ID, &ne); err != nil {
		return nil, err
	}
	s.st.Experiments[ne.ID] = &ne
	s.requeueAll(&ne)
	s.rerank(ne.ProjectID)
	return &ne, nil
}

func settingsJSON(e *experimentRec) map[string]any {
	seg := e.SegmentFilters
	return map[string]any{"run_id": e.ID, "scorers": e.Scorers, "segment_filters": seg}
}

func (s *Server) handleScorerSettings(c *call) error {
	write := c.r.Method != http.MethodGet
	var body scorerSettingsBody
	if write {
		if err := decodeJSON(c.r, &body, false); err != nil {
			return err
		}
		if body.RunID == nil {
			return missing("run_id")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(c.param("project_id"), c.param("run_id"))
	if err != nil {
		return err
	}
	if write {
		if e, err = s.setScorers(e, &body); err != nil {
			return err
		}
	}
	return c.json(http.StatusOK, settingsJSON(e))
}

func (s *Server) handleMetricSettings(c *call) error {
	write := c.r.Method != http.MethodGet
	var body scorerSettingsBody
	if write {
		if err := decodeJSON(c.r, &body, false); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	if write {
		if e, err = s.setScorers(e, &body); err != nil {
			return err
		}
	}
	return c.json(http.StatusOK, map[string]any{"scorers": e.Scorers, "segment_filters": e.SegmentFilters})
}

// Tags.

func (s *Server) decodeTag(c *call) (galileo.RunTagCreateRequest, error) {
	var body struct {
		Key     *string `json:"key"`
		Value   *string `json:"value"`
		TagType *string `json:"tag_type"`
	}
	if err := decodeJSON(c.r, &body, false); err != nil {
		return galileo.RunTagCreateRequest{}, err
	}
	switch {
	case body.Key == nil:
		return galileo.RunTagCreateRequest{}, missing("key")
	case body.Value == nil:
		return galileo.RunTagCreateRequest{}, missing("value")
	case body.TagType == nil:
		return galileo.RunTagCreateRequest{}, missing("tag_type")
	}
	return galileo.RunTagCreateRequest{Key: *body.Key, Value: *body.Value, TagType: *body.TagType}, nil
}

func (s *Server) putTags(e *experimentRec, tags []galileo.RunTag) error {
	ne := *e
	ne.Tags = tags
	ne.UpdatedAt = s.now()
	if err := s.commit("put", kindExperiment, ne.ID, &ne); err != nil {
		return err
	}
	s.st.Experiments[ne.ID] = &ne
	return nil
}

func (s *Server) handleCreateTag(c *call) error {
	req, err := s.decodeTag(c)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	now := s.now()
	tag := galileo.RunTag{ID: s.newID(), Key: req.Key, Value: req.Value, TagType: req.TagType, ProjectID: e.ProjectID, RunID: e.ID,
		CreatedBy: userID, CreatedAt: now, UpdatedAt: now}
	if err := s.putTags(e, append(slices.Clone(e.Tags), tag)); err != nil {
		return err
	}
	return c.json(http.StatusOK, tag)
}

func (s *Server) handleListTags(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	out := append([]galileo.RunTag{}, e.Tags...)
	return c.json(http.StatusOK, out)
}

func findTag(e *experimentRec, id string) (int, error) {
	for i, t := range e.Tags {
		if t.ID == id {
			return i, nil
		}
	}
	return -1, notFound("Tag", id)
}

func (s *Server) handleGetTag(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	i, err := findTag(e, c.param("tag_id"))
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, e.Tags[i])
}

func (s *Server) handleUpdateTag(c *call) error {
	req, err := s.decodeTag(c)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	i, err := findTag(e, c.param("tag_id"))
	if err != nil {
		return err
	}
	tags := slices.Clone(e.Tags)
	tags[i].Key, tags[i].Value, tags[i].TagType, tags[i].UpdatedAt = req.Key, req.Value, req.TagType, s.now()
	if err := s.putTags(e, tags); err != nil {
		return err
	}
	return c.json(http.StatusOK, tags[i])
}

func (s *Server) handleDeleteTag(c *call) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	i, err := findTag(e, c.param("tag_id"))
	if err != nil {
		return err
	}
	tags := slices.Delete(slices.Clone(e.Tags), i, i+1)
	if err := s.putTags(e, tags); err != nil {
		return err
	}
	return c.json(http.StatusOK, map[string]string{"message": "Tag deleted"})
}
