package apispec_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/galileo-community/galileo-go/internal/apispec"
)

// fakeAPI serves a few routes; badResponse makes experiment creation answer
// without an id.
func fakeAPI(badResponse bool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /projects/{pid}/experiments", func(w http.ResponseWriter, r *http.Request) {
		if b, _ := io.ReadAll(r.Body); len(b) == 0 {
			http.Error(w, "empty request body", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if badResponse {
			io.WriteString(w, `{"project_id": "`+projectID+`", "task_type": 16}`)
			return
		}
		io.WriteString(w, experimentResponse)
	})
	mux.HandleFunc("POST /projects/{pid}/export_records", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jsonl")
		for i := range 3 {
			fmt.Fprintf(w, `{"id": %d}`+"\n", i)
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("GET /current_user", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id": "`+projectID+`", "email": "a@b.c", "role": "user"}`)
	})
	return mux
}

func post(t *testing.T, c *http.Client, url, body string) string {
	t.Helper()
	resp, err := c.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response of POST %s: %v", url, err)
	}
	return string(data)
}

func TestValidator_RoundTripper(t *testing.T) {
	srv := httptest.NewServer(fakeAPI(true))
	defer srv.Close()
	var rec apispec.Recorder
	client := &http.Client{Transport: load(t).RoundTripper(srv.Client().Transport, &rec)}
	experiments := srv.URL + "/projects/" + projectID + "/experiments"

	// A valid request, an invalid response: one violation, and the caller
	// still gets the body as sent.
	got := post(t, client, experiments, createExperimentBody)
	if !strings.Contains(got, `"task_type": 16`) {
		t.Errorf("client received %q, want the server's body", got)
	}
	vs := rec.Violations()
	if len(vs) != 1 {
		t.Fatalf("after one bad response: %d violations %v, want 1", len(vs), vs)
	}
	var e *apispec.Error
	if !errors.As(vs[0], &e) || e.Status != 200 || !strings.Contains(vs[0].Error(), "missing property 'id'") {
		t.Errorf("violation = %v, want the 200 response missing its id", vs[0])
	}

	// An invalid request adds one more; an unknown route one more, with no
	// second report for its response.
	post(t, client, experiments, `{"name": 5}`)
	if _, err := client.Get(srv.URL + "/current_user"); err != nil {
		t.Fatal(err)
	}
	vs = rec.Violations()
	if len(vs) != 4 {
		t.Fatalf("violations: %d, want 4 (bad response, bad request + its bad response, unknown route):\n%v", len(vs), rec.Err())
	}
	if !errors.Is(vs[3], apispec.ErrUnknownRoute) {
		t.Errorf("last violation = %v, want ErrUnknownRoute", vs[3])
	}
	if err := rec.Err(); err == nil || !strings.Contains(err.Error(), `"/name"`) {
		t.Errorf("Err() = %v, want it to include the bad request", err)
	}
}

func TestValidator_RoundTripper_bodies(t *testing.T) {
	var gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		w.Header().Set("Content-Type", "application/jsonl")
		io.WriteString(w, "{\"id\": 1}\n{\"id\": 2}\n")
	}))
	defer srv.Close()
	var rec apispec.Recorder
	client := &http.Client{Transport: load(t).RoundTripper(srv.Client().Transport, &rec)}
	body := `{"root_type": "trace", "export_format": "jsonl", "log_stream_id": "` + experimentID + `"}`

	// A body without GetBody is read once by the transport and still sent.
	req, err := http.NewRequest("POST", srv.URL+"/projects/"+projectID+"/export_records", io.NopCloser(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var lines int
	for sc.Scan() {
		lines++
	}
	if gotBody != body {
		t.Errorf("server received %q, want %q", gotBody, body)
	}
	if lines != 2 {
		t.Errorf("client read %d lines of the stream, want 2", lines)
	}
	if err := rec.Err(); err != nil {
		t.Errorf("violations: %v, want none", err)
	}
}

func TestValidator_Middleware(t *testing.T) {
	var rec apispec.Recorder
	v := load(t, apispec.AllowRoutes(apispec.OffSpecRoutes()...))
	srv := httptest.NewServer(v.Middleware(fakeAPI(true), &rec))
	defer srv.Close()
	c := srv.Client()

	// Streaming still works through the middleware.
	resp, err := c.Post(srv.URL+"/projects/"+projectID+"/export_records", "application/json",
		strings.NewReader(`{"root_type": "trace", "experiment_id": "`+experimentID+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if n := strings.Count(string(data), "\n"); n != 3 {
		t.Errorf("export stream has %d lines, want 3", n)
	}
	if _, err := c.Get(srv.URL + "/current_user"); err != nil {
		t.Fatal(err)
	}
	if err := rec.Err(); err != nil {
		t.Fatalf("after valid calls: %v, want no violation", err)
	}

	// The handler still reads the request body, and the bad response is
	// recorded.
	if got := post(t, c, srv.URL+"/projects/"+projectID+"/experiments", createExperimentBody); !strings.Contains(got, "project_id") {
		t.Errorf("client received %q", got)
	}
	vs := rec.Violations()
	if len(vs) != 1 || !strings.Contains(vs[0].Error(), "missing property 'id'") {
		t.Fatalf("violations = %v, want one about the missing id", vs)
	}
}

// fakeTB records what a test helper reports.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) runCleanups() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func TestNewT(t *testing.T) {
	ftb := &fakeTB{TB: t}
	ct := apispec.NewT(ftb)
	srv := httptest.NewServer(ct.Handler(fakeAPI(true)))
	defer srv.Close()
	client := &http.Client{Transport: ct.Transport(srv.Client().Transport)}

	post(t, client, srv.URL+"/projects/"+projectID+"/experiments", createExperimentBody)
	if len(ftb.errors) != 0 {
		t.Fatalf("violations reported before cleanup: %v", ftb.errors)
	}
	ftb.runCleanups()
	// Both sides saw the same bad response.
	if len(ftb.errors) != 2 {
		t.Fatalf("reported %d violations, want 2 (client and server side): %q", len(ftb.errors), ftb.errors)
	}
	for _, msg := range ftb.errors {
		if !strings.HasPrefix(msg, "OpenAPI contract violation: ") || !strings.Contains(msg, "missing property 'id'") {
			t.Errorf("report %q does not describe the missing id", msg)
		}
	}
}

func TestNewT_clean(t *testing.T) {
	ftb := &fakeTB{TB: t}
	ct := apispec.NewT(ftb)
	srv := httptest.NewServer(ct.Handler(fakeAPI(false)))
	defer srv.Close()
	client := &http.Client{Transport: ct.Transport(srv.Client().Transport)}
	post(t, client, srv.URL+"/projects/"+projectID+"/experiments", createExperimentBody)
	ftb.runCleanups()
	if len(ftb.errors) != 0 {
		t.Errorf("reported %q, want nothing", ftb.errors)
	}
}
