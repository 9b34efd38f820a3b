package emulator

import (
	"fmt"
	"maps"
	"net/http"

	"github.com/galileo-community/galileo-go/galileo"
)

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
	pub := s.publishedAggregates(e, rs)
	if len(pub.structured) > 0 && !s.opts.DisableStructuredAggregates {
		out.StructuredAggregateMetrics = pub.structured
		if len(pub.tokens) > 0 {
			out.StructuredAggregateMetrics = make(map[string]galileo.MetricAggregates, len(pub.structured)+len(pub.tokens))
			maps.Copy(out.StructuredAggregateMetrics, pub.structured)
			maps.Copy(out.StructuredAggregateMetrics, pub.tokens)
		}
	}
	for k, v := range pub.legacy {
		out.AggregateMetrics[k] = v
	}
	if r := s.rankOf(e); r != nil && r.Rank > 0 {
		score, rank, win := r.Score, r.Rank, r.Winner
		out.RankingScore, out.Rank, out.Winner = &score, &rank, &win
	}
	return out
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
		return s.experimentJSON(e, body.IncludeCounts, c.hide)
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
	if err := s.checkExperimentName(s.st.Projects[e.ProjectID], name, e.ID); err != nil {
		return err
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
