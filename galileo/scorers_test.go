package galileo

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// scorerCatalogue is a small catalogue: labels differ from names.
var (
	idCorrectness  = "aed89cbc-5515-43c3-87ae-39c3c44c043e"
	idCompleteness = "5b6e9a0c-0d8a-4f0e-9f1a-6b1d6a5b2c11"
	idBLEU         = "7c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"
	idAdherence    = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"
)

func scorerCatalogue() []Scorer {
	return []Scorer{
		fxScorer(idCorrectness, "correctness", "Correctness"),
		fxScorer(idCompleteness, "completeness", "Completeness"),
		fxScorer(idBLEU, "bleu", ""),
		fxScorer(idAdherence, "context_adherence", "Context Adherence"),
	}
}

// serveScorers answers /scorers/list like the server: id filters match ids;
// label filters match label or name case-insensitively (strict false).
// Pages hold pageSize scorers.
func serveScorers(t *testing.T, f *fakeAPI, all []Scorer, pageSize int, bodies *[]ListParams) {
	f.handle("POST /scorers/list", func(w http.ResponseWriter, r *http.Request) {
		body := decodeBody[ListParams](t, r)
		if bodies != nil {
			*bodies = append(*bodies, body)
		}
		var match []Scorer
		for _, s := range all {
			ok := true
			for _, flt := range body.Filters {
				var vals []string
				switch v := flt.Value.(type) {
				case string:
					vals = []string{v}
				case []any:
					for _, x := range v {
						vals = append(vals, x.(string))
					}
				}
				hit := false
				for _, v := range vals {
					switch flt.Name {
					case "id":
						hit = hit || s.ID == v
					case "label":
						hit = hit || strings.EqualFold(s.ScorerLabel(), v) || strings.EqualFold(s.Name, v)
					}
				}
				ok = ok && hit
			}
			if ok {
				match = append(match, s)
			}
		}
		start, _ := strconv.Atoi(r.URL.Query().Get("starting_token"))
		end := min(start+pageSize, len(match))
		page := ListScorersResponse{Page: Page{StartingToken: start, Limit: pageSize}, Scorers: append([]Scorer{}, match[min(start, end):end]...)}
		if end < len(match) {
			page.NextStartingToken = ptr(end)
		}
		serveJSON(w, 200, page)
	})
}

func TestScorersService_List(t *testing.T) {
	f := newFakeAPI(t)
	serveScorers(t, f, scorerCatalogue(), 3, nil)
	got, err := Collect(f.client().Scorers.List(t.Context(), nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[3].Name != "context_adherence" {
		t.Errorf("got %d scorers, want all 4 across two pages", len(got))
	}
	if n := f.count("POST /scorers/list"); n != 2 {
		t.Errorf("%d pages asked, want 2", n)
	}
}

func TestScorersService_Resolve(t *testing.T) {
	tests := []struct {
		name    string
		metrics []string
		want    []string // scorer ids
	}{
		{"label", []string{"Correctness"}, []string{idCorrectness}},
		{"name when no label matches", []string{"correctness"}, []string{idCorrectness}},
		{"name of a scorer without label", []string{"bleu"}, []string{idBLEU}},
		{"uuid", []string{idBLEU}, []string{idBLEU}},
		{"mixed, in order, deduplicated", []string{"completeness", idCorrectness, "Context Adherence", "completeness"},
			[]string{idCompleteness, idCorrectness, idAdherence}},
		{"none", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			serveScorers(t, f, scorerCatalogue(), 100, nil)
			got, err := f.client().Scorers.Resolve(t.Context(), tc.metrics)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, s := range got {
				ids = append(ids, s.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("resolved %v, want %v", ids, tc.want)
			}
		})
	}
}

func TestScorersService_Resolve_filters(t *testing.T) {
	f := newFakeAPI(t)
	var bodies []ListParams
	serveScorers(t, f, scorerCatalogue(), 100, &bodies)
	if _, err := f.client().Scorers.Resolve(t.Context(), []string{idBLEU, "Correctness", "completeness"}); err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 2 {
		t.Fatalf("%d list calls, want 2 (ids, then labels)", len(bodies))
	}
	id := bodies[0].Filters[0]
	if id.Name != "id" || id.Operator != "eq" || id.Value != idBLEU {
		t.Errorf("id filter %+v: want id eq %s", id, idBLEU)
	}
	lab := bodies[1].Filters[0]
	if lab.Name != "label" || lab.Operator != "one_of" || lab.CaseSensitive == nil || *lab.CaseSensitive || lab.Strict == nil || *lab.Strict {
		t.Errorf("label filter %+v: want label one_of, case_sensitive false, strict false", lab)
	}
	if vals, _ := lab.Value.([]any); len(vals) != 2 {
		t.Errorf("label values %v: want the two names", lab.Value)
	}
}

func TestScorersService_Resolve_unknown(t *testing.T) {
	tests := []struct {
		name      string
		metrics   []string
		unknown   []string
		wantInMsg []string
	}{
		{"typo", []string{"corectness"}, []string{"corectness"},
			[]string{`unknown metric "corectness" (did you mean "correctness"?)`, "available: bleu, Completeness (completeness), Context Adherence (context_adherence), Correctness (correctness)"}},
		{"hyphens for underscores", []string{"context-adherence"}, []string{"context-adherence"},
			[]string{`did you mean "context_adherence"?`}},
		{"prefix", []string{"Complete"}, []string{"Complete"}, []string{`did you mean "Completeness"?`}},
		{"several, with one known", []string{"Correctness", "blue", "zzz-nothing-close"}, []string{"blue", "zzz-nothing-close"},
			[]string{`unknown metrics "blue" (did you mean "bleu"?), "zzz-nothing-close";`}},
		{"unknown uuid", []string{"00000000-0000-4000-8000-000000000000"}, []string{"00000000-0000-4000-8000-000000000000"},
			[]string{"(no scorer has this id)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			serveScorers(t, f, scorerCatalogue(), 100, nil)
			_, err := f.client().Scorers.Resolve(t.Context(), tc.metrics)
			var ue *UnknownMetricError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v: want an *UnknownMetricError", err)
			}
			if !slices.Equal(ue.Unknown, tc.unknown) {
				t.Errorf("Unknown = %q, want %q", ue.Unknown, tc.unknown)
			}
			for _, s := range tc.wantInMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error\n%s\ndoes not contain\n%s", err, s)
				}
			}
		})
	}
}

func TestScorersService_Resolve_emptyName(t *testing.T) {
	f := newFakeAPI(t)
	_, err := f.client().Scorers.Resolve(t.Context(), []string{"Correctness", " "})
	if err == nil || !strings.Contains(err.Error(), "metric 1 is empty") {
		t.Errorf("error %v: want one naming the empty metric", err)
	}
	if n := len(f.calls()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

func TestScorersService_Resolve_listError(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("POST /scorers/list", unprocessable)
	_, err := f.client().Scorers.Resolve(t.Context(), []string{"Correctness"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 422 {
		t.Errorf("error %v: want the 422 APIError", err)
	}
}

func TestCloseMatches(t *testing.T) {
	cands := []string{"Correctness", "correctness", "Completeness", "completeness", "bleu", "rouge", "Tool Error Rate", "tool_error_rate"}
	tests := []struct {
		in   string
		want []string
	}{
		{"corectness", []string{"correctness"}},
		{"Corectness", []string{"Correctness"}},
		{"ROUGE", []string{"rouge"}},
		{"tool-error-rate", []string{"tool_error_rate"}},
		{"Tool error rate", []string{"Tool Error Rate"}},
		{"blu", []string{"bleu"}},
		{"complete", []string{"completeness"}},
		{"latency", nil},
		{"x", nil},
	}
	for _, tc := range tests {
		if got := closeMatches(tc.in, cands); !slices.Equal(got, tc.want) {
			t.Errorf("closeMatches(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestIsUUID(t *testing.T) {
	for s, want := range map[string]bool{
		idCorrectness:                          true,
		strings.ToUpper(idCorrectness):         true,
		"correctness":                          false,
		"aed89cbc5515-43c3-87ae-39c3c44c043e0": false,
		"aed89cbc-5515-43c3-87ae-39c3c44c043g": false,
	} {
		if got := IsID(s); got != want {
			t.Errorf("IsID(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestScorersService_RunSettings(t *testing.T) {
	f := newFakeAPI(t)
	pid, rid := newID(), newID()
	sc := fxScorer(idCorrectness, "correctness", "Correctness")
	f.handle("POST /projects/{project_id}/runs/{run_id}/scorer-settings", func(w http.ResponseWriter, r *http.Request) {
		body := decodeBody[RunScorerSettingsRequest](t, r)
		if body.RunID != rid || len(body.Scorers) != 1 || body.Scorers[0].ID != idCorrectness || body.Scorers[0].ScorerType != "preset" {
			t.Errorf("body %+v: want run %s with the correctness scorer", body, rid)
		}
		serveJSON(w, 200, RunScorerSettingsResponse{RunID: rid, Scorers: body.Scorers, SegmentFilters: []any{}})
	})
	f.json("GET /projects/{project_id}/runs/{run_id}/scorer-settings", 200,
		RunScorerSettingsResponse{RunID: rid, Scorers: []ScorerConfig{sc.Config()}, SegmentFilters: []any{}})
	c := f.client()
	set, err := c.Scorers.SetRunSettings(t.Context(), pid, rid, []ScorerConfig{sc.Config()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Scorers.GetRunSettings(t.Context(), pid, rid)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Scorers) != 1 || len(got.Scorers) != 1 || *got.Scorers[0].Name != "correctness" {
		t.Errorf("settings set %+v, read %+v: want the correctness scorer", set, got)
	}
	if _, err := c.Scorers.GetRunSettings(t.Context(), pid, ""); err == nil {
		t.Error("an empty run id was accepted")
	}
}

// A long catalogue is not listed in full: the text names the eight
// scorers closest to the unknown metric and counts the rest, while
// Available keeps them all.
func TestUnknownMetricError_longCatalogue(t *testing.T) {
	all := scorerCatalogue()
	for i := range 20 {
		name := fmt.Sprintf("zz_filler_%02d", i)
		all = append(all, fxScorer(fmt.Sprintf("00000000-0000-4000-8000-0000000000%02d", i), name, ""))
	}
	e := newUnknownMetricError([]string{"corectness"}, all)
	if len(e.Available) != 24 {
		t.Fatalf("Available has %d entries, want all 24", len(e.Available))
	}
	msg := e.Error()
	want := `galileo: unknown metric "corectness" (did you mean "correctness"?); closest available: Correctness (correctness), Completeness (completeness), `
	if !strings.HasPrefix(msg, want) {
		t.Errorf("error\n%s\ndoes not start with\n%s", msg, want)
	}
	if !strings.HasSuffix(msg, " and 16 more (the Galileo console lists every scorer)") {
		t.Errorf("error\n%s\ndoes not end by counting the 16 scorers left out", msg)
	}
	if n := strings.Count(msg, ", ") + 1; n != 8 {
		t.Errorf("error names %d scorers, want 8:\n%s", n, msg)
	}

	// Only ids unknown: no distance to rank by, so the first eight.
	e = newUnknownMetricError([]string{"00000000-0000-4000-8000-999999999999"}, all)
	want = `galileo: unknown metric "00000000-0000-4000-8000-999999999999" (no scorer has this id); available: bleu, Completeness (completeness), Context Adherence (context_adherence), Correctness (correctness), zz_filler_00, `
	if msg := e.Error(); !strings.HasPrefix(msg, want) || !strings.HasSuffix(msg, "and 16 more (the Galileo console lists every scorer)") {
		t.Errorf("error\n%s\nwant prefix\n%s", msg, want)
	}
}

// pythonScorerConfigFields are the ScorerConfig fields the official Python
// SDK sends for a scorer record: create_metric_configs in
// src/galileo/utils/metrics.py (rungalileo/galileo-python) sends
// ScorerConfig.from_dict(scorer.to_dict()) for each ScorerResponse, so of
// the ScorerConfig fields it carries exactly those the record has at its
// top level (the record's defaults stay nested in it; Python echoes such
// extra fields as additional properties, which this client leaves out).
// With Metric(name, version=N) it adds scorer_version, the
// BaseScorerVersionResponse of GET /scorers/{id}/version?version=N.
func pythonScorerConfigFields(record map[string]any, pinned bool) []string {
	configFields := []string{"id", "name", "scorer_type", "model_name", "num_judges", "filters",
		"scoreable_node_types", "cot_enabled", "output_type", "input_type", "model_type",
		"scorer_version", "multimodal_capabilities", "roll_up_method", "score_type"}
	var out []string
	for _, k := range configFields {
		if v, ok := record[k]; ok && v != nil {
			out = append(out, k)
		}
	}
	if pinned && !slices.Contains(out, "scorer_version") {
		out = append(out, "scorer_version")
	}
	slices.Sort(out)
	return out
}

// The scorer-settings body carries, for each scorer, the fields the
// Python SDK sends (see pythonScorerConfigFields): no model_name or
// num_judges lifted from the scorer's defaults, and scorer_version only
// when a version is pinned.
func TestScorerSettings_bodyMatchesPython(t *testing.T) {
	f := newFakeAPI(t)
	pid, rid, vid := newID(), newID(), newID()
	sc := fxScorer(idCorrectness, "correctness", "Correctness")
	sc.ModelType, sc.OutputType, sc.InputType = ptr("llm"), ptr("boolean"), ptr("llm_spans")
	sc.RollUpMethod, sc.ScoreableNodeTypes, sc.MultimodalCapabilities = ptr("percentage_true"), []string{"llm"}, []string{"vision"}
	sc.Defaults = &ScorerDefaults{ModelName: ptr("GPT-4o mini"), NumJudges: ptr(7), CotEnabled: ptr(false)}
	record := map[string]any{}
	if b, err := json.Marshal(sc); err != nil || json.Unmarshal(b, &record) != nil {
		t.Fatalf("encoding the scorer record: %v", err)
	}
	var versionQuery string
	f.handle("GET /scorers/{scorer_id}/version", func(w http.ResponseWriter, r *http.Request) {
		versionQuery = r.URL.RawQuery
		serveJSON(w, 200, map[string]any{"id": vid, "version": 2, "scorer_id": r.PathValue("scorer_id"),
			"model_name": "GPT-4o", "num_judges": 3, "created_at": fxTime, "updated_at": fxTime})
	})
	var bodies []map[string]any
	f.handle("POST /projects/{project_id}/runs/{run_id}/scorer-settings", func(w http.ResponseWriter, r *http.Request) {
		b := readAll(r)
		var body map[string]any
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("bad body %s", b)
		}
		bodies = append(bodies, body)
		var req RunScorerSettingsRequest
		_ = json.Unmarshal(b, &req)
		serveJSON(w, 200, RunScorerSettingsResponse{RunID: rid, Scorers: req.Scorers, SegmentFilters: []any{}})
	})
	c := f.client()
	v, err := c.Scorers.Version(t.Context(), sc.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if versionQuery != "version=2" || v.ID != vid || v.Version != 2 || v.ScorerID != sc.ID {
		t.Fatalf("Version = %+v (query %q): want version 2 of the scorer", v, versionQuery)
	}
	for _, pinned := range []bool{false, true} {
		cfg := sc.Config()
		if pinned {
			cfg = sc.ConfigVersion(v)
		}
		if _, err := c.Scorers.SetRunSettings(t.Context(), pid, rid, []ScorerConfig{cfg}); err != nil {
			t.Fatal(err)
		}
		got := bodies[len(bodies)-1]["scorers"].([]any)[0].(map[string]any)
		keys := slices.Sorted(maps.Keys(got))
		if want := pythonScorerConfigFields(record, pinned); !slices.Equal(keys, want) {
			t.Errorf("pinned %v: scorer config fields %v, want the Python SDK's %v", pinned, keys, want)
		}
		for k, want := range map[string]any{"id": sc.ID, "name": "correctness", "scorer_type": "preset", "model_type": "llm",
			"output_type": "boolean", "input_type": "llm_spans", "roll_up_method": "percentage_true"} {
			if got[k] != want {
				t.Errorf("pinned %v: %s = %v, want %v as in the scorer record", pinned, k, got[k], want)
			}
		}
		if pinned {
			sv, _ := got["scorer_version"].(map[string]any)
			if sv["id"] != vid || sv["version"] != float64(2) || sv["scorer_id"] != sc.ID || sv["model_name"] != "GPT-4o" {
				t.Errorf("scorer_version = %v: want version 2 as served", got["scorer_version"])
			}
		}
	}
	if _, err := c.Scorers.Version(t.Context(), "", 1); err == nil {
		t.Error("an empty scorer id was accepted")
	}
	if _, err := c.Scorers.Version(t.Context(), sc.ID, -1); err == nil {
		t.Error("a negative version was accepted")
	}
}
