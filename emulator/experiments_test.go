package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/galileo-community/galileo-go/emulator/scoring"
	"github.com/galileo-community/galileo-go/galileo"
)

// fixture is a project with a dataset and a template, made without HTTP.
type fixture struct {
	pid, did, tvid string
}

func seed(t testing.TB, s *Server, rows []map[string]any, messages ...galileo.Message) fixture {
	t.Helper()
	p, err := s.CreateProject("proj")
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.CreateDataset(p.ID, "data", rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(messages) == 0 {
		messages = []galileo.Message{{Role: "user", Content: "{{input}}"}}
	}
	tm, err := s.CreatePromptTemplate(p.ID, "tmpl", messages, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{pid: p.ID, did: d.ID, tvid: tm.SelectedVersionID}
}

func waitIdle(t testing.TB, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatalf("background work did not finish: %v", err)
	}
}

func correctnessID(t testing.TB) string {
	sc, ok := scoring.Lookup(scoring.Builtins(), "correctness")
	if !ok {
		t.Fatal("no correctness scorer in the catalogue")
	}
	return sc.ID
}

func TestExperiments_CreateValidation(t *testing.T) {
	s := newTestServer(t, Options{DuplicateNames: DuplicateNamesReject})
	a := newAPI(t, s)
	f := seed(t, s, qaRows)
	missingID := "8b0d7c1e-1a51-4d0c-9a53-2f5ad6f9b0a1"
	path := "/projects/" + f.pid + "/experiments"
	a.ok(http.StatusOK, "POST", path, map[string]any{"name": "taken", "task_type": 16})
	cases := []struct {
		name   string
		body   map[string]any
		status int
		want   string
	}{
		{"duplicate name", map[string]any{"name": "taken"}, 409, "Experiment with name taken already exists"},
		{"unknown dataset", map[string]any{"name": "x", "dataset": map[string]any{"dataset_id": missingID, "version_index": 0}}, 404, "Dataset " + missingID + " not found"},
		{"unknown dataset version", map[string]any{"name": "x", "dataset": map[string]any{"dataset_id": f.did, "version_index": 7}}, 404, "Version 7"},
		{"unknown template version", map[string]any{"name": "x", "prompt_template_version_id": missingID}, 404, "not found"},
		{"unknown scorer", map[string]any{"name": "x", "scorers": []map[string]any{{"id": missingID, "scorer_type": "preset"}}}, 404, "Scorer " + missingID + " not found"},
		{"trigger a template without dataset", map[string]any{"name": "x", "trigger": true, "prompt_template_version_id": f.tvid}, 422, `"loc":["body","dataset"]`},
		{"trigger without template nor generated_output", map[string]any{"name": "x", "trigger": true,
			"dataset": map[string]any{"dataset_id": f.did, "version_index": 0}}, 422, `"error_code":3512`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do("POST", path, tc.body, invalidRequestHeader, "1")
			if r.status != tc.status || !strings.Contains(string(r.body), tc.want) {
				t.Errorf("status %d body %s, want %d with %q", r.status, r.body, tc.status, tc.want)
			}
		})
	}
	if n := len(s.Experiments(f.pid)); n != 1 {
		t.Errorf("%d experiments stored, want only the first one", n)
	}
}

// trigger: true with neither a dataset nor a template, as the Python SDK's
// create() sends for Experiment(name=..., project_name=...).create(),
// creates the experiment with nothing to run.
func TestExperiments_TriggerWithNothingToRun(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	f := seed(t, s, qaRows)
	r := a.ok(http.StatusOK, "POST", "/projects/"+f.pid+"/experiments", map[string]any{"name": "bare", "task_type": 16, "trigger": true})
	var got galileo.ExperimentResponse
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Name != "bare" || got.Dataset != nil {
		t.Errorf("created %+v: want experiment bare without dataset", got)
	}
	s.mu.Lock()
	e := s.st.Experiments[got.ID]
	s.mu.Unlock()
	if e == nil || e.Run != nil {
		t.Errorf("stored %+v: want the experiment, without a run", e)
	}
}

func TestExperiments_GeneratedOutputFlow(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	f := seed(t, s, []map[string]any{
		{"input": "2+2?", "output": "4", "generated_output": "4"},
		{"input": "capital of France?", "output": "Paris", "generated_output": "Lyon"},
	})
	body := map[string]any{"name": "gen", "trigger": true, "dataset": map[string]any{"dataset_id": f.did, "version_index": 0},
		"scorers": []map[string]any{{"id": correctnessID(t), "name": "correctness", "scorer_type": "preset"}}}
	e := a.ok(http.StatusOK, "POST", "/projects/"+f.pid+"/experiments", body).json(t)
	waitIdle(t, s)
	got, _ := s.Experiment(e["id"].(string))
	agg := got.StructuredAggregateMetrics[correctnessID(t)]
	if agg.Count == nil || *agg.Count != 2 || *agg.Avg != 0.5 {
		t.Errorf("correctness = %+v, want 2 rows averaging 0.5", agg)
	}
	if tok, ok := got.StructuredAggregateMetrics["num_input_tokens"]; ok {
		t.Errorf("num_input_tokens = %+v, want no token aggregates for a run without LLM spans", tok)
	}
	var outs []string
	for _, r := range s.Traces(e["id"].(string)) {
		outs = append(outs, r.Output.(string))
	}
	if strings.Join(outs, ",") != "4,Lyon" {
		t.Errorf("trace outputs = %v, want the generated_output column", outs)
	}
}

func TestRender(t *testing.T) {
	row := map[string]any{"input": `{"question": "Why?", "ctx": {"lang": "en"}}`, "output": "Because",
		"metadata": map[string]any{"user": "ann"}, "extra": 3.0}
	cases := []struct{ tmpl, want string }{
		{"{{input}}", `{"question": "Why?", "ctx": {"lang": "en"}}`},
		{"Q: {{ input.question }}", "Q: Why?"},
		{"{{input.ctx.lang}}", "en"},
		{"{{question}}", "Why?"},
		{"{{ output }}|{{extra}}", "Because|3"},
		{"{{metadata.user}} {{user}}", "ann ann"},
		{"[{{unknown}}]", "[]"},
		{"no variables", "no variables"},
	}
	for _, tc := range cases {
		if got := render(tc.tmpl, row); got != tc.want {
			t.Errorf("render(%q) = %q, want %q", tc.tmpl, got, tc.want)
		}
	}
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func TestExperiments_PromptRunModels(t *testing.T) {
	var logs syncBuffer
	s := newTestServer(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	a := newAPI(t, s)
	f := seed(t, s, []map[string]any{{"input": `{"question":"hi"}`, "output": "HELLO"}, {"input": `{"question":"yo"}`, "output": "YO"}},
		galileo.Message{Role: "system", Content: "Be brief."}, galileo.Message{Role: "user", Content: "Say {{ input.question }}"})
	var calls []string
	var mu sync.Mutex
	err := s.RegisterModel("shout", func(_ context.Context, m []galileo.Message, set galileo.PromptRunSettings) (ModelOutput, error) {
		mu.Lock()
		calls = append(calls, m[len(m)-1].Content)
		mu.Unlock()
		return ModelOutput{Text: strings.ToUpper(strings.TrimPrefix(m[len(m)-1].Content, "Say ")), InputTokens: 7}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	run := func(name, model string) []Record {
		t.Helper()
		set := galileo.DefaultPromptSettings()
		set.ModelAlias = model
		body := map[string]any{"name": name, "trigger": true, "dataset": map[string]any{"dataset_id": f.did, "version_index": 0},
			"prompt_template_version_id": f.tvid, "prompt_settings": set}
		id := a.ok(http.StatusOK, "POST", "/projects/"+f.pid+"/experiments", body).json(t)["id"].(string)
		waitIdle(t, s)
		return s.Traces(id)
	}
	outputs := func(rs []Record) string {
		var o []string
		for _, r := range rs {
			o = append(o, fmt.Sprint(r.Output))
		}
		return strings.Join(o, ",")
	}
	if got := outputs(run("echo", "echo")); got != "Say hi,Say yo" {
		t.Errorf("echo outputs = %q", got)
	}
	if got := outputs(run("upper", "upper")); got != "SAY HI,SAY YO" {
		t.Errorf("upper outputs = %q", got)
	}
	if got := outputs(run("gt", "ground-truth")); got != "HELLO,YO" {
		t.Errorf("ground-truth outputs = %q", got)
	}
	traces := run("custom", "Shout")
	if got := outputs(traces); got != "HI,YO" || len(calls) != 2 {
		t.Errorf("registered model outputs = %q after %d calls", got, len(calls))
	}
	llm := traces[0].Spans[0]
	if llm.Type != "llm" || *llm.Model != "Shout" || llm.Metrics["num_input_tokens"] != 7.0 && llm.Metrics["num_input_tokens"] != int64(7) {
		t.Errorf("llm span = %+v, want model Shout with the model's token count", llm)
	}
	wantDur := int64(BaseLatency) + scoring.CountTokens("HI")*int64(PerTokenLatency)
	if d, _ := toFloat(traces[0].Metrics["duration_ns"]); int64(d) != wantDur {
		t.Errorf("duration_ns = %v, want %d from the latency model", traces[0].Metrics["duration_ns"], wantDur)
	}
	failed := run("failing", "error")
	if failed[0].StatusCode == nil || *failed[0].StatusCode != 500 {
		t.Errorf("error model trace = %+v, want status 500", failed[0].Record)
	}
	run("fallback-1", "GPT-4o")
	if got := outputs(run("fallback-2", "gpt-4o")); got != "Say hi,Say yo" {
		t.Errorf("unknown model outputs = %q, want the echo fallback", got)
	}
	if n := strings.Count(logs.String(), `model \"GPT-4o\" is not an emulator model`); n != 1 {
		t.Errorf("fallback notice logged %d times, want once:\n%s", n, logs.String())
	}
}

// handlerClient calls a handler in memory (no network), for synctest bubbles.
type handlerClient struct {
	t testing.TB
	h http.Handler
}

func (c handlerClient) do(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(b))
	req.Header.Set("Galileo-API-Key", DefaultAPIKey)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	var m map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return rec.Code, m
}

// tokenAggregates reads the token aggregates of an experiment as a client
// sees them: {key: [count, sum, avg]}.
func tokenAggregates(t *testing.T, a *apiClient, pid, eid string) (map[string][3]float64, map[string]any) {
	t.Helper()
	e := a.ok(http.StatusOK, "GET", "/projects/"+pid+"/experiments/"+eid, nil).json(t)
	sam, _ := e["structured_aggregate_metrics"].(map[string]any)
	out := map[string][3]float64{}
	for _, k := range []string{"num_input_tokens", "num_output_tokens", "num_total_tokens"} {
		if agg, ok := sam[k].(map[string]any); ok {
			c, _ := agg["count"].(float64)
			sum, _ := agg["sum"].(float64)
			avg, _ := agg["avg"].(float64)
			out[k] = [3]float64{c, sum, avg}
		}
	}
	return out, e
}

func TestExperiments_TokenAggregates(t *testing.T) {
	t.Run("prompt run", func(t *testing.T) {
		s := newTestServer(t)
		a := newAPI(t, s)
		f := seed(t, s, qaRows[:2])
		err := s.RegisterModel("fixed", func(context.Context, []galileo.Message, galileo.PromptRunSettings) (ModelOutput, error) {
			return ModelOutput{Text: "ok", InputTokens: 7, OutputTokens: 3}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		set := galileo.DefaultPromptSettings()
		set.ModelAlias = "fixed"
		eid := a.ok(http.StatusOK, "POST", "/projects/"+f.pid+"/experiments", map[string]any{"name": "tokens", "trigger": true,
			"dataset": map[string]any{"dataset_id": f.did, "version_index": 0}, "prompt_template_version_id": f.tvid,
			"prompt_settings": set}).json(t)["id"].(string)
		waitIdle(t, s)
		got, e := tokenAggregates(t, a, f.pid, eid)
		want := map[string][3]float64{"num_input_tokens": {2, 14, 7}, "num_output_tokens": {2, 6, 3}, "num_total_tokens": {2, 20, 10}}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s [count sum avg] = %v, want %v", k, got[k], w)
			}
		}
		if r, ok := e["rank"]; ok && r != nil {
			t.Errorf("rank = %v, want none: token counts are not scores and must not rank an experiment without scorers", r)
		}
	})
	t.Run("ingested function run", func(t *testing.T) {
		s := newTestServer(t)
		a := newAPI(t, s)
		pid, eid, _ := ingestFixture(t, s, a, 3) // each trace: one llm span with 10 in, 2 out, 12 total
		got, _ := tokenAggregates(t, a, pid, eid)
		want := map[string][3]float64{"num_input_tokens": {3, 30, 10}, "num_output_tokens": {3, 6, 2}, "num_total_tokens": {3, 36, 12}}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s [count sum avg] = %v, want %v", k, got[k], w)
			}
		}
	})
}

func TestExperiments_ProgressAndPace(t *testing.T) {
	mw := specMiddleware(t)
	synctest.Test(t, func(t *testing.T) {
		s, err := NewUnstarted(Options{Seed: 1, ScoringDelay: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		c := handlerClient{t: t, h: mw(s.Handler())}
		f := seed(t, s, qaRows[:3])
		code, e := c.do("POST", "/projects/"+f.pid+"/experiments", map[string]any{"name": "paced", "trigger": true,
			"dataset": map[string]any{"dataset_id": f.did, "version_index": 0}, "prompt_template_version_id": f.tvid,
			"scorers": []map[string]any{{"id": correctnessID(t), "scorer_type": "preset"}}})
		if code != http.StatusOK {
			t.Fatalf("create: %d %v", code, e)
		}
		if p := e["status"].(map[string]any)["log_generation"].(map[string]any)["progress_percent"]; p != 0.0 {
			t.Errorf("progress at creation = %v, want 0", p)
		}
		path := "/projects/" + f.pid + "/experiments/" + e["id"].(string)
		state := func() (float64, float64) {
			_, got := c.do("GET", path, nil)
			p := got["status"].(map[string]any)["log_generation"].(map[string]any)["progress_percent"].(float64)
			sam, _ := got["structured_aggregate_metrics"].(map[string]any)
			cnt := 0.0
			if a, ok := sam[correctnessID(t)].(map[string]any); ok {
				cnt = a["count"].(float64)
			}
			return p, cnt
		}
		for step := 1; step <= 3; step++ {
			synctest.Wait() // the worker did one tick and sleeps
			p, cnt := state()
			if want := float64(step) / 3; p != want || cnt != float64(step) {
				t.Errorf("after %d ticks: progress %v count %v, want %v and %d", step, p, cnt, want, step)
			}
			time.Sleep(time.Second)
		}
		synctest.Wait()
		if p, cnt := state(); p != 1 || cnt != 3 {
			t.Errorf("at the end: progress %v count %v, want 1 and 3", p, cnt)
		}
	})
}

func TestExperiments_SearchUpdateColumnsMetrics(t *testing.T) {
	s := newTestServer(t, Options{DuplicateNames: DuplicateNamesReject})
	a := newAPI(t, s)
	f := seed(t, s, qaRows)
	base := "/projects/" + f.pid + "/experiments"
	var ids []string
	for _, n := range []string{"beta", "alpha", "gamma"} {
		body := map[string]any{"name": n, "trigger": true, "dataset": map[string]any{"dataset_id": f.did, "version_index": 0},
			"prompt_template_version_id": f.tvid, "prompt_settings": map[string]any{"model_alias": "ground-truth"},
			"scorers": []map[string]any{{"id": correctnessID(t), "scorer_type": "preset"}}}
		ids = append(ids, a.ok(http.StatusOK, "POST", base, body).json(t)["id"].(string))
	}
	waitIdle(t, s)
	search := func(body map[string]any) []string {
		var out struct {
			Experiments []struct {
				Name string `json:"name"`
			} `json:"experiments"`
			Next *int `json:"next_starting_token"`
		}
		a.ok(http.StatusOK, "POST", base+"/search", body).decode(t, &out)
		var names []string
		for _, e := range out.Experiments {
			names = append(names, e.Name)
		}
		return names
	}
	cases := []struct {
		name string
		body map[string]any
		want string
	}{
		{"default sort is newest first", map[string]any{}, "gamma,alpha,beta"},
		{"name eq", map[string]any{"filters": []map[string]any{{"name": "name", "operator": "eq", "value": "alpha", "case_sensitive": true}}}, "alpha"},
		{"id one_of", map[string]any{"filters": []map[string]any{{"name": "id", "operator": "one_of", "value": []string{ids[0], ids[2]}}}}, "gamma,beta"},
		{"created_at after the epoch", map[string]any{"filters": []map[string]any{{"name": "created_at", "operator": "gt", "value": "2000-01-01T00:00:00Z"}}}, "gamma,alpha,beta"},
		{"sort by name", map[string]any{"sort": map[string]any{"name": "name", "ascending": true, "sort_type": "column"}}, "alpha,beta,gamma"},
		{"page", map[string]any{"starting_token": 1, "limit": 1}, "alpha"},
	}
	for _, tc := range cases {
		if got := strings.Join(search(tc.body), ","); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}

	upd := a.ok(http.StatusOK, "PUT", base+"/"+ids[0], map[string]any{"name": "beta-2", "task_type": 16}).json(t)
	if upd["name"] != "beta-2" {
		t.Errorf("rename answer = %v", upd["name"])
	}
	if r := a.do("PUT", base+"/"+ids[0], map[string]any{"name": "alpha", "task_type": 16}); r.status != http.StatusConflict {
		t.Errorf("rename onto a taken name: %d, want 409", r.status)
	}

	// available_columns has no body and no content type.
	req, _ := http.NewRequest("POST", s.URL()+base+"/available_columns", nil)
	req.Header.Set("Galileo-API-Key", s.APIKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var cols galileo.ColumnsResponse
	err = json.NewDecoder(resp.Body).Decode(&cols)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("available_columns: status %d, decoding the body: %v", resp.StatusCode, err)
	}
	var metric *galileo.ColumnInfo
	for i, col := range cols.Columns {
		if col.ID == "metrics/"+correctnessID(t) {
			metric = &cols.Columns[i]
		}
	}
	if metric == nil || *metric.Label != "Correctness" || *metric.MetricKeyAlias != "correctness" || metric.Category != "metric" {
		t.Errorf("metric column = %+v, want Correctness/correctness in category metric", metric)
	}

	m := a.ok(http.StatusOK, "POST", base+"/"+ids[1]+"/metrics", map[string]any{}).json(t)["metrics"].([]any)
	if len(m) != 1 || m[0].(map[string]any)["name"] != "correctness" || m[0].(map[string]any)["average"] != 1.0 {
		t.Errorf("experiment metrics = %v, want correctness averaging 1", m)
	}
	all := a.ok(http.StatusOK, "POST", base+"/metrics", map[string]any{}).json(t)["metrics"].([]any)
	if b := all[0].(map[string]any)["buckets"].(map[string]any); b["0.9-1.0"] != 12.0 {
		t.Errorf("project metrics buckets = %v, want 12 rows in 0.9-1.0", b)
	}

	bleu, _ := scoring.Lookup(scoring.Builtins(), "bleu")
	a.ok(http.StatusOK, "PATCH", base+"/"+ids[1]+"/metric_settings", map[string]any{"scorers": []map[string]any{{"id": bleu.ID, "scorer_type": "preset"}}})
	got := a.ok(http.StatusOK, "GET", base+"/"+ids[1]+"/metric_settings", nil).json(t)["scorers"].([]any)
	if len(got) != 1 || got[0].(map[string]any)["name"] != "bleu" {
		t.Errorf("metric settings = %v, want bleu only", got)
	}
	waitIdle(t, s)
	e, _ := s.Experiment(ids[1])
	if a, ok := e.StructuredAggregateMetrics[bleu.ID]; !ok || *a.Count != int64(len(qaRows)) {
		t.Errorf("after switching to BLEU: aggregates %v, want BLEU over every row", e.StructuredAggregateMetrics)
	}
	if _, ok := e.StructuredAggregateMetrics[correctnessID(t)]; ok {
		t.Error("correctness is still aggregated after it was removed from the metric settings")
	}
}
