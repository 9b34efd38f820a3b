package galileo

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// held is a request a gate holds; close release to let it go on.
type held struct {
	route   string
	release chan struct{}
}

// gate is a transport that holds the requests hold picks, before they
// reach the server (or, with after, once the server answered), until the
// test releases them. It stands for a slow network.
type gate struct {
	next    http.RoundTripper
	hold    func(*http.Request) bool
	after   bool
	arrived chan held
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	if !g.hold(r) {
		return g.next.RoundTrip(r)
	}
	wait := func() error {
		h := held{route: r.Method + " " + r.URL.Path, release: make(chan struct{})}
		g.arrived <- h
		select {
		case <-h.release:
			return nil
		case <-r.Context().Done():
			return r.Context().Err()
		}
	}
	if !g.after {
		if err := wait(); err != nil {
			return nil, err
		}
		return g.next.RoundTrip(r)
	}
	resp, err := g.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if err := wait(); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// gatedClient returns a client of w's fake whose requests matching route,
// "METHOD path-suffix" with the suffix a regular expression, are held by
// the returned gate.
func gatedClient(w *expWorld, route string) (*Client, *gate) {
	method, suffix, _ := strings.Cut(route, " ")
	re := regexp.MustCompile(suffix + "$")
	g := &gate{
		next:    w.f.srv.Client().Transport,
		hold:    func(r *http.Request) bool { return r.Method == method && re.MatchString(r.URL.Path) },
		arrived: make(chan held, 16),
	}
	return w.f.client(WithHTTPClient(&http.Client{Transport: g})), g
}

// awaitHeld returns the next request g holds.
func awaitHeld(t *testing.T, g *gate) held {
	t.Helper()
	select {
	case h := <-g.arrived:
		return h
	case <-time.After(10 * time.Second):
		t.Fatal("no request reached the gate")
		return held{}
	}
}

// passAll lets every further request g holds through, until the test ends.
func passAll(t *testing.T, g *gate) {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case h := <-g.arrived:
				close(h.release)
			case <-stop:
				return
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		<-done
	})
}

// promptly fails the test when f does not return within a few seconds:
// it would block on a lock held across a call.
func promptly(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not return while a call was in flight: the handle's lock is held across the call", what)
	}
}

// readEverything calls every accessor that makes no call.
func readEverything(e *Experiment) {
	_, _, _, _, _ = e.Name(), e.ID(), e.State(), e.Link(), e.ProjectID()
	_, _, _, _ = e.Response(), e.Tags(), e.AggregateMetrics(), e.MetricAggregates()
	_, _, _ = e.Rank(), e.RankingScore(), e.IsWinner()
	_, _, _ = e.Model(), e.PromptModel(), e.PlaygroundName()
}

func TestExperiment_noLockAcrossCalls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		route   string // the request held in flight
		created bool   // Create runs before the held call
		call    func(ctx context.Context, e *Experiment) error
	}{
		{"Create", "POST /projects/[^/]+/experiments", false, func(ctx context.Context, e *Experiment) error {
			_, err := e.Create(ctx)
			return err
		}},
		{"Refresh", "GET /experiments/[^/]+", true, func(ctx context.Context, e *Experiment) error { return e.Refresh(ctx) }},
		{"Status", "GET /experiments/[^/]+", true, func(ctx context.Context, e *Experiment) error {
			_, err := e.Status(ctx)
			return err
		}},
		{"Run", "POST /jobs", true, func(ctx context.Context, e *Experiment) error {
			_, err := e.Run(ctx)
			return err
		}},
		{"AddTag", "POST /tags", true, func(ctx context.Context, e *Experiment) error { return e.AddTag(ctx, "env", "ci", "") }},
		{"Delete", "DELETE /experiments/[^/]+", true, func(ctx context.Context, e *Experiment) error { return e.Delete(ctx) }},
		{"HasTraces", "POST /traces/search", true, func(ctx context.Context, e *Experiment) error {
			_, err := e.HasTracesErr(ctx)
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newExpWorld(t)
			w.f.handle("POST /projects/{project_id}/experiments/{experiment_id}/tags", func(rw http.ResponseWriter, r *http.Request) {
				body := decodeBody[RunTagCreateRequest](t, r)
				serveJSON(rw, 200, fxTag(w.pid, r.PathValue("experiment_id"), body.Key, body.Value, body.TagType))
			})
			c, g := gatedClient(w, tc.route)
			e := c.Experiments.New(ExperimentSpec{Name: "slow", ProjectID: w.pid, DatasetID: w.did, PromptTemplateID: w.tid, RunMode: RunDeferred})
			if tc.created {
				if _, err := e.Create(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			errc := make(chan error, 1)
			go func() { errc <- tc.call(t.Context(), e) }()
			h := awaitHeld(t, g)
			release := sync.OnceFunc(func() { close(h.release) })
			defer release()
			promptly(t, "the accessors", func() { readEverything(e) })
			promptly(t, "SetPrompt", func() { e.SetPrompt(PromptRef{ID: w.tid}) })
			release()
			if err := <-errc; err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		})
	}
}

func TestExperiment_Create_concurrent(t *testing.T) {
	w := newExpWorld(t)
	c, g := gatedClient(w, "POST /projects/[^/]+/experiments")
	e := c.Experiments.New(ExperimentSpec{Name: "once", ProjectID: w.pid, DatasetID: w.did, RunMode: RunByClient})
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := e.Create(t.Context())
			errs <- err
		}()
	}
	h := awaitHeld(t, g)
	if e.State() != StateLocalOnly || e.ID() != "" {
		t.Errorf("while creating: state %v, id %q; want local_only and no id", e.State(), e.ID())
	}
	// A Create whose context ends while it waits for its turn gives up.
	ctx, cancel := context.WithCancel(t.Context())
	waiting := make(chan error, 1)
	go func() {
		_, err := e.Create(ctx)
		waiting <- err
	}()
	cancel()
	promptly(t, "a cancelled Create", func() {
		if err := <-waiting; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Create: %v, want context.Canceled", err)
		}
	})
	passAll(t, g) // a second create, if any, is counted below
	close(h.release)
	var ok, exists int
	for range n {
		switch err := <-errs; {
		case err == nil:
			ok++
		case strings.Contains(err.Error(), "already exists"):
			exists++
		default:
			t.Errorf("Create: %v", err)
		}
	}
	if ok != 1 || exists != n-1 {
		t.Errorf("%d Creates succeeded and %d found the experiment existing; want 1 and %d", ok, exists, n-1)
	}
	creates := 0
	for _, call := range w.f.calls() {
		if call == "POST /projects/"+w.pid+"/experiments" {
			creates++
		}
	}
	if creates != 1 {
		t.Errorf("%d experiments created, want 1", creates)
	}
	if e.State() != StateSynced || e.ID() == "" {
		t.Errorf("after Create: state %v, id %q", e.State(), e.ID())
	}
}

func TestExperiment_Run_concurrent(t *testing.T) {
	w := newExpWorld(t)
	c, g := gatedClient(w, "POST /jobs")
	e, err := c.Experiments.New(ExperimentSpec{Name: "once", ProjectID: w.pid, DatasetID: w.did, PromptTemplateID: w.tid, RunMode: RunDeferred}).Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	const n = 4
	type result struct {
		res *RunResult
		err error
	}
	results := make(chan result, n)
	for range n {
		go func() {
			res, err := e.Run(t.Context())
			results <- result{res, err}
		}()
	}
	h := awaitHeld(t, g)
	passAll(t, g) // a second job, if any, is counted below
	close(h.release)
	var ok, already int
	for range n {
		switch r := <-results; {
		case r.err == nil:
			ok++
			if r.res.JobID == "" {
				t.Errorf("RunResult %+v has no job id", r.res)
			}
		case errors.Is(r.err, ErrAlreadyRun):
			already++
		default:
			t.Errorf("Run: %v", r.err)
		}
	}
	w.mu.Lock()
	jobs := len(w.jobs)
	w.mu.Unlock()
	if ok != 1 || already != n-1 || jobs != 1 {
		t.Errorf("%d Runs succeeded, %d found it run, %d jobs started; want 1, %d, 1", ok, already, jobs, n-1)
	}
}

// A slow Refresh answer must not replace the one of a Refresh that started
// later and finished first.
func TestExperiment_Refresh_keepsNewest(t *testing.T) {
	w := newExpWorld(t)
	w.progress = []float64{0.1, 0.6}
	var first atomic.Bool
	g := &gate{
		next: w.f.srv.Client().Transport,
		hold: func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/experiments/") && first.CompareAndSwap(false, true)
		},
		after:   true,
		arrived: make(chan held, 1),
	}
	c := w.f.client(WithHTTPClient(&http.Client{Transport: g}))
	e, err := c.Experiments.New(ExperimentSpec{Name: "p", ProjectID: w.pid, DatasetID: w.did, RunMode: RunByClient}).Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var slowErr error
	wg.Go(func() { slowErr = e.Refresh(t.Context()) })
	h := awaitHeld(t, g) // the server answered 0.1; the answer is in flight
	if err := e.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	close(h.release)
	wg.Wait()
	if slowErr != nil {
		t.Fatal(slowErr)
	}
	if got := e.Response().Status.LogGeneration.ProgressPercent; got != 0.6 {
		t.Errorf("progress %v after both refreshes; want 0.6, the answer of the later Refresh", got)
	}
}
