package emulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

func TestFaults(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	if err := s.Fault("GET /healthcheck", Fault{Status: 503, RetryAfter: 1500 * time.Millisecond, Times: 2}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		r := a.do("GET", "/healthcheck", nil)
		if r.status != 503 || r.header.Get("Retry-After") != "2" || !strings.Contains(string(r.body), `"detail"`) {
			t.Errorf("faulted call %d: %d Retry-After=%q %s, want 503 with Retry-After 2", i, r.status, r.header.Get("Retry-After"), r.body)
		}
	}
	a.ok(http.StatusOK, "GET", "/healthcheck", nil)
	if fs := s.Faults(); len(fs) != 1 || fs[0].Fired != 2 || fs[0].Remaining != 0 {
		t.Errorf("fault state = %+v, want fired 2 and none remaining", fs)
	}

	if err := s.Fault("GET /nowhere", Fault{Status: 500}); err == nil {
		t.Error("a fault on an unknown route was accepted")
	}
	if err := s.Fault("POST /projects", Fault{Status: 429, Body: map[string]any{"detail": "slow down"}}); err != nil {
		t.Fatal(err)
	}
	if r := a.do("POST", "/projects", map[string]string{"name": "x"}); r.status != 429 || string(r.body) != `{"detail":"slow down"}` {
		t.Errorf("custom body: %d %s", r.status, r.body)
	}
	s.ClearFaults()
	a.ok(http.StatusOK, "POST", "/projects", map[string]string{"name": "x"})

	// Dropped connection: the client sees a transport error, not an answer.
	if err := s.Fault("* /projects/all", Fault{Drop: true, Times: 1}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", s.URL()+"/projects/all", nil)
	req.Header.Set("Galileo-API-Key", s.APIKey())
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("dropped connection answered %d", resp.StatusCode)
	}
	a.ok(http.StatusOK, "GET", "/projects/all", nil)
}

func TestFaults_LatencyUsesTheClock(t *testing.T) {
	mw := specMiddleware(t)
	synctest.Test(t, func(t *testing.T) {
		clk := NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		s, err := NewUnstarted(Options{Clock: clk, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Fault("GET /healthcheck", Fault{Latency: time.Hour}); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			mw(s.Handler()).ServeHTTP(rec, httptest.NewRequest("GET", "/healthcheck", nil))
			close(done)
		}()
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("answered before the clock moved")
		default:
		}
		if clk.Pending() != 1 {
			t.Fatalf("%d timers pending, want the latency timer", clk.Pending())
		}
		clk.Advance(time.Hour)
		synctest.Wait()
		select {
		case <-done:
		default:
			t.Fatal("the delayed request did not finish after the clock advanced")
		}
		if rec.Code != http.StatusOK {
			t.Errorf("status %d after the latency, want 200", rec.Code)
		}
	})
}

func TestFaults_PendingPolls(t *testing.T) {
	s := newTestServer(t)
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f := seed(t, s, qaRows)
	e, err := c.Experiments.New(galileo.ExperimentSpec{Name: "pp", ProjectID: f.pid, DatasetID: f.did, PromptTemplateID: s.Dump().Templates[0].ID,
		Model: ModelGroundTruth, Metrics: []string{"correctness"}}).Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	if err := s.Fault("GET /projects/{project_id}/experiments/{experiment_id}", Fault{PendingPolls: 2}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		got, err := c.Experiments.Get(ctx, f.pid, e.ID())
		if err != nil {
			t.Fatal(err)
		}
		pending := got.Status.LogGeneration.ProgressPercent == 0 && len(got.StructuredAggregateMetrics) == 0
		if pending != (i < 2) {
			t.Errorf("poll %d: progress %v with %d aggregates; want pending only for the first 2 polls", i, got.Status.LogGeneration.ProgressPercent, len(got.StructuredAggregateMetrics))
		}
	}
}

func TestControlRoutes(t *testing.T) {
	s := newTestServer(t)
	a := &apiClient{t: t, s: s, header: http.Header{}}
	if _, err := s.CreateProject("before-reset"); err != nil {
		t.Fatal(err)
	}
	a.ok(http.StatusOK, "POST", "/_emulator/faults", map[string]any{"route": "GET /current_user", "fault": map[string]any{"status": 500, "times": 1, "latency_ms": 1}})
	r := a.ok(http.StatusOK, "GET", "/_emulator/faults", nil)
	if !strings.Contains(string(r.body), `"route":"GET /current_user"`) {
		t.Errorf("faults = %s", r.body)
	}
	if r := a.do("GET", "/current_user", nil); r.status != 500 {
		t.Errorf("faulted route answered %d, want 500", r.status)
	}
	dump := a.ok(http.StatusOK, "GET", "/_emulator/dump", nil).json(t)
	if len(dump["projects"].([]any)) != 1 {
		t.Errorf("dump projects = %v", dump["projects"])
	}
	a.ok(http.StatusOK, "POST", "/_emulator/reset", nil)
	if n := len(s.Dump().Projects); n != 0 {
		t.Errorf("%d projects after reset, want 0", n)
	}
	a.ok(http.StatusOK, "DELETE", "/_emulator/faults", nil)
	if r := a.do("GET", "/_emulator/nope", nil); r.status != 404 {
		t.Errorf("unknown control route: %d", r.status)
	}
	if r := a.do("POST", "/_emulator/faults", map[string]any{"route": "GET /nope", "fault": map[string]any{}}); r.status != 422 {
		t.Errorf("fault on an unknown route: %d, want 422", r.status)
	}
}

func TestClient_RetriesInjectedFailures(t *testing.T) {
	s := newTestServer(t)
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Fault("GET /projects/all", Fault{Status: 503, Times: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.Projects.List(ctx); err != nil {
		t.Fatalf("list after one injected 503: %v (the client retries 5xx)", err)
	}
	if fs := s.Faults(); fs[0].Fired != 1 {
		t.Errorf("fault fired %d times, want 1", fs[0].Fired)
	}
}
