package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// controlPrefix is where the reserved control routes live. They are not
// part of the Galileo API, need no authentication and are meant for
// processes driving a standalone emulator:
//
//	POST   /_emulator/reset   forget every resource (and empty the data directory)
//	GET    /_emulator/dump    the state as Dump returns it
//	GET    /_emulator/faults  the installed faults and their counts
//	POST   /_emulator/faults  install one: {"route": "GET /healthcheck", "fault": {...}}
//	DELETE /_emulator/faults  remove every fault
//
// A fault in JSON has the fields status, body, drop, pending_polls, times,
// and the durations latency_ms and retry_after_seconds.
const controlPrefix = "/_emulator/"

// faultJSON is Fault on the control routes.
type faultJSON struct {
	Fault
	LatencyMs         int64   `json:"latency_ms,omitempty"`
	RetryAfterSeconds float64 `json:"retry_after_seconds,omitempty"`
}

func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, controlPrefix), "/")
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	switch {
	case path == "reset" && r.Method == http.MethodPost:
		if err := s.Reset(); err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"message": "emulator state reset"})
	case path == "dump" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Dump())
	case path == "faults" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Faults())
	case path == "faults" && r.Method == http.MethodDelete:
		s.ClearFaults()
		writeJSON(w, http.StatusOK, map[string]string{"message": "faults cleared"})
	case path == "faults" && r.Method == http.MethodPost:
		var body struct {
			Route string    `json:"route"`
			Fault faultJSON `json:"fault"`
		}
		if err := decodeJSON(r, &body, false); err != nil {
			writeError(w, err)
			return
		}
		f := body.Fault.Fault
		f.Latency = time.Duration(body.Fault.LatencyMs) * time.Millisecond
		f.RetryAfter = time.Duration(body.Fault.RetryAfterSeconds * float64(time.Second))
		if err := s.Fault(body.Route, f); err != nil {
			writeError(w, invalid("value_error", err.Error(), "route"))
			return
		}
		writeJSON(w, http.StatusOK, s.Faults())
	case path == "reset" || path == "dump" || path == "faults":
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"detail": "Method Not Allowed"})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not Found"})
	}
}

// Reset forgets every resource, fault and issued state; registered models
// and scorers stay. With a data directory the stored state is emptied too.
func (s *Server) Reset() error {
	s.ClearFaults()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = newState()
	if s.store != nil {
		b, err := json.Marshal(s.snapshotLocked())
		if err != nil {
			return err
		}
		if err := s.store.compact(b); err != nil {
			return errorf(http.StatusInternalServerError, "emptying the data directory: %v", err)
		}
	}
	return nil
}
