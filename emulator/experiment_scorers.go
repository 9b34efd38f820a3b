package emulator

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/galileo-community/galileo-go/galileo"
)

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
		l := s.st.LogStreams[c.param("run_id")]
		if l == nil || l.ProjectID != c.param("project_id") {
			return err
		}
		if write {
			if l, err = s.setLogStreamScorers(l, &body); err != nil {
				return err
			}
		}
		return c.json(http.StatusOK, map[string]any{"run_id": l.ID, "scorers": nonNil(l.Scorers), "segment_filters": l.SegmentFilters})
	}
	if write {
		if e, err = s.setScorers(e, &body); err != nil {
			return err
		}
	}
	return c.json(http.StatusOK, settingsJSON(e))
}

// setLogStreamScorers replaces a log stream's scorer settings (the run_id
// of scorer-settings may name a log stream). Nothing rescores its records.
// Call with s.mu held for writing.
func (s *Server) setLogStreamScorers(l *logStreamRec, body *scorerSettingsBody) (*logStreamRec, error) {
	nl := *l
	if body.Scorers != nil {
		sc, err := s.normalizeScorers(body.Scorers, "scorers")
		if err != nil {
			return nil, err
		}
		nl.Scorers = sc
	}
	if body.SegmentFilters != nil {
		nl.SegmentFilters = body.SegmentFilters
	}
	if err := s.commit("put", kindLogStream, nl.ID, &nl); err != nil {
		return nil, err
	}
	s.st.putLogStream(&nl)
	return &nl, nil
}

// nonNil is list, or an empty list for nil (a JSON array, not null).
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
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
