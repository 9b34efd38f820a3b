package galileo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/internal/apispec"
	"github.com/google/uuid"
)

// This file holds the fake API that every test of the package talks to.
// It validates every request the client sends, and every answer the test
// serves, against the OpenAPI document (internal/apispec); a violation fails
// the test. The API is mounted under /api to catch absolute-path bugs.

// testBasePath is where the fake mounts the API.
const testBasePath = "/api"

// testConsole is the console URL of test clients.
const testConsole = "https://console.example.test"

// fakeAPI is an httptest server (127.0.0.1) serving the handlers a test
// registers, behind the OpenAPI contract check.
type fakeAPI struct {
	t       testing.TB
	mux     *http.ServeMux
	handler http.Handler // contract-checked
	srv     *httptest.Server
	rec     *apispec.Recorder

	mu       sync.Mutex
	requests []string // "METHOD /path?query", below testBasePath
	// lenient: the test serves deliberately malformed answers; only
	// request violations fail it.
	lenient bool
}

// newFakeAPI starts the fake; it stops when the test ends, after reporting
// every contract violation and every request no handler expected.
func newFakeAPI(t testing.TB) *fakeAPI {
	t.Helper()
	v, err := apispec.Load(apispec.WithBasePath(testBasePath))
	if err != nil {
		t.Fatalf("loading the OpenAPI document: %v", err)
	}
	f := &fakeAPI{t: t, mux: http.NewServeMux(), rec: &apispec.Recorder{}}
	f.handler = v.Middleware(http.StripPrefix(testBasePath, http.HandlerFunc(f.serve)), f.rec)
	f.srv = httptest.NewServer(f.handler)
	t.Cleanup(func() {
		f.srv.Close()
		for _, err := range f.rec.Violations() {
			var ae *apispec.Error
			if f.lenient && errors.As(err, &ae) && ae.Status != 0 {
				continue // a deliberately malformed answer
			}
			t.Errorf("OpenAPI contract violation: %v", err)
		}
	})
	return f
}

// handle registers a handler for an http.ServeMux pattern such as
// "GET /projects/{project_id}".
func (f *fakeAPI) handle(pattern string, h http.HandlerFunc) { f.mux.HandleFunc(pattern, h) }

// json registers a handler answering status with v as JSON.
func (f *fakeAPI) json(pattern string, status int, v any) {
	f.handle(pattern, func(w http.ResponseWriter, r *http.Request) { serveJSON(w, status, v) })
}

// allowMalformedAnswers lets the test serve answers that break the
// contract (to test decoding errors); requests are still checked.
func (f *fakeAPI) allowMalformedAnswers() { f.lenient = true }

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	line := r.Method + " " + r.URL.Path
	if r.URL.RawQuery != "" {
		line += "?" + r.URL.RawQuery
	}
	f.mu.Lock()
	f.requests = append(f.requests, line)
	f.mu.Unlock()
	if _, pattern := f.mux.Handler(r); pattern == "" {
		f.t.Errorf("unexpected request %s", line)
		serveJSON(w, http.StatusNotImplemented, map[string]string{"detail": "no handler in test"})
		return
	}
	f.mux.ServeHTTP(w, r)
}

// calls returns the requests served so far, as "METHOD /path?query".
func (f *fakeAPI) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// count returns how many requests started with prefix ("POST /projects").
func (f *fakeAPI) count(prefix string) int {
	n := 0
	for _, c := range f.calls() {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

// client returns a client of the fake with a JWT, a console URL, one
// attempt per call unless opts say otherwise, and waits between attempts
// skipped.
func (f *fakeAPI) client(opts ...Option) *Client {
	f.t.Helper()
	base := []Option{
		WithBaseURL(f.srv.URL + testBasePath), WithJWT(testJWT), WithConsoleURL(testConsole),
		WithHTTPClient(f.srv.Client()), WithRetry(1, 0, 0),
	}
	c, err := NewClient(append(base, opts...)...)
	if err != nil {
		f.t.Fatalf("NewClient: %v", err)
	}
	c.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	return c
}

// inProcessClient is client with a transport that calls the checked
// handler directly, without sockets (for synctest bubbles).
func (f *fakeAPI) inProcessClient(opts ...Option) *Client {
	f.t.Helper()
	hc := &http.Client{Transport: inProcessTransport(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, r)
		return rec.Result(), nil
	})}
	return f.client(append([]Option{WithHTTPClient(hc)}, opts...)...)
}

type inProcessTransport func(*http.Request) (*http.Response, error)

func (fn inProcessTransport) RoundTrip(r *http.Request) (*http.Response, error) { return fn(r) }

// testJWT is an unsigned-looking token the client sends as is.
const testJWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl"

func serveJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// notFound answers 404 as the API does.
func notFound(w http.ResponseWriter, _ *http.Request) {
	serveJSON(w, http.StatusNotFound, map[string]string{"detail": "Not found"})
}

// unprocessable answers a 422 validation error.
func unprocessable(w http.ResponseWriter, _ *http.Request) {
	serveJSON(w, http.StatusUnprocessableEntity, HTTPValidationError{Detail: []ValidationError{
		{Loc: []any{"body", "name"}, Msg: "field required", Type: "missing"},
	}})
}

// decodeBody decodes a JSON request body into a fresh T, failing the test
// on error.
func decodeBody[T any](t testing.TB, r *http.Request) T {
	t.Helper()
	var v T
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("reading the request body: %v", err)
		return v
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Errorf("decoding the request body %s: %v", b, err)
	}
	return v
}

// rawBody decodes a JSON request body as a generic map.
func rawBody(t testing.TB, r *http.Request) map[string]any {
	t.Helper()
	return decodeBody[map[string]any](t, r)
}

// Fixtures: answers that satisfy the OpenAPI document.

var fxTime = time.Date(2026, 7, 30, 18, 38, 55, 42_000_000, time.UTC)

func newID() string { return uuid.NewString() }

func fxUser() UserInfo {
	return UserInfo{ID: "0b7c1e2a-3a51-4d0c-9a53-2f5ad6f9b0a1", Email: "dev@example.test"}
}

func fxProject(id, name string) Project {
	u := fxUser()
	return Project{ID: id, Name: &name, Type: ptr(ProjectTypeGenAI), CreatedBy: u.ID, CreatedByUser: u,
		Runs: []any{}, CreatedAt: fxTime, UpdatedAt: fxTime, Permissions: []any{}, Labels: []string{}}
}

func fxDataset(id, name string, rows int) Dataset {
	u := fxUser()
	return Dataset{ID: id, Name: name, CreatedAt: fxTime, UpdatedAt: fxTime, NumRows: &rows,
		ColumnNames: []string{"input", "output"}, CreatedByUser: &u, CurrentVersionIndex: 3, Permissions: []any{}}
}

func fxRow(i int, input, output string) DatasetRow {
	u := fxUser()
	return DatasetRow{RowID: newID(), Index: i, Values: []any{input, output},
		ValuesDict: map[string]any{"input": input, "output": output},
		Metadata: &DatasetRowMetadata{CreatedInVersion: 1, CreatedAt: fxTime, CreatedByUser: &u,
			UpdatedInVersion: 1, UpdatedAt: fxTime, UpdatedByUser: &u}}
}

func fxContent(rows []DatasetRow, start int, next *int) DatasetContent {
	if rows == nil {
		rows = []DatasetRow{}
	}
	return DatasetContent{Page: Page{StartingToken: start, Limit: 100, NextStartingToken: next},
		ColumnNames: []string{"input", "output"}, Rows: rows}
}

func fxExperiment(pid, eid, name string) ExperimentResponse {
	return ExperimentResponse{ID: eid, ProjectID: pid, TaskType: TaskTypeExperiment, Name: name,
		CreatedAt: fxTime, AggregateMetrics: map[string]any{}, Tags: map[string][]RunTag{}}
}

func fxScorer(id, name, label string) Scorer {
	s := Scorer{ID: id, Name: name, ScorerType: "preset", Tags: []string{"preset"}}
	if label != "" {
		s.Label = &label
	}
	return s
}

func fxTemplate(id, name, versionID string) PromptTemplate {
	u := fxUser()
	v := PromptTemplateVersion{ID: versionID, Version: 1, Template: json.RawMessage(`[{"role":"user","content":"{{input}}"}]`),
		Settings: DefaultPromptSettings(), CreatedAt: fxTime, UpdatedAt: fxTime, CreatedByUser: &u}
	v.Settings.ModelAlias = "template-model"
	return PromptTemplate{ID: id, Name: name, Template: "{{input}}", SelectedVersion: v, SelectedVersionID: versionID,
		AllVersions: []PromptTemplateVersion{v}, AllAvailableVersions: []int{1}, TotalVersions: 1, MaxVersion: 1,
		CreatedAt: fxTime, UpdatedAt: fxTime, CreatedByUser: &u, Permissions: []any{}}
}

func fxTag(pid, eid, key, value, typ string) RunTag {
	return RunTag{ID: newID(), Key: key, Value: value, TagType: typ, ProjectID: pid, RunID: eid,
		CreatedBy: fxUser().ID, CreatedAt: fxTime, UpdatedAt: fxTime}
}

func fxJob(pid, runID, name, status string) Job {
	return Job{ID: newID(), JobName: name, ProjectID: pid, RunID: runID, Status: status,
		RequestData: map[string]any{}, CreatedAt: fxTime, UpdatedAt: fxTime}
}

// fxTraceRecord is a trace record as search returns it.
func fxTraceRecord(pid, eid, input string) map[string]any {
	id := newID()
	return map[string]any{"type": "trace", "id": id, "session_id": id, "trace_id": id, "project_id": pid,
		"run_id": eid, "name": "t", "input": input, "output": "out", "created_at": fxTime.Format(time.RFC3339Nano),
		"user_metadata": map[string]string{}, "tags": []string{}, "metrics": map[string]any{"duration_ns": 1000},
		"dataset_metadata": map[string]string{}, "is_complete": true}
}

func fxColumn(id, label, alias string) ColumnInfo {
	c := ColumnInfo{ID: id, Category: "metric", DataType: ptr("floating_point"), Sortable: true, Filterable: true}
	if label != "" {
		c.Label = &label
	}
	if alias != "" {
		c.MetricKeyAlias = &alias
	}
	return c
}

// TestFakeAPI_ContractCheck proves the helper catches a request that breaks
// the document: a path parameter that is not a UUID.
func TestFakeAPI_ContractCheck(t *testing.T) {
	t.Parallel()
	v, err := apispec.Load(apispec.WithBasePath(testBasePath))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, testBasePath+"/projects/not-a-uuid", nil)
	if err := v.ValidateRequest(r, nil); err == nil {
		t.Fatal("ValidateRequest accepted a project id that is not a UUID; the contract check is not working")
	}
	bad := httptest.NewRequest(http.MethodPost, testBasePath+"/projects/"+newID()+"/experiments", nil)
	if err := v.ValidateResponse(bad, 200, http.Header{"Content-Type": {"application/json"}}, []byte(`{"name": 5}`)); err == nil {
		t.Fatal("ValidateResponse accepted an experiment without id; the contract check is not working")
	}
}

// recordingTB captures what newFakeAPI reports, to test the helper itself.
type recordingTB struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Cleanup(fn func()) { r.cleanups = append(r.cleanups, fn) }
func (r *recordingTB) finish() []string {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	return r.errs
}

// TestFakeAPI_reportsViolations proves that the helper every test uses
// fails a test whose client sends, or whose handler answers, something the
// document forbids, and one that sends an unexpected request.
func TestFakeAPI_reportsViolations(t *testing.T) {
	tests := []struct {
		name string
		run  func(ctx context.Context, f *fakeAPI)
		want string
	}{
		{"bad answer", func(ctx context.Context, f *fakeAPI) {
			f.json("GET /projects/{project_id}", 200, map[string]any{"id": 5})
			_, _ = f.client().Projects.Get(ctx, newID())
		}, "response 200 to GET"},
		{"bad request", func(ctx context.Context, f *fakeAPI) {
			f.json("GET /projects/{project_id}", 200, fxProject(newID(), "p"))
			_, _ = f.client().Projects.Get(ctx, "not-a-uuid")
		}, "request GET"},
		{"unexpected request", func(ctx context.Context, f *fakeAPI) {
			_, _ = f.client().Projects.List(ctx)
		}, "unexpected request GET /projects/all"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := &recordingTB{TB: t}
			f := newFakeAPI(rt)
			tc.run(t.Context(), f)
			errs := rt.finish()
			if len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), tc.want) {
				t.Errorf("reported %q, want a report containing %q", errs, tc.want)
			}
		})
	}
}
