package emulator

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/emulator/scoring"
	"github.com/galileo-community/galileo-go/galileo"
)

func TestScorers_List(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	names := func(body map[string]any) []string {
		t.Helper()
		var out struct {
			Scorers []struct {
				Name string `json:"name"`
			} `json:"scorers"`
			Next *int `json:"next_starting_token"`
		}
		a.ok(http.StatusOK, "POST", "/scorers/list?starting_token=0&limit=100", body).decode(t, &out)
		if out.Next != nil && len(out.Scorers) < 100 {
			t.Errorf("next_starting_token = %d on a short page, want null", *out.Next)
		}
		var n []string
		for _, sc := range out.Scorers {
			n = append(n, sc.Name)
		}
		return n
	}
	f := func(m map[string]any) map[string]any { return map[string]any{"filters": []map[string]any{m}} }
	cases := []struct {
		name string
		body map[string]any
		want string
	}{
		{"label exact", f(map[string]any{"name": "label", "operator": "eq", "value": "Correctness"}), "correctness"},
		{"label is case-sensitive by default", f(map[string]any{"name": "label", "operator": "eq", "value": "CORRECTNESS"}), ""},
		{"label case-insensitive", f(map[string]any{"name": "label", "operator": "eq", "value": "CORRECTNESS", "case_sensitive": false}), "correctness"},
		{"strict label does not match names", f(map[string]any{"name": "label", "operator": "eq", "value": "correctness", "strict": true}), ""},
		{"non-strict label also matches names", f(map[string]any{"name": "label", "operator": "eq", "value": "agentic_workflow_success", "strict": false}), "agentic_workflow_success"},
		{"name one_of", f(map[string]any{"name": "name", "operator": "one_of", "value": []string{"bleu", "rouge"}}), "bleu,rouge"},
		{"name is case-insensitive by default", f(map[string]any{"name": "name", "operator": "eq", "value": "BLEU"}), "bleu"},
		{"id", f(map[string]any{"name": "id", "operator": "eq", "value": correctnessID(t)}), "correctness"},
	}
	for _, tc := range cases {
		if got := strings.Join(names(tc.body), ","); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	if n := len(names(map[string]any{})); n != len(scoring.Builtins()) {
		t.Errorf("unfiltered list has %d scorers, want the %d built-ins", n, len(scoring.Builtins()))
	}
	var page struct {
		Next *int `json:"next_starting_token"`
	}
	a.ok(http.StatusOK, "POST", "/scorers/list?starting_token=0&limit=2", map[string]any{}).decode(t, &page)
	if page.Next == nil || *page.Next != 2 {
		t.Errorf("paged list next_starting_token = %v, want 2", page.Next)
	}
	sc := a.ok(http.StatusOK, "GET", "/scorers/"+correctnessID(t), nil).json(t)
	if sc["label"] != "Correctness" || sc["scorer_type"] != "preset" {
		t.Errorf("GET scorer = %v", sc)
	}
	if corr, _ := scoring.Lookup(scoring.Builtins(), "correctness"); corr.Alias == "" || sc["metric_name"] != corr.Alias {
		t.Errorf("GET scorer metric_name = %v, want the alias %q its values are keyed by", sc["metric_name"], corr.Alias)
	}
	v := a.ok(http.StatusOK, "GET", "/scorers/"+correctnessID(t)+"/version?version=1", nil).json(t)
	if v["scorer_id"] != correctnessID(t) || v["version"] != 1.0 {
		t.Errorf("scorer version = %v", v)
	}
}

func TestScorers_RegisteredCodeScorer(t *testing.T) {
	s := newTestServer(t)
	sc := scoring.CodeScorer("has_digit", scoring.Boolean, func(in scoring.Input) (float64, bool, error) {
		if strings.ContainsAny(in.Output, "0123456789") {
			return 1, true, nil
		}
		return 0, true, nil
	})
	if err := s.RegisterScorer(sc); err != nil {
		t.Fatal(err)
	}
	if err := s.RegisterScorer(sc); err == nil {
		t.Error("registering the same scorer twice succeeded")
	}
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f := seed(t, s, qaRows)
	e, err := c.Experiments.New(galileo.ExperimentSpec{Name: "code", ProjectID: f.pid, DatasetID: f.did,
		PromptTemplateID: s.Dump().Templates[0].ID, Model: ModelGroundTruth, Metrics: []string{"has_digit"}}).Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	if err := e.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	agg := e.MetricAggregates()[sc.ID]
	if agg.Count == nil || *agg.Count != 4 || agg.ValueDistribution["1"] != 1 || agg.ValueDistribution["0"] != 3 {
		t.Errorf("has_digit aggregates = %+v, want 1 of 4 rows with a digit", agg)
	}
	if e.AggregateMetrics()["average_has_digit"] != 0.25 {
		t.Errorf("aggregate_metrics = %v, want average_has_digit 0.25", e.AggregateMetrics())
	}
}
