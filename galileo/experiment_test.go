package galileo

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// expWorld is a small stateful API for the Experiment handle: one project
// "acme", one dataset "qa" (two rows), one prompt template "qa-prompt", the
// scorer catalogue, and experiments created through the API.
type expWorld struct {
	t *testing.T
	f *fakeAPI
	c *Client

	pid, did, tid, vid, v2id string

	mu           sync.Mutex
	experiments  []ExperimentResponse
	createBodies []map[string]any
	settings     []RunScorerSettingsRequest
	jobs         []CreateJobRequest
	traces       int  // records traces/search returns
	tracesFail   bool // traces/search answers 500
	emptyDataset bool
	progress     []float64 // successive log_generation values served by GET
	gets         int
	aggregates   map[string]MetricAggregates
}

func newExpWorld(t *testing.T) *expWorld {
	w := &expWorld{t: t, f: newFakeAPI(t), pid: newID(), did: newID(), tid: newID(), vid: newID(), v2id: newID()}
	f := w.f
	f.json("GET /projects/{project_id}", 200, fxProject(w.pid, "acme"))
	f.handle("GET /projects", func(rw http.ResponseWriter, r *http.Request) {
		ps := []Project{}
		if r.URL.Query().Get("project_name") == "acme" {
			ps = append(ps, fxProject(w.pid, "acme"))
		}
		serveJSON(rw, 200, ps)
	})
	f.json("GET /datasets/{dataset_id}", 200, fxDataset(w.did, "qa", 2))
	f.handle("POST /datasets/query", func(rw http.ResponseWriter, r *http.Request) {
		body := decodeBody[ListParams](t, r)
		res := ListDatasetResponse{Datasets: []Dataset{}}
		if body.Filters[0].Value == "qa" {
			res.Datasets = append(res.Datasets, fxDataset(w.did, "qa", 2))
		}
		serveJSON(rw, 200, res)
	})
	f.handle("GET /datasets/{dataset_id}/content", func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		empty := w.emptyDataset
		w.mu.Unlock()
		if empty {
			serveJSON(rw, 200, fxContent(nil, 0, nil))
			return
		}
		serveJSON(rw, 200, fxContent([]DatasetRow{fxRow(0, "2+2?", "4")}, 0, ptr(1)))
	})
	f.json("GET /templates/{template_id}", 200, fxTemplate(w.tid, "qa-prompt", w.vid))
	f.handle("POST /templates/query", func(rw http.ResponseWriter, r *http.Request) {
		body := decodeBody[ListParams](t, r)
		res := ListPromptTemplateResponse{Templates: []PromptTemplate{}}
		if body.Filters[0].Value == "qa-prompt" {
			res.Templates = append(res.Templates, fxTemplate(w.tid, "qa-prompt", w.vid))
		}
		serveJSON(rw, 200, res)
	})
	f.handle("GET /templates/{template_id}/versions/{version}", func(rw http.ResponseWriter, r *http.Request) {
		v := fxTemplate(w.tid, "qa-prompt", w.v2id).SelectedVersion
		v.Version = 2
		serveJSON(rw, 200, v)
	})
	serveScorers(t, f, scorerCatalogue(), 100, nil)
	f.handle("POST /projects/{project_id}/experiments/search", func(rw http.ResponseWriter, r *http.Request) {
		body := decodeBody[ExperimentSearchRequest](t, r)
		w.mu.Lock()
		defer w.mu.Unlock()
		res := ListExperimentResponse{Experiments: []ExperimentResponse{}}
		for _, e := range w.experiments {
			if e.Name == body.Filters[0].Value {
				res.Experiments = append(res.Experiments, e)
			}
		}
		serveJSON(rw, 200, res)
	})
	f.handle("GET /projects/{project_id}/experiments", func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		defer w.mu.Unlock()
		serveJSON(rw, 200, append([]ExperimentResponse{}, w.experiments...))
	})
	f.handle("POST /projects/{project_id}/experiments", func(rw http.ResponseWriter, r *http.Request) {
		var body map[string]any
		var req ExperimentCreateRequest
		b := readAll(r)
		if json.Unmarshal(b, &body) != nil || json.Unmarshal(b, &req) != nil {
			t.Errorf("bad create body %s", b)
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		w.createBodies = append(w.createBodies, body)
		e := fxExperiment(w.pid, newID(), req.Name)
		if req.Dataset != nil {
			e.Dataset = &ExperimentDataset{DatasetID: &req.Dataset.DatasetID, VersionIndex: &req.Dataset.VersionIndex, Name: ptr("qa")}
		}
		e.PromptRunSettings = req.PromptSettings
		if req.PromptTemplateVersionID != nil {
			e.Prompt = &ExperimentPrompt{PromptTemplateID: &w.tid, Name: ptr("qa-prompt"), VersionIndex: ptr(1)}
		}
		e.Status = ExperimentStatus{LogGeneration: &ExperimentPhaseStatus{ProgressPercent: 0}}
		w.experiments = append(w.experiments, e)
		serveJSON(rw, 200, e)
	})
	f.handle("GET /projects/{project_id}/experiments/{experiment_id}", func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		defer w.mu.Unlock()
		for i, e := range w.experiments {
			if e.ID != r.PathValue("experiment_id") {
				continue
			}
			if len(w.progress) > 0 {
				p := w.progress[min(w.gets, len(w.progress)-1)]
				w.experiments[i].Status.LogGeneration = &ExperimentPhaseStatus{ProgressPercent: p}
			}
			w.gets++
			if w.aggregates != nil {
				w.experiments[i].StructuredAggregateMetrics = w.aggregates
			}
			serveJSON(rw, 200, w.experiments[i])
			return
		}
		notFound(rw, r)
	})
	f.handle("DELETE /projects/{project_id}/experiments/{experiment_id}", func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.experiments = slices.DeleteFunc(w.experiments, func(e ExperimentResponse) bool { return e.ID == r.PathValue("experiment_id") })
		rw.WriteHeader(http.StatusNoContent)
	})
	f.handle("POST /projects/{project_id}/runs/{run_id}/scorer-settings", func(rw http.ResponseWriter, r *http.Request) {
		body := decodeBody[RunScorerSettingsRequest](t, r)
		w.mu.Lock()
		w.settings = append(w.settings, body)
		w.mu.Unlock()
		serveJSON(rw, 200, RunScorerSettingsResponse{RunID: body.RunID, Scorers: body.Scorers, SegmentFilters: []any{}})
	})
	f.handle("POST /jobs", func(rw http.ResponseWriter, r *http.Request) {
		body := decodeBody[CreateJobRequest](t, r)
		w.mu.Lock()
		w.jobs = append(w.jobs, body)
		w.mu.Unlock()
		serveJSON(rw, 200, CreateJobResponse{CreateJobRequest: body, JobID: ptr(newID()), Message: "queued", Link: testConsole})
	})
	f.handle("POST /projects/{project_id}/traces/search", func(rw http.ResponseWriter, r *http.Request) {
		body := decodeBody[LogRecordsQueryRequest](t, r)
		w.mu.Lock()
		n, fail := w.traces, w.tracesFail
		w.mu.Unlock()
		if fail {
			serveJSON(rw, 500, map[string]string{"detail": "search is down"})
			return
		}
		recs := []any{}
		for i := 0; i < min(n, body.Limit); i++ {
			recs = append(recs, fxTraceRecord(w.pid, *body.ExperimentID, "q"))
		}
		serveJSON(rw, 200, map[string]any{"records": recs, "next_starting_token": nil})
	})
	f.json("POST /projects/{project_id}/experiments/available_columns", 200, ColumnsResponse{Columns: []ColumnInfo{
		fxColumn("name", "Name", ""),
		fxColumn("metrics/"+idCorrectness, "Correctness", "correctness"),
		fxColumn("metrics/"+idCompleteness, "Completeness", "completeness"),
	}})
	w.c = f.client()
	return w
}

func readAll(r *http.Request) []byte {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return []byte(b.String())
		}
	}
}

func (w *expWorld) lastCreate() map[string]any {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.createBodies) == 0 {
		w.t.Fatal("no experiment was created")
	}
	return w.createBodies[len(w.createBodies)-1]
}

// fixedClock returns the time of the rename suffix in tests.
func fixedClock() time.Time { return fxTime }

func TestExperiment_Create_promptRun(t *testing.T) {
	w := newExpWorld(t)
	e := w.c.Experiments.New(ExperimentSpec{
		Name: "nightly", ProjectName: "acme", DatasetName: "qa", PromptName: "qa-prompt",
		Model: "GPT-4o mini", Metrics: []string{"correctness", "Completeness"},
	})
	if e.State() != StateLocalOnly || e.ID() != "" || e.Name() != "nightly" {
		t.Errorf("before Create: state %v, id %q, name %q", e.State(), e.ID(), e.Name())
	}
	if _, err := e.Create(t.Context()); err != nil {
		t.Fatal(err)
	}
	body := w.lastCreate()
	if body["name"] != "nightly" || body["task_type"] != float64(16) || body["trigger"] != true {
		t.Errorf("create body %v: want name nightly, task_type 16, trigger true", body)
	}
	if ds := body["dataset"].(map[string]any); ds["dataset_id"] != w.did || ds["version_index"] != float64(3) {
		t.Errorf("dataset %v: want %s version 3", ds, w.did)
	}
	if body["prompt_template_version_id"] != w.vid {
		t.Errorf("prompt_template_version_id %v, want the selected version %s", body["prompt_template_version_id"], w.vid)
	}
	want := DefaultPromptSettings()
	want.ModelAlias = "GPT-4o mini"
	var got PromptRunSettings
	b, _ := json.Marshal(body["prompt_settings"])
	_ = json.Unmarshal(b, &got)
	if gb, wb := mustJSON(got), mustJSON(want); gb != wb {
		t.Errorf("prompt_settings\n%s\nwant the defaults with the model alias\n%s", gb, wb)
	}
	var ids []string
	for _, s := range body["scorers"].([]any) {
		ids = append(ids, s.(map[string]any)["id"].(string))
	}
	if !slices.Equal(ids, []string{idCorrectness, idCompleteness}) {
		t.Errorf("scorers %v, want correctness and completeness", ids)
	}
	if len(w.settings) != 0 {
		t.Errorf("scorer settings registered for a triggered run")
	}
	// Nothing is created before the metrics are resolved.
	calls := w.f.calls()
	if i, j := slices.IndexFunc(calls, func(c string) bool { return strings.HasPrefix(c, "POST /scorers/list") }),
		slices.IndexFunc(calls, func(c string) bool { return strings.HasSuffix(c, "/experiments") && strings.HasPrefix(c, "POST") }); i < 0 || j < i {
		t.Errorf("calls %v: want metrics resolved before the create", calls)
	}

	if e.State() != StateSynced || e.ProjectID() != w.pid || e.Model() != "GPT-4o mini" {
		t.Errorf("after Create: state %v, project %s, model %q", e.State(), e.ProjectID(), e.Model())
	}
	res, err := e.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	wantLink := testConsole + "/project/" + w.pid + "/experiments/" + e.ID()
	if res.Link != wantLink || e.Link() != wantLink || res.Experiment.ID != e.ID() || !strings.Contains(res.Message, wantLink) {
		t.Errorf("run result %+v: want link %s", res, wantLink)
	}
	if _, err := e.Run(t.Context()); !errors.Is(err, ErrAlreadyRun) || !strings.Contains(err.Error(), "another name") {
		t.Errorf("second Run: %v; want ErrAlreadyRun advising another name", err)
	}
	if _, err := e.Create(t.Context()); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second Create: %v; want an error", err)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestPromptSettings(t *testing.T) {
	given := DefaultPromptSettings()
	given.ModelAlias, given.MaxTokens = "mine", 99
	tests := []struct {
		name        string
		model       string
		given       *PromptRunSettings
		template    bool
		wantNil     bool
		wantAlias   string
		wantMaxToks int
	}{
		{"explicit settings override the template's", "", &given, true, false, "mine", 99},
		{"model replaces the alias of explicit settings", "GPT-4o", &given, true, false, "GPT-4o", 99},
		{"template without settings: defaults", "", nil, true, false, "GPT-4o", 256},
		{"template and model: defaults with the model", "claude", nil, true, false, "claude", 256},
		{"model without template: defaults with the model", "claude", nil, false, false, "claude", 256},
		{"nothing: no settings", "", nil, false, true, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := promptSettings(tc.model, tc.given, tc.template)
			if tc.wantNil {
				if got != nil {
					t.Errorf("got %+v, want nil", got)
				}
				return
			}
			if got == nil || got.ModelAlias != tc.wantAlias || got.MaxTokens != tc.wantMaxToks {
				t.Fatalf("got %+v, want alias %q and max_tokens %d", got, tc.wantAlias, tc.wantMaxToks)
			}
			if tc.given != nil && got == tc.given {
				t.Error("the caller's settings were not copied")
			}
		})
	}
	if given.ModelAlias != "mine" {
		t.Error("the caller's settings were changed")
	}
}

func TestExperiment_Create_promptVersionAndSettings(t *testing.T) {
	w := newExpWorld(t)
	s := DefaultPromptSettings()
	s.ModelAlias, s.Temperature = "echo", ptr(0.0)
	_, err := w.c.Experiments.New(ExperimentSpec{Name: "v2", ProjectID: w.pid, DatasetID: w.did, PromptTemplateID: w.tid,
		PromptVersion: ptr(2), PromptSettings: &s}).Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	body := w.lastCreate()
	if body["prompt_template_version_id"] != w.v2id {
		t.Errorf("prompt_template_version_id %v, want version 2's id %s", body["prompt_template_version_id"], w.v2id)
	}
	ps := body["prompt_settings"].(map[string]any)
	if ps["model_alias"] != "echo" || ps["temperature"] != float64(0) {
		t.Errorf("prompt_settings %v: want the explicit settings (echo, temperature 0)", ps)
	}
	if _, ok := body["scorers"]; ok {
		t.Errorf("scorers sent without metrics: %v", body["scorers"])
	}
}

func TestExperiment_Create_nameClash(t *testing.T) {
	tests := []struct {
		name     string
		policy   NameClash
		wantName string
		wantErr  error
	}{
		{"rename by default", NameClashRename, "nightly 2026-07-30 at 18:38:55.042", nil},
		{"error", NameClashError, "", ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newExpWorld(t)
			w.experiments = append(w.experiments, fxExperiment(w.pid, newID(), "nightly"))
			e := w.c.Experiments.New(ExperimentSpec{Name: "nightly", ProjectID: w.pid, DatasetName: "qa", OnNameClash: tc.policy, RunMode: RunByClient})
			e.now = fixedClock
			_, err := e.Create(t.Context())
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), `"nightly" already exists in project "acme"`) {
					t.Fatalf("error %v: want %v naming the experiment and project", err, tc.wantErr)
				}
				if n := len(w.createBodies); n != 0 {
					t.Errorf("%d experiments created, want none", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := w.lastCreate()["name"]; got != tc.wantName || e.Name() != tc.wantName {
				t.Errorf("created %q (handle says %q), want %q", got, e.Name(), tc.wantName)
			}
		})
	}
}

func TestExperiment_Create_invalidSpec(t *testing.T) {
	tests := []struct {
		name    string
		spec    ExperimentSpec
		wantErr error
		wantMsg string
	}{
		{"no name", ExperimentSpec{ProjectName: "acme"}, nil, "empty Name"},
		{"prompt without dataset", ExperimentSpec{Name: "x", ProjectName: "acme", PromptName: "qa-prompt"}, ErrDatasetRequired, "prompt template"},
		{"function flow with a prompt", ExperimentSpec{Name: "x", ProjectName: "acme", DatasetName: "qa", PromptName: "qa-prompt", RunMode: RunByClient}, nil, "RunByClient with a prompt template"},
		{"bad run mode", ExperimentSpec{Name: "x", ProjectName: "acme", RunMode: 9}, nil, "RunMode 9"},
		{"defer without prompt", ExperimentSpec{Name: "x", ProjectName: "acme", DatasetName: "qa", RunMode: RunDeferred}, nil, "only a prompt run can be deferred"},
		{"version without prompt", ExperimentSpec{Name: "x", ProjectName: "acme", DatasetName: "qa", PromptVersion: ptr(1)}, nil, "PromptVersion"},
		{"bad clash policy", ExperimentSpec{Name: "x", ProjectName: "acme", OnNameClash: 7}, nil, "OnNameClash 7"},
		{"no project", ExperimentSpec{Name: "x"}, nil, "no project given"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newExpWorld(t)
			_, err := w.c.Experiments.New(tc.spec).Create(t.Context())
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Fatalf("error %v: want %v containing %q", err, tc.wantErr, tc.wantMsg)
			}
			if calls := w.f.calls(); len(calls) != 0 {
				t.Errorf("requests sent before the spec was checked: %v", calls)
			}
		})
	}
}

func TestExperiment_Create_failsBeforeCreating(t *testing.T) {
	tests := []struct {
		name    string
		spec    ExperimentSpec
		setup   func(w *expWorld)
		wantMsg string
	}{
		{"unknown metric", ExperimentSpec{Name: "x", ProjectName: "acme", DatasetName: "qa", Metrics: []string{"corectness"}},
			nil, `unknown metric "corectness" (did you mean "correctness"?)`},
		{"empty dataset", ExperimentSpec{Name: "x", ProjectName: "acme", DatasetName: "qa"},
			func(w *expWorld) { w.emptyDataset = true }, "has no rows"},
		{"unknown dataset", ExperimentSpec{Name: "x", ProjectName: "acme", DatasetName: "nope"}, nil, `dataset "nope"`},
		{"unknown prompt", ExperimentSpec{Name: "x", ProjectName: "acme", DatasetName: "qa", PromptName: "nope"}, nil, `prompt template "nope"`},
		{"unknown project", ExperimentSpec{Name: "x", ProjectName: "nope"}, nil, `project "nope"`},
		{"run at create without generated outputs", ExperimentSpec{Name: "x", ProjectName: "acme", DatasetName: "qa", Metrics: []string{"correctness"}},
			nil, `dataset "qa" has no generated_output column`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newExpWorld(t)
			if tc.setup != nil {
				tc.setup(w)
			}
			e, err := w.c.Experiments.New(tc.spec).Create(t.Context())
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("error %v: want one containing %q", err, tc.wantMsg)
			}
			if n := len(w.createBodies); n != 0 || e.ID() != "" {
				t.Errorf("%d experiments created, want none", n)
			}
		})
	}
}

// Function flow: no trigger, metrics registered through scorer settings.
func TestExperiment_Create_functionFlow(t *testing.T) {
	w := newExpWorld(t)
	e, err := w.c.Experiments.New(ExperimentSpec{Name: "fn", ProjectID: w.pid, DatasetID: w.did, Metrics: []string{"Correctness"}, RunMode: RunByClient}).Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	body := w.lastCreate()
	for _, k := range []string{"trigger", "scorers", "prompt_settings", "prompt_template_version_id"} {
		if _, ok := body[k]; ok {
			t.Errorf("create body has %q: %v", k, body)
		}
	}
	if len(w.settings) != 1 || w.settings[0].RunID != e.ID() || w.settings[0].Scorers[0].ID != idCorrectness {
		t.Fatalf("scorer settings %+v: want correctness registered on %s", w.settings, e.ID())
	}
	res, err := e.Run(t.Context())
	if err != nil || !strings.Contains(res.Message, "log its traces") {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	if len(w.jobs) != 0 {
		t.Errorf("a job was started for a function-flow experiment")
	}
}

// A prompt experiment created with RunDeferred (without trigger) is started by
// Run through the legacy jobs route, unless it already has traces.
func TestExperiment_Run_job(t *testing.T) {
	tests := []struct {
		name   string
		traces int
	}{
		{"no traces: job started", 0},
		{"traces: immutable", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newExpWorld(t)
			e, err := w.c.Experiments.New(ExperimentSpec{Name: "legacy", ProjectID: w.pid, DatasetID: w.did, PromptTemplateID: w.tid,
				Metrics: []string{"Correctness"}, RunMode: RunDeferred}).Create(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(w.settings) != 0 {
				t.Errorf("scorer settings registered; the job carries the scorers")
			}
			w.mu.Lock()
			w.traces = tc.traces
			w.mu.Unlock()
			res, err := e.Run(t.Context())
			if tc.traces > 0 {
				var ie *ImmutableError
				if !errors.As(err, &ie) || !errors.Is(err, ErrHasTraces) || !errors.Is(err, ErrAlreadyRun) {
					t.Fatalf("error %v: want an *ImmutableError", err)
				}
				if !strings.Contains(err.Error(), "create a new experiment with another name") || ie.ExperimentID != e.ID() {
					t.Errorf("error %q does not say how to re-run", err)
				}
				if len(w.jobs) != 0 {
					t.Errorf("a job was started on an experiment with traces")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(w.jobs) != 1 {
				t.Fatalf("%d jobs started, want 1", len(w.jobs))
			}
			j := w.jobs[0]
			if j.JobName != JobNamePlaygroundRun || j.RunID != e.ID() || *j.PromptTemplateVersionID != w.vid || *j.DatasetID != w.did ||
				len(j.Scorers) != 1 || j.PromptSettings == nil || j.PromptSettings.ModelAlias != "GPT-4o" {
				t.Errorf("job %+v: want a playground_run with the template, dataset, scorer and default settings", j)
			}
			if res.JobID == "" {
				t.Error("RunResult has no job id")
			}
			if _, err := e.Run(t.Context()); !errors.Is(err, ErrAlreadyRun) || len(w.jobs) != 1 {
				t.Errorf("second Run: %v after %d jobs; want ErrAlreadyRun and no new job", err, len(w.jobs))
			}
		})
	}
}

func TestExperimentsService_Open(t *testing.T) {
	w := newExpWorld(t)
	created, err := w.c.Experiments.New(ExperimentSpec{Name: "a", ProjectID: w.pid, DatasetID: w.did, RunMode: RunByClient}).Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	e, err := w.c.Experiments.Open(t.Context(), w.pid, "a")
	if err != nil || e.ID() != created.ID() || e.State() != StateSynced {
		t.Fatalf("Open = %v, %v", e, err)
	}
	res, err := e.Run(t.Context())
	if err != nil || res.Link != created.Link() || !strings.Contains(res.Message, "opened") {
		t.Fatalf("Run on an opened experiment = %+v, %v; want a synthesized result", res, err)
	}
	if _, err := e.Run(t.Context()); !errors.Is(err, ErrAlreadyRun) {
		t.Errorf("second Run: %v, want ErrAlreadyRun", err)
	}
	if _, err := w.c.Experiments.Open(t.Context(), w.pid, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open(missing): %v, want ErrNotFound", err)
	}
	byID, err := w.c.Experiments.OpenByID(t.Context(), w.pid, created.ID())
	if err != nil || byID.Name() != "a" {
		t.Fatalf("OpenByID = %v, %v", byID, err)
	}
	all, err := w.c.Experiments.OpenAll(t.Context(), w.pid)
	if err != nil || len(all) != 1 || all[0].ID() != created.ID() {
		t.Fatalf("OpenAll = %v, %v", all, err)
	}
}

func TestExperiment_RefreshAndDelete(t *testing.T) {
	w := newExpWorld(t)
	e, err := w.c.Experiments.New(ExperimentSpec{Name: "a", ProjectID: w.pid, DatasetID: w.did, RunMode: RunByClient}).Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	w.progress = []float64{0.5}
	w.mu.Unlock()
	st, err := e.Status(t.Context())
	if err != nil || st.ProgressPercent != 50 || !st.IsInProgress {
		t.Fatalf("Status = %+v, %v; want 50%% in progress", st, err)
	}
	if err := e.Delete(t.Context()); err != nil {
		t.Fatal(err)
	}
	if e.State() != StateDeleted || len(w.experiments) != 0 {
		t.Errorf("after Delete: state %v, %d experiments on the server", e.State(), len(w.experiments))
	}
	for name, err := range map[string]error{
		"Refresh": e.Refresh(t.Context()),
		"Delete":  e.Delete(t.Context()),
		"Run":     func() error { _, err := e.Run(t.Context()); return err }(),
	} {
		if !errors.Is(err, ErrDeleted) {
			t.Errorf("%s after Delete: %v, want ErrDeleted", name, err)
		}
	}
	// A handle whose experiment vanished on the server.
	other, _ := w.c.Experiments.New(ExperimentSpec{Name: "b", ProjectID: w.pid}).Create(t.Context())
	w.mu.Lock()
	w.experiments = nil
	w.mu.Unlock()
	if err := other.Refresh(t.Context()); !errors.Is(err, ErrNotFound) {
		t.Errorf("Refresh of a vanished experiment: %v, want ErrNotFound", err)
	}
}

func TestExperiment_notCreated(t *testing.T) {
	w := newExpWorld(t)
	e := w.c.Experiments.New(ExperimentSpec{Name: "x"})
	ctx := t.Context()
	for name, err := range map[string]error{
		"Refresh":           e.Refresh(ctx),
		"Run":               func() error { _, err := e.Run(ctx); return err }(),
		"Status":            func() error { _, err := e.Status(ctx); return err }(),
		"HasTracesErr":      func() error { _, err := e.HasTracesErr(ctx); return err }(),
		"AddTag":            e.AddTag(ctx, "k", "v", ""),
		"Query":             func() error { _, err := e.Query(ctx, RecordTrace, QueryOptions{}); return err }(),
		"ExportRecords":     func() error { _, err := Collect(e.ExportRecords(ctx, ExportOptions{})); return err }(),
		"QueryAll":          func() error { _, err := Collect(e.QueryAll(ctx, RecordTrace, QueryOptions{})); return err }(),
		"ExperimentColumns": func() error { _, err := e.ExperimentColumns(ctx); return err }(),
		"Project":           func() error { _, err := e.Project(ctx); return err }(),
	} {
		if !errors.Is(err, ErrNotCreated) {
			t.Errorf("%s before Create: %v, want ErrNotCreated", name, err)
		}
	}
	if e.HasTraces(ctx) {
		t.Error("HasTraces is true before Create")
	}
	if len(w.f.calls()) != 0 {
		t.Errorf("requests sent: %v", w.f.calls())
	}
}

func TestExperiment_HasTraces(t *testing.T) {
	w := newExpWorld(t)
	e, err := w.c.Experiments.New(ExperimentSpec{Name: "a", ProjectID: w.pid}).Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if e.HasTraces(t.Context()) {
		t.Error("HasTraces true with no traces")
	}
	w.mu.Lock()
	w.traces = 2
	w.mu.Unlock()
	if !e.HasTraces(t.Context()) {
		t.Error("HasTraces false with traces")
	}
	w.mu.Lock()
	w.tracesFail = true
	w.mu.Unlock()
	if e.HasTraces(t.Context()) {
		t.Error("HasTraces true when the search fails; Python treats errors as false")
	}
	if _, err := e.HasTracesErr(t.Context()); err == nil || !strings.Contains(err.Error(), "search is down") {
		t.Errorf("HasTracesErr: %v, want the search error", err)
	}
}

func TestExperiment_AddTag(t *testing.T) {
	w := newExpWorld(t)
	e, err := w.c.Experiments.New(ExperimentSpec{Name: "a", ProjectID: w.pid}).Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	w.f.handle("POST /projects/{project_id}/experiments/{experiment_id}/tags", func(rw http.ResponseWriter, r *http.Request) {
		body := decodeBody[RunTagCreateRequest](t, r)
		tag := fxTag(w.pid, e.ID(), body.Key, body.Value, body.TagType)
		w.mu.Lock()
		w.experiments[0].Tags[body.TagType] = append(w.experiments[0].Tags[body.TagType], tag)
		w.mu.Unlock()
		serveJSON(rw, 200, tag)
	})
	before := e.Tags()
	if err := e.AddTag(t.Context(), "env", "ci", ""); err != nil {
		t.Fatal(err)
	}
	tags := e.Tags()
	if len(tags["generic"]) != 1 || tags["generic"][0].Key != "env" || tags["generic"][0].Value != "ci" {
		t.Errorf("Tags() = %v; want generic env=ci", tags)
	}
	if len(before["generic"]) != 0 {
		t.Errorf("Tags() taken before AddTag changed to %v", before)
	}
	if n := w.f.count("GET /projects/" + w.pid + "/experiments/" + e.ID()); n != 0 {
		t.Errorf("%d reloads of the experiment after AddTag, want none: the answer has the tag", n)
	}
}

func TestExperiment_GetMetricAggregate(t *testing.T) {
	w := newExpWorld(t)
	e, err := w.c.Experiments.New(ExperimentSpec{Name: "a", ProjectID: w.pid}).Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if a, err := e.GetMetricAggregate(t.Context(), "Correctness"); a != nil || err != nil {
		t.Errorf("before aggregates: %v, %v; want nil, nil", a, err)
	}
	if n := w.f.count("POST /projects/" + w.pid + "/experiments/available_columns"); n != 0 {
		t.Errorf("columns fetched while nothing is computed")
	}
	w.mu.Lock()
	w.aggregates = map[string]MetricAggregates{
		idCorrectness:  {Avg: ptr(0.9), Count: ptr(int64(2))},
		idCompleteness: {Avg: ptr(0.5)},
		"cost":         {Sum: ptr(0.01)},
	}
	w.mu.Unlock()
	if err := e.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		metric  string
		wantAvg *float64
		wantSum *float64
	}{
		{idCorrectness, ptr(0.9), nil},
		{strings.ToUpper(idCorrectness), ptr(0.9), nil},
		{"Correctness", ptr(0.9), nil},
		{"correctness", ptr(0.9), nil},
		{"completeness", ptr(0.5), nil},
		{"CORRECTNESS", ptr(0.9), nil},
		{"cost", nil, ptr(0.01)},
		{"COST", nil, ptr(0.01)},
		{"bleu", nil, nil},
		{idBLEU, nil, nil},
	}
	for _, tc := range tests {
		a, err := e.GetMetricAggregate(t.Context(), tc.metric)
		if err != nil {
			t.Fatalf("%s: %v", tc.metric, err)
		}
		switch {
		case tc.wantAvg == nil && tc.wantSum == nil:
			if a != nil {
				t.Errorf("%s: got %+v, want nil", tc.metric, a)
			}
		case a == nil:
			t.Errorf("%s: nil, want aggregates", tc.metric)
		case tc.wantAvg != nil && (a.Avg == nil || *a.Avg != *tc.wantAvg):
			t.Errorf("%s: avg %v, want %v", tc.metric, a.Avg, *tc.wantAvg)
		case tc.wantSum != nil && (a.Sum == nil || *a.Sum != *tc.wantSum):
			t.Errorf("%s: sum %v, want %v", tc.metric, a.Sum, *tc.wantSum)
		}
	}
	if _, err := e.GetMetricAggregate(t.Context(), "Corectness"); !errors.Is(err, ErrUnknownMetric) || !strings.Contains(err.Error(), `did you mean "Correctness"?`) {
		t.Errorf("unknown metric: err = %v, want ErrUnknownMetric with a suggestion", err)
	}
	if m := e.MetricAggregates(); len(m) != 3 {
		t.Errorf("MetricAggregates() has %d entries, want 3", len(m))
	}
}

func TestExperiment_cachedAccessors(t *testing.T) {
	w := newExpWorld(t)
	pid, eid := w.pid, newID()
	base := fxExperiment(pid, eid, "a")
	tests := []struct {
		name  string
		edit  func(r *ExperimentResponse)
		check func(t *testing.T, e *Experiment)
	}{
		{"no rank", func(r *ExperimentResponse) {}, func(t *testing.T, e *Experiment) {
			if e.Rank() != nil || e.RankingScore() != nil || e.IsWinner() {
				t.Errorf("rank %v score %v winner %v; want nil nil false", e.Rank(), e.RankingScore(), e.IsWinner())
			}
		}},
		{"zero rank counts as none", func(r *ExperimentResponse) { r.Rank, r.RankingScore, r.Winner = ptr(0), ptr(0.0), ptr(false) },
			func(t *testing.T, e *Experiment) {
				if e.Rank() != nil || e.RankingScore() != nil || e.IsWinner() {
					t.Errorf("rank %v score %v winner %v; want nil nil false", e.Rank(), e.RankingScore(), e.IsWinner())
				}
			}},
		{"winner", func(r *ExperimentResponse) { r.Rank, r.RankingScore, r.Winner = ptr(1), ptr(0.87), ptr(true) },
			func(t *testing.T, e *Experiment) {
				if e.Rank() == nil || *e.Rank() != 1 || *e.RankingScore() != 0.87 || !e.IsWinner() {
					t.Errorf("rank %v score %v winner %v; want 1 0.87 true", e.Rank(), e.RankingScore(), e.IsWinner())
				}
			}},
		{"model from prompt run settings", func(r *ExperimentResponse) {
			r.PromptRunSettings = &PromptRunSettings{ModelAlias: "GPT-4o"}
			r.PromptModel = ptr("Claude")
		}, func(t *testing.T, e *Experiment) {
			if e.Model() != "GPT-4o" || e.PromptModel() != "Claude" {
				t.Errorf("Model %q PromptModel %q", e.Model(), e.PromptModel())
			}
		}},
		{"model from prompt model", func(r *ExperimentResponse) { r.PromptModel = ptr("Claude") }, func(t *testing.T, e *Experiment) {
			if e.Model() != "Claude" {
				t.Errorf("Model %q, want Claude", e.Model())
			}
		}},
		{"playground", func(r *ExperimentResponse) { r.Playground = &ExperimentPlayground{Name: ptr("pg")} }, func(t *testing.T, e *Experiment) {
			if e.PlaygroundName() != "pg" {
				t.Errorf("PlaygroundName %q", e.PlaygroundName())
			}
		}},
		{"legacy aggregates", func(r *ExperimentResponse) { r.AggregateMetrics = map[string]any{"average_correctness": 0.5} }, func(t *testing.T, e *Experiment) {
			if e.AggregateMetrics()["average_correctness"] != 0.5 {
				t.Errorf("AggregateMetrics %v", e.AggregateMetrics())
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			tc.edit(&r)
			e := w.c.Experiments.opened(r)
			tc.check(t, e)
			if e.Response().ID != eid || e.ID() != eid || e.Name() != "a" || e.ProjectID() != pid {
				t.Errorf("identity %s %q %s", e.ID(), e.Name(), e.ProjectID())
			}
		})
	}
	e := w.c.Experiments.opened(base)
	w.c.consoleURL = ""
	if e.Link() != "" {
		t.Errorf("Link() = %q without a console URL, want empty", e.Link())
	}
}

func TestExperiment_relatedObjects(t *testing.T) {
	w := newExpWorld(t)
	e, err := w.c.Experiments.New(ExperimentSpec{Name: "a", ProjectName: "acme", DatasetName: "qa", PromptName: "qa-prompt"}).Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	p, err := e.Prompt(ctx)
	if err != nil || p.ID != w.tid {
		t.Fatalf("Prompt = %v, %v", p, err)
	}
	s, err := e.PromptTemplateSettings(ctx)
	if err != nil || s.ModelAlias != "template-model" {
		t.Fatalf("PromptTemplateSettings = %+v, %v; want the template's own settings", s, err)
	}
	d, err := e.Dataset(ctx)
	if err != nil || d.ID != w.did {
		t.Fatalf("Dataset = %v, %v", d, err)
	}
	pr, err := e.Project(ctx)
	if err != nil || pr.ID != w.pid {
		t.Fatalf("Project = %v, %v", pr, err)
	}
	// An opened experiment with no prompt: SetPrompt by name.
	bare := w.c.Experiments.opened(fxExperiment(w.pid, newID(), "bare"))
	if p, err := bare.Prompt(ctx); p != nil || err != nil {
		t.Errorf("Prompt of an experiment without one = %v, %v; want nil, nil", p, err)
	}
	if d, err := bare.Dataset(ctx); d != nil || err != nil {
		t.Errorf("Dataset of an experiment without one = %v, %v; want nil, nil", d, err)
	}
	bare.SetPrompt(PromptRef{Name: "qa-prompt"})
	if p, err := bare.Prompt(ctx); err != nil || p == nil || p.ID != w.tid {
		t.Errorf("Prompt after SetPrompt = %v, %v", p, err)
	}
}

func TestExperiment_QueryAndColumns(t *testing.T) {
	w := newExpWorld(t)
	e, err := w.c.Experiments.New(ExperimentSpec{Name: "a", ProjectID: w.pid}).Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	w.traces = 5
	w.mu.Unlock()
	for _, rt := range []RecordType{RecordSpan, RecordSession} {
		w.f.handle("POST /projects/{project_id}/"+string(rt)+"s/search", func(rw http.ResponseWriter, r *http.Request) {
			body := decodeBody[LogRecordsQueryRequest](t, r)
			if *body.ExperimentID != e.ID() || body.Limit != 100 || body.StartingToken != 7 {
				t.Errorf("search body %+v: want experiment %s, limit 100, starting token 7", body, e.ID())
			}
			serveJSON(rw, 200, map[string]any{"records": []any{}})
		})
		w.f.handle("POST /projects/{project_id}/"+string(rt)+"s/available_columns", func(rw http.ResponseWriter, r *http.Request) {
			if body := rawBody(t, r); body["log_stream_id"] != e.ID() {
				t.Errorf("columns body %v: want log_stream_id %s", body, e.ID())
			}
			serveJSON(rw, 200, ColumnsResponse{Columns: []ColumnInfo{{ID: "model", Category: "standard", DataType: ptr("text")}}})
		})
	}
	w.f.json("POST /projects/{project_id}/traces/available_columns", 200, ColumnsResponse{Columns: []ColumnInfo{{ID: "input", Category: "standard", DataType: ptr("text")}}})
	ctx := t.Context()
	res, err := e.GetTraces(ctx, QueryOptions{Limit: 2})
	if err != nil || len(res.Records) != 2 {
		t.Fatalf("GetTraces = %v, %v; want 2 records", res, err)
	}
	if _, err := e.GetSpans(ctx, QueryOptions{StartingToken: 7}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.GetSessions(ctx, QueryOptions{StartingToken: 7}); err != nil {
		t.Fatal(err)
	}
	all, err := Collect(e.QueryAll(ctx, RecordTrace, QueryOptions{}))
	if err != nil || len(all) != 5 {
		t.Fatalf("QueryAll = %d records, %v; want 5", len(all), err)
	}
	for name, get := range map[string]func() (ColumnCollection, error){
		"TraceColumns": func() (ColumnCollection, error) { return e.TraceColumns(ctx) },
		"SpanColumns":  func() (ColumnCollection, error) { return e.SpanColumns(ctx) },
		"SessionColumns": func() (ColumnCollection, error) {
			return e.SessionColumns(ctx)
		},
	} {
		cols, err := get()
		if err != nil || len(cols) != 1 {
			t.Errorf("%s = %v, %v", name, cols, err)
		}
	}
	cols, err := e.ExperimentColumns(ctx)
	if err != nil || cols.ByLabel("Correctness") == nil {
		t.Errorf("ExperimentColumns = %v, %v", cols, err)
	}
}

func TestExperiment_ExportRecords(t *testing.T) {
	tests := []struct {
		name       string
		opts       ExportOptions
		body       string
		wantRedact bool
		wantFormat ExportFormat
		wantRoot   RecordType
		want       string
	}{
		{"defaults", ExportOptions{}, "{\"input\":\"a\"}\n{\"input\":\"b\"}\n", true, ExportJSONL, RecordTrace, "a,b"},
		{"spans unredacted flat", ExportOptions{RecordType: RecordSpan, NoRedact: true, Format: ExportJSONLFlat}, "{\"input\":\"s\"}\n", false, ExportJSONLFlat, RecordSpan, "s"},
		{"csv", ExportOptions{Format: ExportCSV, ColumnIDs: []string{"input"}}, "input\nc1\nc2\n", true, ExportCSV, RecordTrace, "c1,c2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newExpWorld(t)
			e, err := w.c.Experiments.New(ExperimentSpec{Name: "a", ProjectID: w.pid}).Create(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			w.f.handle("POST /projects/{project_id}/export_records", func(rw http.ResponseWriter, r *http.Request) {
				body := rawBody(t, r)
				sort, _ := body["sort"].(map[string]any)
				if body["log_stream_id"] != e.ID() || body["experiment_id"] != nil || body["redact"] != tc.wantRedact ||
					body["export_format"] != string(tc.wantFormat) || body["root_type"] != string(tc.wantRoot) ||
					sort["column_id"] != "created_at" || sort["ascending"] != false {
					t.Errorf("export body %v", body)
				}
				rw.Header().Set("Content-Type", "application/json")
				_, _ = rw.Write([]byte(tc.body))
			})
			var got []string
			for rec, err := range e.ExportRecords(t.Context(), tc.opts) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, rec["input"].(string))
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("exported %v, want %s", got, tc.want)
			}
		})
	}
}

// MetricVersions pins a scorer version as Python's Metric(name, version)
// does: the version is read, then sent as the config's scorer_version.
func TestExperiment_Create_metricVersions(t *testing.T) {
	w := newExpWorld(t)
	vid := newID()
	var queries []string
	w.f.handle("GET /scorers/{scorer_id}/version", func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		queries = append(queries, r.PathValue("scorer_id")+"?"+r.URL.RawQuery)
		w.mu.Unlock()
		serveJSON(rw, 200, map[string]any{"id": vid, "version": 3, "scorer_id": r.PathValue("scorer_id"), "created_at": fxTime, "updated_at": fxTime})
	})
	spec := ExperimentSpec{Name: "fn", ProjectID: w.pid, DatasetID: w.did, Metrics: []string{"Correctness", "Completeness"},
		MetricVersions: map[string]int{" Correctness ": 3}, RunMode: RunByClient}
	if _, err := w.c.Experiments.New(spec).Create(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(queries) != 1 || queries[0] != idCorrectness+"?version=3" {
		t.Errorf("version reads %v: want version 3 of correctness only", queries)
	}
	if len(w.settings) != 1 || len(w.settings[0].Scorers) != 2 {
		t.Fatalf("scorer settings %+v: want two scorers", w.settings)
	}
	got := w.settings[0].Scorers
	if got[0].ID != idCorrectness || got[0].ScorerVersion == nil || got[0].ScorerVersion.ID != vid || got[0].ScorerVersion.Version != 3 {
		t.Errorf("correctness config %+v: want version 3 pinned", got[0])
	}
	if got[1].ID != idCompleteness || got[1].ScorerVersion != nil {
		t.Errorf("completeness config %+v: want no pinned version", got[1])
	}
	for _, bad := range []map[string]int{{"Correctness": 0}, {"Toxicity": 1}} {
		spec.MetricVersions = bad
		if _, err := w.c.Experiments.New(spec).Create(t.Context()); err == nil || !strings.Contains(err.Error(), "MetricVersions") {
			t.Errorf("MetricVersions %v: err %v, want a MetricVersions error", bad, err)
		}
	}
}

// A prompt experiment is triggered at create even without Trigger, as the
// Python SDK's create() always sends trigger: true; Run starts no job.
func TestExperiment_Create_promptTriggersByDefault(t *testing.T) {
	w := newExpWorld(t)
	e, err := w.c.Experiments.New(ExperimentSpec{Name: "p", ProjectID: w.pid, DatasetID: w.did, PromptTemplateID: w.tid,
		Metrics: []string{"Correctness"}}).Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	body := w.lastCreate()
	if body["trigger"] != true || body["prompt_template_version_id"] != w.vid {
		t.Errorf("create body %v: want trigger true with the template version", body)
	}
	if sc, _ := body["scorers"].([]any); len(sc) != 1 || sc[0].(map[string]any)["id"] != idCorrectness {
		t.Errorf("create body scorers %v: want correctness", body["scorers"])
	}
	if len(w.settings) != 0 {
		t.Errorf("scorer settings registered for a triggered run")
	}
	res, err := e.Run(t.Context())
	if err != nil || res.JobID != "" || !strings.Contains(res.Message, "running on the server") {
		t.Fatalf("Run = %+v, %v: want the remembered result", res, err)
	}
	if len(w.jobs) != 0 {
		t.Errorf("%d jobs started; want none for a triggered run", len(w.jobs))
	}
	for _, c := range w.f.calls() {
		if strings.Contains(c, "/jobs") {
			t.Errorf("call %s: the triggered flow must not use the jobs routes", c)
		}
	}
}
