package emulator

import (
	"math"
	"net/http"
	"strconv"

	"github.com/galileo-community/galileo-go/emulator/scoring"
	"github.com/galileo-community/galileo-go/galileo"
)

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
				if !ok || rs == nil || t.score == nil {
					continue
				}
				if v := t.score.vals[sc.ID]; v.status == "success" {
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
