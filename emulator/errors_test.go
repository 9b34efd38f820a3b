package emulator

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestServer_ErrorShapes(t *testing.T) {
	s := newTestServer(t, Options{MaxBodyBytes: 1 << 10})
	a := newAPI(t, s)
	pid := a.ok(http.StatusOK, "POST", "/projects", map[string]any{"name": "p"}).json(t)["id"].(string)

	cases := []struct {
		name       string
		method     string
		path       string
		body       any
		wantStatus int
		wantBody   string // substring
	}{
		{"unknown route", "GET", "/nope", nil, 404, `{"detail":"Not Found"}`},
		{"ingest probe", "GET", "/ingest/healthz", nil, 404, `{"detail":"Not Found"}`},
		{"wrong method", "DELETE", "/healthcheck", nil, 405, `{"detail":"Method Not Allowed"}`},
		{"wrong method on a collection", "PATCH", "/projects", nil, 405, `{"detail":"Method Not Allowed"}`},
		{"unknown project", "GET", "/projects/8b0d7c1e-1a51-4d0c-9a53-2f5ad6f9b0a1", nil, 404, `"detail":"Project 8b0d7c1e-1a51-4d0c-9a53-2f5ad6f9b0a1 not found"`},
		{"unknown experiment", "GET", "/projects/" + pid + "/experiments/8b0d7c1e-1a51-4d0c-9a53-2f5ad6f9b0a1", nil, 404, `not found`},
		{"missing name", "POST", "/projects/" + pid + "/experiments", map[string]any{"task_type": 16}, 422,
			`{"detail":[{"loc":["body","name"],"msg":"Field required","type":"missing"}]}`},
		{"wrong type", "POST", "/projects/" + pid + "/experiments", map[string]any{"name": 5}, 422, `"loc":["body","name"]`},
		{"bad task type", "POST", "/projects/" + pid + "/experiments", map[string]any{"name": "x", "task_type": 3}, 422, `"loc":["body","task_type"]`},
		{"malformed JSON", "POST", "/projects", "{", 422, `"type":"json_invalid"`},
		{"empty body", "POST", "/projects", nil, 422, `"loc":["body"]`},
		{"too large", "POST", "/projects", `{"name":"` + strings.Repeat("x", 2<<10) + `"}`, 413, `"detail":"Request body too large`},
		{"bad query integer", "GET", "/datasets?limit=abc", nil, 422, `"loc":["query","limit"]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do(tc.method, tc.path, tc.body, invalidRequestHeader, "1")
			if r.status != tc.wantStatus || !strings.Contains(string(r.body), tc.wantBody) {
				t.Errorf("%s %s = %d %s, want %d with %s", tc.method, tc.path, r.status, r.body, tc.wantStatus, tc.wantBody)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
		})
	}
}

func TestServer_PathParamsInQueryAndV2(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	pid := a.ok(http.StatusOK, "POST", "/projects", map[string]any{"name": "p"}).json(t)["id"].(string)
	// The JS SDK repeats path parameters as query parameters.
	a.ok(http.StatusOK, "GET", "/projects/"+pid+"?project_id="+pid+"&unknown=1", nil)
	a.ok(http.StatusOK, "GET", "/projects/"+pid+"/log_streams?project_id="+pid, nil)
	a.ok(http.StatusOK, "POST", "/v2/projects/"+pid+"/log_streams", map[string]string{"name": "default"})
	// Only the trace family is served below /v2.
	if r := a.do("GET", "/v2/projects/"+pid, nil); r.status != http.StatusNotFound {
		t.Errorf("GET /v2/projects/{id}: status %d, want 404", r.status)
	}
}

func TestServer_PaginationEnd(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	for i := 0; i < 5; i++ {
		a.ok(http.StatusOK, "POST", "/datasets/query", map[string]any{}) // reads do not create anything
		r := a.upload("jsonl", fmt.Sprintf("ds-%d", i), "", []byte(`{"input":"a","output":"b"}`+"\n"))
		if r.status != http.StatusOK {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
	}
	type page struct {
		Next     *int             `json:"next_starting_token"`
		Datasets []map[string]any `json:"datasets"`
	}
	var seen []string
	token := 0
	for i := 0; ; i++ {
		var p page
		a.ok(http.StatusOK, "GET", fmt.Sprintf("/datasets?starting_token=%d&limit=2", token), nil).decode(t, &p)
		for _, d := range p.Datasets {
			seen = append(seen, d["name"].(string))
		}
		if p.Next == nil {
			break
		}
		if *p.Next != token+len(p.Datasets) {
			t.Fatalf("next_starting_token = %d, want %d", *p.Next, token+len(p.Datasets))
		}
		token = *p.Next
		if i > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seen) != 5 {
		t.Errorf("paged through %d datasets, want 5: %v", len(seen), seen)
	}
	var last page
	a.ok(http.StatusOK, "GET", "/datasets?starting_token=4&limit=2", nil).decode(t, &last)
	if last.Next != nil || len(last.Datasets) != 1 {
		t.Errorf("last page: next=%v with %d datasets, want null and 1", last.Next, len(last.Datasets))
	}
	if !bytes.Contains(a.ok(http.StatusOK, "GET", "/datasets?starting_token=40", nil).body, []byte(`"next_starting_token":null`)) {
		t.Error("a page past the end must carry next_starting_token null")
	}
}

func TestIDSource_SeededUUID4(t *testing.T) {
	a, b := newIDSource(42, 0), newIDSource(42, 0)
	other := newIDSource(42, 1)
	for i := 0; i < 100; i++ {
		x, y, z := a.newID(), b.newID(), other.newID()
		if x != y {
			t.Fatalf("id %d differs between equal seeds: %s vs %s", i, x, y)
		}
		if x == z {
			t.Fatalf("id %d repeats across streams: %s", i, x)
		}
		u, err := uuid.Parse(x)
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
			t.Fatalf("id %q is not a uuid4 (%v)", x, err)
		}
	}
}

func TestRouter_LiteralSegmentsWin(t *testing.T) {
	s := newTestServer(t)
	cases := map[string]string{
		"POST /projects/x/experiments/search":            "POST /projects/{project_id}/experiments/search",
		"GET /projects/x/experiments/paginated":          "GET /projects/{project_id}/experiments/paginated",
		"GET /projects/x/experiments/y":                  "GET /projects/{project_id}/experiments/{experiment_id}",
		"DELETE /projects/x/experiments/paginated":       "DELETE /projects/{project_id}/experiments/{experiment_id}",
		"POST /v2/projects/x/traces":                     "POST /projects/{project_id}/traces",
		"GET /projects/x/templates/versions":             "GET /projects/{project_id}/templates/versions",
		"POST /projects/x/experiments/available_columns": "POST /projects/{project_id}/experiments/available_columns",
		"HEAD /projects/x":                               "GET /projects/{project_id}",
	}
	for req, want := range cases {
		method, path, _ := strings.Cut(req, " ")
		rt := s.router.match(httptest.NewRequest(method, path, nil))
		if rt == nil || rt.key() != want {
			t.Errorf("%s matched %v, want %s", req, rt, want)
		}
	}
}

func TestRouter_ServeMuxEdges(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	pid := a.ok(http.StatusOK, "POST", "/projects", map[string]any{"name": "p"}).json(t)["id"].(string)

	// Path parameters arrive unescaped.
	if r := a.do("GET", "/projects/a%2Fb%20c", nil, invalidRequestHeader, "1"); r.status != 404 || !strings.Contains(string(r.body), `"Project a/b c not found"`) {
		t.Errorf("escaped id: %d %s", r.status, r.body)
	}
	// HEAD is served by GET routes; trailing slashes are tolerated.
	if r := a.do("HEAD", "/projects/"+pid, nil); r.status != 200 {
		t.Errorf("HEAD: %d", r.status)
	}
	a.ok(http.StatusOK, "GET", "/projects/"+pid+"/", nil)
	// 405 names the allowed methods; unclean paths are JSON 404s, not redirects.
	if r := a.do("PATCH", "/projects/"+pid, nil); r.status != 405 || r.header.Get("Allow") != "GET, PUT, DELETE" {
		t.Errorf("PATCH: %d Allow=%q", r.status, r.header.Get("Allow"))
	}
	for _, p := range []string{"/projects/../healthcheck", "//healthcheck", "/v2/healthcheck"} {
		if r := a.do("GET", p, nil); r.status != 404 || string(r.body) != `{"detail":"Not Found"}` {
			t.Errorf("GET %s: %d %s", p, r.status, r.body)
		}
	}
	// A fault keys on the pattern without /v2 and fires below /v2 too.
	if err := s.Fault("POST /projects/{project_id}/traces", Fault{Status: 503, Times: 1}); err != nil {
		t.Fatal(err)
	}
	if r := a.do("POST", "/v2/projects/"+pid+"/traces", map[string]any{}, invalidRequestHeader, "1"); r.status != 503 {
		t.Errorf("faulted /v2 route: %d %s", r.status, r.body)
	}
}
