package galileo

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestExperimentsService_Create(t *testing.T) {
	f := newFakeAPI(t)
	pid, eid := newID(), newID()
	f.handle("POST /projects/{project_id}/experiments", func(w http.ResponseWriter, r *http.Request) {
		body := rawBody(t, r)
		if body["name"] != "nightly" || body["task_type"] != float64(16) {
			t.Errorf("body %v: want name nightly and task_type 16", body)
		}
		if _, ok := body["trigger"]; ok {
			t.Errorf("body %v: trigger sent although false", body)
		}
		serveJSON(w, 200, fxExperiment(r.PathValue("project_id"), eid, "nightly"))
	})
	e, err := f.client().Experiments.Create(t.Context(), pid, ExperimentCreateRequest{Name: "nightly"})
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != eid || e.ProjectID != pid {
		t.Errorf("got %s in %s, want %s in %s", e.ID, e.ProjectID, eid, pid)
	}
	errorPathCases(t, "POST /projects/{project_id}/experiments", `{"id": true}`, func(ctx context.Context, c *Client) error {
		_, err := c.Experiments.Create(ctx, pid, ExperimentCreateRequest{Name: "x"})
		return err
	})
}

// After an ambiguous failure the experiment is looked up by name, so a
// retry never creates a duplicate.
func TestExperimentsService_Create_ambiguousFailure(t *testing.T) {
	tests := []struct {
		name      string
		existing  bool
		wantPosts int
	}{
		{"created before the failure", true, 1},
		{"not created: retried", false, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			pid, eid := newID(), newID()
			posts := 0
			f.handle("POST /projects/{project_id}/experiments", func(w http.ResponseWriter, r *http.Request) {
				posts++
				if posts == 1 {
					serveJSON(w, http.StatusInternalServerError, map[string]string{"detail": "boom"})
					return
				}
				serveJSON(w, 200, fxExperiment(pid, eid, "nightly"))
			})
			f.handle("POST /projects/{project_id}/experiments/search", func(w http.ResponseWriter, r *http.Request) {
				res := ListExperimentResponse{Experiments: []ExperimentResponse{}}
				if tc.existing {
					res.Experiments = append(res.Experiments, fxExperiment(pid, eid, "nightly"))
				}
				serveJSON(w, 200, res)
			})
			e, err := f.client(WithRetry(3, 0, 0)).Experiments.Create(t.Context(), pid, ExperimentCreateRequest{Name: "nightly"})
			if err != nil {
				t.Fatal(err)
			}
			if e.ID != eid {
				t.Errorf("got %s, want %s", e.ID, eid)
			}
			if posts != tc.wantPosts {
				t.Errorf("%d creates sent, want %d", posts, tc.wantPosts)
			}
		})
	}
}

func TestExperimentsService_Get(t *testing.T) {
	f := newFakeAPI(t)
	pid, eid := newID(), newID()
	f.json("GET /projects/{project_id}/experiments/{experiment_id}", 200, fxExperiment(pid, eid, "a"))
	e, err := f.client().Experiments.Get(t.Context(), pid, eid)
	if err != nil || e.Name != "a" {
		t.Fatalf("Get = %v, %v; want experiment a", e, err)
	}
	errorPathCases(t, "GET /projects/{project_id}/experiments/{experiment_id}", `"text"`, func(ctx context.Context, c *Client) error {
		_, err := c.Experiments.Get(ctx, pid, eid)
		return err
	})
}

func TestExperimentsService_GetByName(t *testing.T) {
	f := newFakeAPI(t)
	pid, eid := newID(), newID()
	f.handle("POST /projects/{project_id}/experiments/search", func(w http.ResponseWriter, r *http.Request) {
		body := decodeBody[ExperimentSearchRequest](t, r)
		flt := body.Filters[0]
		if flt.Name != "name" || flt.Operator != "eq" || !*flt.CaseSensitive || body.Limit != 100 {
			t.Errorf("body %+v: want a case-sensitive name eq filter and limit 100", body)
		}
		// The server's match may be looser than the client's.
		serveJSON(w, 200, ListExperimentResponse{Experiments: []ExperimentResponse{fxExperiment(pid, newID(), "Nightly"), fxExperiment(pid, eid, "nightly")}})
	})
	c := f.client()
	e, err := c.Experiments.GetByName(t.Context(), pid, "nightly")
	if err != nil || e.ID != eid {
		t.Fatalf("GetByName = %v, %v; want %s", e, err, eid)
	}
	if _, err := c.Experiments.GetByName(t.Context(), pid, "other"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"other"`) {
		t.Errorf("error %v: want ErrNotFound naming the experiment", err)
	}
}

func TestExperimentsService_List(t *testing.T) {
	f := newFakeAPI(t)
	pid := newID()
	f.handle("GET /projects/{project_id}/experiments", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "include_counts=false" {
			t.Errorf("query %q, want include_counts=false", r.URL.RawQuery)
		}
		serveJSON(w, 200, []ExperimentResponse{fxExperiment(pid, newID(), "a"), fxExperiment(pid, newID(), "b")})
	})
	es, err := f.client().Experiments.List(t.Context(), pid)
	if err != nil || len(es) != 2 {
		t.Fatalf("List = %d experiments, %v; want 2", len(es), err)
	}
}

func TestExperimentsService_ListPages(t *testing.T) {
	f := newFakeAPI(t)
	pid := newID()
	f.handle("GET /projects/{project_id}/experiments/paginated", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("include_counts") != "false" || q.Get("limit") != "100" {
			t.Errorf("query %q: want include_counts=false and limit=100", r.URL.RawQuery)
		}
		if q.Get("starting_token") == "0" {
			serveJSON(w, 200, ListExperimentResponse{Page: Page{NextStartingToken: ptr(1)}, Experiments: []ExperimentResponse{fxExperiment(pid, newID(), "a")}})
			return
		}
		serveJSON(w, 200, ListExperimentResponse{Page: Page{StartingToken: 1}, Experiments: []ExperimentResponse{fxExperiment(pid, newID(), "b")}})
	})
	var names []string
	for e, err := range f.client().Experiments.ListPages(t.Context(), pid) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, e.Name)
	}
	if strings.Join(names, ",") != "a,b" {
		t.Errorf("got %v, want a,b", names)
	}
}

func TestExperimentsService_Update(t *testing.T) {
	f := newFakeAPI(t)
	pid, eid := newID(), newID()
	f.handle("PUT /projects/{project_id}/experiments/{experiment_id}", func(w http.ResponseWriter, r *http.Request) {
		body := decodeBody[ExperimentUpdateRequest](t, r)
		if body.Name != "renamed" || body.TaskType != 16 {
			t.Errorf("body %+v: want name renamed, task_type 16", body)
		}
		serveJSON(w, 200, fxExperiment(pid, eid, body.Name))
	})
	e, err := f.client().Experiments.Update(t.Context(), pid, eid, ExperimentUpdateRequest{Name: "renamed"})
	if err != nil || e.Name != "renamed" {
		t.Fatalf("Update = %v, %v", e, err)
	}
}

func TestExperimentsService_Delete(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("DELETE /projects/{project_id}/experiments/{experiment_id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	if err := f.client().Experiments.Delete(t.Context(), newID(), newID()); err != nil {
		t.Fatal(err)
	}
	f2 := newFakeAPI(t)
	f2.handle("DELETE /projects/{project_id}/experiments/{experiment_id}", notFound)
	if err := f2.client().Experiments.Delete(t.Context(), newID(), newID()); !errors.Is(err, ErrNotFound) {
		t.Errorf("error %v: want ErrNotFound", err)
	}
}

func TestExperimentsService_AvailableColumns(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("POST /projects/{project_id}/experiments/available_columns", func(w http.ResponseWriter, r *http.Request) {
		if b, _ := io.ReadAll(r.Body); len(b) != 0 || r.Header.Get("Content-Type") != "" {
			t.Errorf("request has body %q (Content-Type %q); want none", b, r.Header.Get("Content-Type"))
		}
		serveJSON(w, 200, ColumnsResponse{Columns: []ColumnInfo{fxColumn("metrics/"+idCorrectness, "Correctness", "correctness"), fxColumn("name", "Name", "")}})
	})
	cols, err := f.client().Experiments.AvailableColumns(t.Context(), newID())
	if err != nil {
		t.Fatal(err)
	}
	if c := cols.ByLabel("Correctness"); c == nil || c.ID != "metrics/"+idCorrectness {
		t.Errorf("ByLabel(Correctness) = %v", c)
	}
	if c := cols.ByMetricKeyAlias("correctness"); c == nil || c.ID != "metrics/"+idCorrectness {
		t.Errorf("ByMetricKeyAlias(correctness) = %v", c)
	}
	if c := cols.Get("name"); c == nil || *c.Label != "Name" {
		t.Errorf("Get(name) = %v", c)
	}
	if cols.Get("nope") != nil || cols.ByLabel("nope") != nil {
		t.Error("a missing column was found")
	}
	if ids := cols.IDs(); len(ids) != 2 || ids[1] != "name" {
		t.Errorf("IDs() = %v", ids)
	}
}

func TestExperimentsService_Metrics(t *testing.T) {
	f := newFakeAPI(t)
	answer := ExperimentMetricsResponse{Metrics: []BucketedMetric{{Name: "correctness", Buckets: map[string]int64{"0.0-0.5": 1, "0.5-1.0": 3}, Average: ptr(0.75)}}}
	check := func(w http.ResponseWriter, r *http.Request) {
		body := rawBody(t, r)
		if flt, ok := body["filters"].([]any); !ok || (r.PathValue("experiment_id") == "" && len(flt) != 0) {
			t.Errorf("body %v: want a filters list", body)
		}
		serveJSON(w, 200, answer)
	}
	f.handle("POST /projects/{project_id}/experiments/{experiment_id}/metrics", check)
	f.handle("POST /projects/{project_id}/experiments/metrics", check)
	c := f.client()
	m, err := c.Experiments.Metrics(t.Context(), newID(), newID(), []Filter{{ColumnID: "input", Operator: "contains", Value: "x", Type: "text"}})
	if err != nil || len(m.Metrics) != 1 || *m.Metrics[0].Average != 0.75 {
		t.Fatalf("Metrics = %+v, %v", m, err)
	}
	if _, err := c.Experiments.ProjectMetrics(t.Context(), newID(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestExperimentsService_MetricSettings(t *testing.T) {
	f := newFakeAPI(t)
	scorer := fxScorer(idCorrectness, "correctness", "Correctness")
	sc := scorer.Config()
	f.json("GET /projects/{project_id}/experiments/{experiment_id}/metric_settings", 200, MetricSettingsResponse{Scorers: []ScorerConfig{}})
	f.handle("PATCH /projects/{project_id}/experiments/{experiment_id}/metric_settings", func(w http.ResponseWriter, r *http.Request) {
		body := decodeBody[MetricSettingsRequest](t, r)
		serveJSON(w, 200, MetricSettingsResponse{Scorers: body.Scorers})
	})
	c := f.client()
	pid, eid := newID(), newID()
	got, err := c.Experiments.MetricSettings(t.Context(), pid, eid)
	if err != nil || len(got.Scorers) != 0 {
		t.Fatalf("MetricSettings = %+v, %v", got, err)
	}
	got, err = c.Experiments.UpdateMetricSettings(t.Context(), pid, eid, MetricSettingsRequest{Scorers: []ScorerConfig{sc}})
	if err != nil || len(got.Scorers) != 1 || got.Scorers[0].ID != idCorrectness {
		t.Fatalf("UpdateMetricSettings = %+v, %v", got, err)
	}
}

func TestExperimentsService_emptyIDs(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client()
	ctx := t.Context()
	for name, call := range map[string]func() error{
		"Get":       func() error { _, err := c.Experiments.Get(ctx, "", "x"); return err },
		"GetByName": func() error { _, err := c.Experiments.GetByName(ctx, "p", ""); return err },
		"Create":    func() error { _, err := c.Experiments.Create(ctx, "", ExperimentCreateRequest{Name: "x"}); return err },
		"Delete":    func() error { return c.Experiments.Delete(ctx, "p", "") },
		"ListPages": func() error { _, err := Collect(c.Experiments.ListPages(ctx, "")); return err },
		"AddTag":    func() error { _, err := c.Experiments.AddTag(ctx, "p", "e", RunTagCreateRequest{}); return err },
	} {
		if err := call(); err == nil || !strings.Contains(err.Error(), "empty") {
			t.Errorf("%s: error %v: want one naming the empty argument", name, err)
		}
	}
	if n := len(f.calls()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// cutConnection closes the connection of w without an answer, as a proxy
// that drops it after the request was processed would.
func cutConnection(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijacking the connection: %v", err)
		return
	}
	_ = conn.Close()
}

// The server creates the experiment and then cuts the connection. By
// default Create finds it by name; with WithoutNameLookup it neither looks
// nor repeats the create, and says that the outcome is unknown, because an
// experiment of that name may be another process's.
func TestExperimentsService_Create_nameLookup(t *testing.T) {
	tests := []struct {
		name        string
		opts        []CreateOption
		firstStatus int // 0: cut the connection after storing the experiment
		wantErr     bool
		wantCreates int
		wantSearch  int
	}{
		{name: "lookup on: the processed create is found",
			wantCreates: 1, wantSearch: 1},
		{name: "WithoutNameLookup: connection cut, not retried",
			opts: []CreateOption{WithoutNameLookup()}, wantErr: true, wantCreates: 1},
		{name: "WithoutNameLookup: 503, not retried",
			opts: []CreateOption{WithoutNameLookup()}, firstStatus: http.StatusServiceUnavailable, wantErr: true, wantCreates: 1},
		{name: "WithoutNameLookup: 429 is still retried",
			opts: []CreateOption{WithoutNameLookup()}, firstStatus: http.StatusTooManyRequests, wantCreates: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			if tc.firstStatus == 0 {
				// The contract check sees the cut connection as an
				// answer without a body; requests are still checked.
				f.allowMalformedAnswers()
			}
			pid, mine := newID(), newID()
			// Another process's experiment of the same name already exists.
			stored := []ExperimentResponse{fxExperiment(pid, newID(), "nightly")}
			var mu sync.Mutex
			creates, searches := 0, 0
			f.handle("POST /projects/{project_id}/experiments", func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				creates++
				switch {
				case creates > 1:
				case tc.firstStatus == http.StatusTooManyRequests:
					serveJSON(w, tc.firstStatus, map[string]string{"detail": "slow down"})
					return
				case tc.firstStatus != 0:
					stored = append(stored, fxExperiment(pid, mine, "nightly"))
					serveJSON(w, tc.firstStatus, map[string]string{"detail": "upstream timeout"})
					return
				default:
					stored = append(stored, fxExperiment(pid, mine, "nightly"))
					cutConnection(t, w)
					return
				}
				e := fxExperiment(pid, mine, "nightly")
				stored = append(stored, e)
				serveJSON(w, 200, e)
			})
			f.handle("POST /projects/{project_id}/experiments/search", func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				searches++
				// The newest first, as the console lists them.
				res := ListExperimentResponse{Experiments: slices.Clone(stored)}
				slices.Reverse(res.Experiments)
				serveJSON(w, 200, res)
			})
			e, err := f.client(WithRetry(3, 0, 0)).Experiments.Create(t.Context(), pid, ExperimentCreateRequest{Name: "nightly"}, tc.opts...)
			if tc.wantErr {
				if !errors.Is(err, ErrOutcomeUnknown) {
					t.Fatalf("error %v: want one matching ErrOutcomeUnknown", err)
				}
				if msg := err.Error(); !strings.HasPrefix(msg, "galileo: POST /projects/"+pid+"/experiments: not retried, because the request may have reached the server") {
					t.Errorf("error %q: want it to say that the create may have reached the server", msg)
				}
				if e != nil {
					t.Errorf("got experiment %v with the error", e)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if e.ID != mine {
					t.Errorf("got experiment %s, want the one just created (%s)", e.ID, mine)
				}
				if errors.Is(err, ErrOutcomeUnknown) {
					t.Error("a successful create matches ErrOutcomeUnknown")
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if creates != tc.wantCreates || searches != tc.wantSearch {
				t.Errorf("%d creates and %d searches sent, want %d and %d", creates, searches, tc.wantCreates, tc.wantSearch)
			}
		})
	}
}
