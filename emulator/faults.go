package emulator

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is a failure injected into one route. The fields combine: a fault
// may wait, then answer with a status, or drop the connection.
type Fault struct {
	// Status, when non-zero, answers every matching request with this
	// status instead of serving it.
	Status int `json:"status,omitempty"`
	// Body is the JSON body sent with Status; nil sends Galileo's shape
	// {"detail": "..."}.
	Body any `json:"body,omitempty"`
	// RetryAfter sets the Retry-After header (whole seconds, rounded up).
	RetryAfter time.Duration `json:"-"`
	// Latency delays the request on the server's clock (it ends early when
	// the client goes away).
	Latency time.Duration `json:"-"`
	// Drop closes the connection without answering.
	Drop bool `json:"drop,omitempty"`
	// PendingPolls, on GET /projects/{project_id}/experiments/{experiment_id}
	// or POST /projects/{project_id}/experiments/search (where clients poll
	// several experiments at once), makes the next PendingPolls answers
	// report progress 0 and hide every aggregate, as while an experiment is
	// still running. It implies Times.
	PendingPolls int `json:"pending_polls,omitempty"`
	// Times is how many requests the fault applies to; 0 means every
	// request until ClearFaults.
	Times int `json:"times,omitempty"`
}

// FaultState is an installed fault and how often it fired.
type FaultState struct {
	Route string `json:"route"`
	Fault Fault  `json:"fault"`
	// Fired counts the requests the fault applied to.
	Fired int `json:"fired"`
	// Remaining is how many more requests it applies to (-1: unlimited).
	Remaining int `json:"remaining"`
}

type faultEntry struct {
	f         Fault
	fired     int
	remaining int // -1 unlimited
}

type faultSet struct {
	mu sync.Mutex
	m  map[string]*faultEntry
}

// Fault installs f on route, given as "METHOD PATTERN": the
// net/http.ServeMux pattern the route is registered with, wildcards named as
// in the API ("GET /projects/{project_id}/experiments/{experiment_id}").
// A concrete path ("GET /healthcheck") works for routes without parameters.
// The key is the same for the /v2 copy of a route: a fault on
// "POST /projects/{project_id}/traces" also fires below /v2. Use "*" as the
// method for every method; a GET fault also fires for HEAD. It replaces an
// earlier fault on the same route.
func (s *Server) Fault(route string, f Fault) error {
	method, pattern, ok := strings.Cut(strings.TrimSpace(route), " ")
	pattern = strings.TrimSpace(pattern)
	if !ok || pattern == "" {
		return fmt.Errorf("emulator: fault route %q: expected \"METHOD /path/pattern\"", route)
	}
	method = strings.ToUpper(method)
	if !s.router.known(method, pattern) {
		return fmt.Errorf("emulator: fault route %q: no such route (patterns look like \"GET /projects/{project_id}/experiments/{experiment_id}\")", route)
	}
	e := &faultEntry{f: f, remaining: -1}
	if f.Times > 0 {
		e.remaining = f.Times
	}
	if f.PendingPolls > 0 {
		e.remaining = f.PendingPolls
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if s.faults.m == nil {
		s.faults.m = map[string]*faultEntry{}
	}
	s.faults.m[method+" "+pattern] = e
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	s.faults.m = nil
	s.faults.mu.Unlock()
}

// Faults lists the installed faults with their counts.
func (s *Server) Faults() []FaultState {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	out := []FaultState{}
	for k, e := range s.faults.m {
		out = append(out, FaultState{Route: k, Fault: e.f, Fired: e.fired, Remaining: e.remaining})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Route < out[j].Route })
	return out
}

// take returns the fault that applies to rt, counting it.
func (fs *faultSet) take(rt *route) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, k := range []string{rt.key(), "* " + rt.path} {
		e := fs.m[k]
		if e == nil || e.remaining == 0 {
			continue
		}
		if e.remaining > 0 {
			e.remaining--
		}
		e.fired++
		return e.f, true
	}
	return Fault{}, false
}

// applyFaults runs the fault of c's route. It reports whether the request
// was answered (or dropped) by the fault.
func (s *Server) applyFaults(c *call) bool {
	f, ok := s.faults.take(c.route)
	if !ok {
		return false
	}
	if f.Latency > 0 {
		if sleep(c.r.Context(), s.clock, f.Latency) != nil {
			return true
		}
	}
	if f.Drop {
		if conn, _, err := http.NewResponseController(c.w).Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
		panic(http.ErrAbortHandler)
	}
	if f.RetryAfter > 0 {
		c.w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds()))))
	}
	if f.Status != 0 {
		body := f.Body
		if body == nil {
			body = map[string]string{"detail": fmt.Sprintf("%s (injected by the emulator)", http.StatusText(f.Status))}
		}
		writeJSON(c.w, f.Status, body)
		return true
	}
	if f.PendingPolls > 0 {
		c.hide = true
	}
	return false
}
