package emulator

import (
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// controlPrefix is where the reserved control routes live. They are not
// part of the Galileo API and are meant for processes driving a standalone
// emulator:
//
//	POST   /_emulator/reset   forget every resource (and empty the data directory)
//	GET    /_emulator/dump    the state as Dump returns it
//	GET    /_emulator/faults  the installed faults and their counts
//	POST   /_emulator/faults  install one: {"route": "GET /healthcheck", "fault": {...}}
//	DELETE /_emulator/faults  remove every fault
//
// A fault in JSON has the fields status, body, drop, pending_polls, times,
// and the durations latency_ms and retry_after_seconds. Who may call them
// is checkControl's rule.
const controlPrefix = "/_emulator/"

// faultJSON is Fault on the control routes.
type faultJSON struct {
	Fault
	LatencyMs         int64   `json:"latency_ms,omitempty"`
	RetryAfterSeconds float64 `json:"retry_after_seconds,omitempty"`
}

func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, controlPrefix), "/")
	if err := s.checkControl(r); err != nil {
		writeError(w, err)
		return
	}
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

// checkControl is the access rule of the control routes, which can wipe
// the state and read all of it:
//
//   - a request from a web page of another origin is refused (403): an
//     Origin header other than the emulator's own (scheme and the request's
//     Host), or Sec-Fetch-Site other than same-origin or none;
//   - a request that changes something (not GET or HEAD) with a body must
//     send Content-Type application/json (else 415), so no HTML form or
//     text/plain fetch can reach it;
//   - credentials, when sent, must be the API's (Galileo-API-Key,
//     Splunk-AO-API-Key or Authorization: Bearer <jwt>), else 401;
//   - without credentials the request must come from a loopback address
//     to a loopback Host (127.0.0.1, [::1], localhost), else 401. A Host
//     check defeats DNS rebinding; the peer check, a network client when
//     the server listens on every interface.
func (s *Server) checkControl(r *http.Request) error {
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r.Host) {
		return errorf(http.StatusForbidden, "Control routes refuse cross-origin requests (Origin %s is not this emulator)", o)
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return errorf(http.StatusForbidden, "Control routes refuse cross-site requests (Sec-Fetch-Site %s)", site)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		ct := r.Header.Get("Content-Type")
		mt, _, _ := mime.ParseMediaType(ct)
		if (ct != "" || r.ContentLength != 0) && mt != "application/json" {
			return errorf(http.StatusUnsupportedMediaType, "Control routes take a JSON body: send Content-Type application/json (got %q)", ct)
		}
	}
	if hasCredentials(r) {
		return s.authenticate(r)
	}
	if !loopbackHost(r.Host) || !loopbackPeer(r.RemoteAddr) {
		return errorf(http.StatusUnauthorized, "Not authenticated: control routes need the API key "+
			"(Galileo-API-Key header or Authorization: Bearer <token>) unless called from loopback to a loopback host")
	}
	return nil
}

// hasCredentials reports whether r carries any of the API's credentials.
func hasCredentials(r *http.Request) bool {
	return r.Header.Get("Galileo-API-Key") != "" || r.Header.Get("Splunk-AO-API-Key") != "" || r.Header.Get("Authorization") != ""
}

// sameOrigin reports whether the Origin header names host (a request's
// Host) over http or https; "null" and anything unparsable are foreign.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
		return false
	}
	def := map[string]string{"http": "80", "https": "443"}[u.Scheme]
	return withPort(u.Host, def) == withPort(host, def)
}

// withPort lower-cases hostport and adds port when it has none.
func withPort(hostport, port string) string {
	hostport = strings.ToLower(hostport)
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		return net.JoinHostPort(h, p)
	}
	return net.JoinHostPort(strings.Trim(hostport, "[]"), port)
}

// loopbackHost reports whether a Host header names this machine.
func loopbackHost(hostport string) bool {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	h = strings.Trim(h, "[]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// loopbackPeer reports whether a request's RemoteAddr is a loopback address.
func loopbackPeer(remote string) bool {
	h, _, err := net.SplitHostPort(remote)
	if err != nil {
		h = remote
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
