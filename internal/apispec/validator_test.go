package apispec_test

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/galileo-community/galileo-go/internal/apispec"
)

const (
	projectID    = "8b0d7c1e-1a51-4d0c-9a53-2f5ad6f9b0a1"
	experimentID = "5c9e2a7b-0f4d-4c1e-9b8a-3d2f1e0c9b8a"
	datasetID    = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
)

// createExperimentBody is the body of FLOWS 6.1 with concrete values.
const createExperimentBody = `{
  "name": "nightly-qa",
  "task_type": 16,
  "dataset": {"dataset_id": "` + datasetID + `", "version_index": 3},
  "prompt_template_version_id": "3e1f0c55-63b7-4f0e-8f52-4c1e7f3a9d10",
  "prompt_settings": {"model_alias": "GPT-4o", "temperature": 0.2, "max_tokens": 256},
  "scorers": [{"id": "aed89cbc-5515-43c3-87ae-39c3c44c043e", "name": "correctness", "label": "Correctness", "scorer_type": "preset", "tags": ["preset"]}],
  "trigger": true
}`

// experimentResponse is a complete ExperimentResponse (FLOWS 8.1).
const experimentResponse = `{
  "id": "` + experimentID + `",
  "project_id": "` + projectID + `",
  "task_type": 16,
  "name": "nightly-qa",
  "created_at": "2026-07-30T18:38:55.042000+00:00",
  "updated_at": null,
  "created_by": null,
  "num_spans": null,
  "dataset": {"dataset_id": "` + datasetID + `", "version_index": 3, "name": "qa"},
  "aggregate_metrics": {"average_correctness": 0.8, "total_responses": 10},
  "structured_aggregate_metrics": {
    "aed89cbc-5515-43c3-87ae-39c3c44c043e": {"avg": 0.8, "sum": 8.0, "min": 0.0, "max": 1.0, "count": 10, "pct": null,
      "p50": 1.0, "p90": 1.0, "p95": 1.0, "p99": 1.0, "value_distribution": {"0": 2, "1": 8}},
    "cost": {"avg": 0.0012, "sum": 0.012, "count": 10}
  },
  "ranking_score": null, "rank": 1, "winner": true,
  "tags": {},
  "status": {"log_generation": {"progress_percent": 1.0}},
  "experiment_group_id": null, "experiment_group_name": "qa Experiment Group", "experiment_group_is_system": false
}`

func load(t testing.TB, opts ...apispec.Option) *apispec.Validator {
	t.Helper()
	v, err := apispec.Load(opts...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return v
}

func newRequest(t testing.TB, method, target, contentType, body string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, "http://127.0.0.1:8088"+target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func multipartBody(t testing.TB, fields map[string]string) (contentType, body string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("file", "rows.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(`{"input": "q", "output": "a"}` + "\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.String()
}

func TestLoad(t *testing.T) {
	v1 := load(t)
	v2 := load(t, apispec.WithBasePath("/api"))
	if v1 == nil || v2 == nil {
		t.Fatal("Load returned a nil Validator")
	}
	if _, err := apispec.Load(apispec.AllowRoutes("GET /current_user", "GET /current_user")); err == nil {
		t.Error("Load with a duplicate AllowRoutes pattern: got nil error, want one")
	}
	if _, err := apispec.Load(apispec.WithBasePath("api")); err == nil {
		t.Error("Load with a relative base path: got nil error, want one")
	}
}

func TestValidator_ValidateRequest(t *testing.T) {
	v := load(t, apispec.AllowRoutes(apispec.OffSpecRoutes()...))
	experiments := "/projects/" + projectID + "/experiments"
	uploadCT, uploadBody := multipartBody(t, map[string]string{"name": "qa", "append_suffix_if_duplicate": "False"})
	badUploadCT, badUploadBody := multipartBody(t, map[string]string{"name": "qa", "draft": "perhaps"})

	tests := []struct {
		name        string
		method      string
		target      string
		contentType string
		body        string
		wantIn      []string // substrings of the error; nil means valid
		unknown     bool     // error must match ErrUnknownRoute
	}{
		{name: "create experiment (FLOWS 6.1)", method: "POST", target: experiments, contentType: "application/json", body: createExperimentBody},
		{name: "minimal create", method: "POST", target: experiments, contentType: "application/json; charset=utf-8", body: `{"name": "x"}`},
		{name: "unknown body field and path param repeated in query are tolerated", method: "POST",
			target: experiments + "?project_id=" + projectID + "&extra=1", contentType: "application/json", body: `{"name": "x", "sdk_extra": true}`},
		{name: "task_type as a word", method: "POST", target: experiments, contentType: "application/json",
			body: `{"name": "x", "task_type": "sixteen"}`, wantIn: []string{`"/task_type"`, "ExperimentCreateRequest", "want integer"}},
		{name: "name as a number", method: "POST", target: experiments, contentType: "application/json",
			body: `{"name": 5}`, wantIn: []string{`"/name"`, "got number, want string"}},
		{name: "name missing", method: "POST", target: experiments, contentType: "application/json",
			body: `{"task_type": 16}`, wantIn: []string{"missing property 'name'"}},
		{name: "empty required body", method: "POST", target: experiments, contentType: "application/json",
			wantIn: []string{"body: required but empty"}},
		{name: "malformed JSON", method: "POST", target: experiments, contentType: "application/json",
			body: `{"name": `, wantIn: []string{"invalid JSON"}},
		{name: "undeclared content type", method: "POST", target: experiments, contentType: "text/plain",
			body: `{"name": "x"}`, wantIn: []string{`Content-Type "text/plain" is not declared`, `"application/json"`}},
		{name: "project id not a UUID", method: "GET", target: "/projects/my-project/experiments",
			wantIn: []string{`path parameter "project_id"`, `"uuid4"`}},
		{name: "declared query parameter of wrong type", method: "GET", target: experiments + "?include_counts=maybe",
			wantIn: []string{`query parameter "include_counts"`}},
		{name: "declared query parameter", method: "GET", target: experiments + "?include_counts=true"},
		{name: "body on an operation without one", method: "GET", target: experiments, contentType: "application/json",
			body: `{}`, wantIn: []string{"declares no request body"}},
		{name: "v2 trace route checked as the spec route", method: "POST", target: "/v2/projects/" + projectID + "/traces",
			contentType: "application/json", body: `{"experiment_id": "` + experimentID + `"}`, wantIn: []string{"missing property 'traces'"}},
		{name: "form login", method: "POST", target: "/login", contentType: "application/x-www-form-urlencoded", body: "username=a%40b.c&password=pw"},
		{name: "form login without username", method: "POST", target: "/login", contentType: "application/x-www-form-urlencoded",
			body: "password=pw", wantIn: []string{"missing property 'username'"}},
		{name: "multipart dataset upload", method: "POST", target: "/datasets", contentType: uploadCT, body: uploadBody},
		{name: "multipart dataset upload with a bad boolean", method: "POST", target: "/datasets", contentType: badUploadCT,
			body: badUploadBody, wantIn: []string{"draft"}},
		{name: "multipart sent as JSON type", method: "POST", target: "/datasets", contentType: "application/json",
			body: `{}`, wantIn: []string{`"multipart/form-data"`}},
		{name: "unknown route", method: "GET", target: "/nowhere", unknown: true, wantIn: []string{"route not in the OpenAPI document"}},
		{name: "known path, undeclared method", method: "DELETE", target: "/healthcheck", unknown: true,
			wantIn: []string{"not for method DELETE"}},
		{name: "v2 prefix of a route the spec lacks", method: "GET", target: "/v2/nowhere", unknown: true},
		{name: "allowed off-spec route", method: "GET", target: "/current_user"},
		{name: "allowed off-spec subtree", method: "POST", target: "/ingest/traces/" + projectID, contentType: "application/json", body: `{}`},
		{name: "allowed pattern does not widen methods", method: "DELETE", target: "/current_user", unknown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(t, tt.method, tt.target, tt.contentType, tt.body)
			err := v.ValidateRequest(r, []byte(tt.body))
			if tt.wantIn == nil && !tt.unknown {
				if err != nil {
					t.Fatalf("ValidateRequest: %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateRequest: nil, want an error containing %q", tt.wantIn)
			}
			for _, s := range tt.wantIn {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("ValidateRequest error\n%v\ndoes not contain %q", err, s)
				}
			}
			if got := errors.Is(err, apispec.ErrUnknownRoute); got != tt.unknown {
				t.Errorf("errors.Is(err, ErrUnknownRoute) = %v, want %v (err: %v)", got, tt.unknown, err)
			}
			var e *apispec.Error
			if !errors.As(err, &e) || len(e.Problems) == 0 || e.Method != tt.method {
				t.Errorf("error %#v is not an *apispec.Error with problems for method %s", err, tt.method)
			}
		})
	}
}

func TestValidator_ValidateRequest_withoutAllowList(t *testing.T) {
	v := load(t)
	err := v.ValidateRequest(newRequest(t, "GET", "/current_user", "", ""), nil)
	if !errors.Is(err, apispec.ErrUnknownRoute) {
		t.Fatalf("GET /current_user without AllowRoutes: got %v, want ErrUnknownRoute", err)
	}
}

func TestValidator_Route(t *testing.T) {
	v := load(t)
	api := load(t, apispec.WithBasePath("/api/"))
	tests := []struct {
		name   string
		v      *apispec.Validator
		method string
		target string
		want   string
	}{
		{"v2 traces", v, "POST", "/v2/projects/" + projectID + "/traces", "POST /projects/{project_id}/traces"},
		{"v2 trace by id", v, "PATCH", "/v2/projects/" + projectID + "/traces/" + experimentID, "PATCH /projects/{project_id}/traces/{trace_id}"},
		{"v2 session search", v, "POST", "/v2/projects/" + projectID + "/sessions/search", "POST /projects/{project_id}/sessions/search"},
		{"plain traces", v, "POST", "/projects/" + projectID + "/traces", "POST /projects/{project_id}/traces"},
		{"literal segment wins over a parameter", v, "POST", "/projects/" + projectID + "/experiments/available_columns",
			"POST /projects/{project_id}/experiments/available_columns"},
		{"parameter segment", v, "GET", "/projects/" + projectID + "/experiments/" + experimentID,
			"GET /projects/{project_id}/experiments/{experiment_id}"},
		{"query ignored", v, "GET", "/healthcheck?x=1", "GET /healthcheck"},
		{"base path removed", api, "GET", "/api/healthcheck", "GET /healthcheck"},
		{"base path and v2", api, "POST", "/api/v2/projects/" + projectID + "/spans", "POST /projects/{project_id}/spans"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.v.Route(newRequest(t, tt.method, tt.target, "", ""))
			if err != nil || got != tt.want {
				t.Errorf("Route(%s %s) = %q, %v; want %q, nil", tt.method, tt.target, got, err, tt.want)
			}
		})
	}
	if _, err := api.Route(newRequest(t, "GET", "/healthcheck", "", "")); !errors.Is(err, apispec.ErrUnknownRoute) {
		t.Errorf("Route outside the base path: got %v, want ErrUnknownRoute", err)
	}
	if _, err := api.Route(newRequest(t, "GET", "/apihealthcheck", "", "")); !errors.Is(err, apispec.ErrUnknownRoute) {
		t.Errorf("Route sharing only a name prefix with the base path: got %v, want ErrUnknownRoute", err)
	}
}

func TestValidator_ValidateResponse(t *testing.T) {
	v := load(t)
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	create := newRequest(t, "POST", "/projects/"+projectID+"/experiments", "application/json", createExperimentBody)
	del := newRequest(t, "DELETE", "/projects/"+projectID+"/experiments/"+experimentID, "", "")
	export := newRequest(t, "POST", "/projects/"+projectID+"/export_records", "application/json", `{}`)
	list := newRequest(t, "GET", "/projects/"+projectID+"/experiments", "", "")

	tests := []struct {
		name   string
		req    *http.Request
		status int
		header http.Header
		body   string
		wantIn []string
	}{
		{name: "complete ExperimentResponse", req: create, status: 200, header: jsonHeader, body: experimentResponse},
		{name: "minimal ExperimentResponse", req: create, status: 200, header: jsonHeader,
			body: `{"id": "` + experimentID + `", "project_id": "` + projectID + `", "task_type": 16}`},
		{name: "id missing", req: create, status: 200, header: jsonHeader,
			body: `{"project_id": "` + projectID + `", "task_type": 16}`, wantIn: []string{"missing property 'id'", "ExperimentResponse"}},
		{name: "structured_aggregate_metrics of wrong type", req: create, status: 200, header: jsonHeader,
			body:   `{"id": "` + experimentID + `", "project_id": "` + projectID + `", "task_type": 16, "structured_aggregate_metrics": [1]}`,
			wantIn: []string{`"/structured_aggregate_metrics"`}},
		{name: "metric aggregate count not an integer", req: create, status: 200, header: jsonHeader,
			body:   `{"id": "` + experimentID + `", "project_id": "` + projectID + `", "task_type": 16, "structured_aggregate_metrics": {"cost": {"count": 1.5}}}`,
			wantIn: []string{`"/structured_aggregate_metrics/cost/count"`}},
		{name: "timestamp without zone", req: create, status: 200, header: jsonHeader,
			body:   `{"id": "` + experimentID + `", "project_id": "` + projectID + `", "task_type": 16, "created_at": "2026-07-30T18:38:55"}`,
			wantIn: []string{`"/created_at"`, `"date-time"`}},
		{name: "progress above 1", req: create, status: 200, header: jsonHeader,
			body:   `{"id": "` + experimentID + `", "project_id": "` + projectID + `", "task_type": 16, "status": {"log_generation": {"progress_percent": 100}}}`,
			wantIn: []string{`"/status/log_generation/progress_percent"`}},
		{name: "array response", req: list, status: 200, header: jsonHeader, body: `[` + experimentResponse + `]`},
		{name: "array item checked", req: list, status: 200, header: jsonHeader, body: `[{"id": 1}]`, wantIn: []string{`"/0/id"`}},
		{name: "undeclared success status", req: create, status: 201, header: jsonHeader, body: experimentResponse,
			wantIn: []string{"status 201 is not declared", "200"}},
		{name: "undeclared error status is not checked", req: create, status: 404, header: jsonHeader, body: `{"detail": "not found"}`},
		{name: "declared 422 must be HTTPValidationError", req: create, status: 422, header: jsonHeader, body: `{"detail": "bad"}`,
			wantIn: []string{"HTTPValidationError", `"/detail"`}},
		{name: "declared 422", req: create, status: 422, header: jsonHeader,
			body: `{"detail": [{"loc": ["body", "name"], "msg": "Field required", "type": "missing"}]}`},
		{name: "delete 204", req: del, status: 204},
		{name: "delete 200 is not declared", req: del, status: 200, header: jsonHeader, body: `{}`, wantIn: []string{"status 200 is not declared", "204"}},
		{name: "JSON lines export stream is not parsed", req: export, status: 200, header: http.Header{"Content-Type": {"application/jsonl"}},
			body: `{"id": 1}` + "\n" + `{"id": 2}` + "\n"},
		{name: "wrong content type", req: create, status: 200, header: http.Header{"Content-Type": {"text/html"}}, body: `<html>`,
			wantIn: []string{`Content-Type "text/html" is not declared`}},
		{name: "empty JSON body", req: create, status: 200, header: jsonHeader, wantIn: []string{"empty, want a JSON document"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.ValidateResponse(tt.req, tt.status, tt.header, []byte(tt.body))
			if tt.wantIn == nil {
				if err != nil {
					t.Fatalf("ValidateResponse: %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateResponse: nil, want an error containing %q", tt.wantIn)
			}
			for _, s := range tt.wantIn {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("ValidateResponse error\n%v\ndoes not contain %q", err, s)
				}
			}
			var e *apispec.Error
			if !errors.As(err, &e) || e.Status != tt.status {
				t.Errorf("error %#v is not an *apispec.Error for status %d", err, tt.status)
			}
		})
	}
}

func TestValidator_ValidateResponse_unknownRoute(t *testing.T) {
	v := load(t)
	err := v.ValidateResponse(newRequest(t, "GET", "/current_user", "", ""), 200, http.Header{"Content-Type": {"application/json"}}, []byte(`{}`))
	if !errors.Is(err, apispec.ErrUnknownRoute) {
		t.Fatalf("got %v, want ErrUnknownRoute", err)
	}
	v = load(t, apispec.AllowRoutes(apispec.OffSpecRoutes()...))
	if err := v.ValidateResponse(newRequest(t, "GET", "/current_user", "", ""), 200, nil, []byte(`not json`)); err != nil {
		t.Fatalf("allowed route: got %v, want nil", err)
	}
}

func TestError_leavesOutValues(t *testing.T) {
	v := load(t)
	const secret = "sk-live-0123456789abcdef"
	body := `{"name": "x", "dataset": {"dataset_id": "` + secret + `", "version_index": 1}}`
	r := newRequest(t, "POST", "/projects/"+secret+"/experiments?include_counts="+secret, "application/json", body)
	r.Header.Set("Splunk-AO-API-Key", secret)
	r.Header.Set("If-Match", secret)
	err := v.ValidateRequest(r, []byte(body))
	if err == nil {
		t.Fatal("ValidateRequest: nil, want an error for the malformed ids")
	}
	msg := err.Error()
	if strings.Contains(strings.ReplaceAll(msg, r.URL.Path, ""), secret) {
		t.Errorf("error repeats a value outside the request path:\n%s", msg)
	}
	for _, want := range []string{`"/dataset/dataset_id"`, `path parameter "project_id"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error\n%s\ndoes not name %s", msg, want)
		}
	}
}

func TestValidator_concurrent(t *testing.T) {
	v := load(t)
	targets := []struct{ method, target, body string }{
		{"POST", "/projects/" + projectID + "/experiments", createExperimentBody},
		{"POST", "/projects/" + projectID + "/experiments/search", `{"limit": 10, "filters": [{"name": "name", "value": "x", "operator": "eq"}]}`},
		{"POST", "/projects/" + projectID + "/traces/search", `{"experiment_id": "` + experimentID + `", "limit": 5}`},
		{"POST", "/templates/query", `{"filters": [{"name": "name", "value": "t", "operator": "contains"}]}`},
		{"POST", "/datasets/query", `{}`},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(targets))
	for range 4 {
		for _, tt := range targets {
			r := newRequest(t, tt.method, tt.target, "application/json", tt.body)
			wg.Go(func() { errs <- v.ValidateRequest(r, []byte(tt.body)) })
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
