package emulator

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator/scoring"
	"github.com/galileo-community/galileo-go/galileo"
)

// Defaults of Options.
const (
	// DefaultAPIKey is the API key the emulator accepts when Options.APIKey is empty.
	DefaultAPIKey = "emulator-key"
	// DefaultMaxBodyBytes is the largest request body accepted (32 MiB);
	// larger bodies get a 413.
	DefaultMaxBodyBytes = 32 << 20
	// DefaultScoringDelay is the pace of the background work: one dataset
	// row generated and one row scored per experiment per tick.
	DefaultScoringDelay = 20 * time.Millisecond
	// DefaultAddr is where the standalone command listens.
	DefaultAddr = "127.0.0.1:8088"
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// Addr is the listen address of New ("host:port"); empty means a free
	// loopback port. NewTest and NewUnstarted ignore it.
	Addr string
	// APIKey is the only key accepted by POST /login/api_key and the
	// Galileo-API-Key / Splunk-AO-API-Key headers. Default DefaultAPIKey.
	APIKey string
	// Clock is the source of time for timestamps, token expiry, the scoring
	// pace and injected latency. Default: the real clock.
	Clock Clock
	// Seed seeds the generator of resource ids (uuid4 strings). The same
	// seed and the same sequence of requests give the same ids on a fresh
	// server; after replaying a data directory the stream also depends on
	// the stored records, and stored ids are never handed out again. 0
	// picks a seed from the clock.
	Seed int64
	// ScoringDelay is the pace of background work per experiment: each tick
	// generates one prompt-run row and scores one row, then waits this long.
	// 0 means DefaultScoringDelay; a negative value means no wait (rows are
	// then processed in batches).
	ScoringDelay time.Duration
	// DataDir, when set, makes the state durable: every change is appended
	// to a write-ahead log in this directory and fsynced before the answer;
	// a new server on the same directory replays it.
	DataDir string
	// MaxBodyBytes limits request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Logger receives the emulator's notices (model fallbacks, background
	// errors). Default: discarded (NewTest: the test log).
	Logger *slog.Logger
	// Middleware, when set, wraps the handler that New and NewTest serve
	// (for example an OpenAPI response validator).
	Middleware func(http.Handler) http.Handler
	// ConsoleURL is used in the links of job answers. Default: the server URL.
	ConsoleURL string
	// DuplicateNames says whether an experiment may be created with (or
	// renamed to) a name another experiment of the project has. Empty
	// means DefaultDuplicateNames.
	DuplicateNames DuplicateNames
	// DisableStructuredAggregates emulates a Galileo whose feature flag
	// use_clickhouse_run_aggregates is off: experiment answers (GET, list,
	// paginated list, search) carry "structured_aggregate_metrics": null
	// at all times, while records, their metrics and metric_info, the
	// legacy aggregate_metrics and the experiment metrics route work as
	// usual. The zero value (false) is Galileo's usual behaviour: the field
	// is a map of MetricAggregates once something is scored. It is a
	// Disable… switch, like net/http's Transport.DisableKeepAlives, so that
	// the zero Options keep the default on.
	DisableStructuredAggregates bool
	// PublishAggregates says when scored rows show in an experiment's
	// aggregates (structured and legacy). Empty means
	// DefaultPublishAggregates.
	PublishAggregates PublishAggregates
	// JudgeNoise makes judge metrics (LLM and SLM scorers) noisy on
	// purpose, as real judges are: a numeric score gets Gaussian noise of
	// this standard deviation (clamped to 0..1), a boolean one flips with
	// this probability. The noise is drawn from Seed, the trace and the
	// scorer, so a trace keeps its score and a rerun gets new draws. 0 (the
	// default) scores deterministically; it must lie in [0, 1].
	JudgeNoise float64
}

// PublishAggregates is when an experiment's aggregates are published:
// PublishIncremental or PublishAtCompletion.
type PublishAggregates string

const (
	// PublishIncremental updates the aggregates after every scored row:
	// their count grows row by row.
	PublishIncremental PublishAggregates = "incremental"
	// PublishAtCompletion publishes the aggregates only when the run is
	// complete: every expected row has a complete trace (all dataset rows
	// generated, for a prompt run; as many traces as dataset rows, for a
	// function run over a dataset; at least one trace otherwise), nothing
	// is queued for scoring and every scorer has a result for every trace.
	// Until then an experiment shows no aggregates, as a server that
	// computes them once scoring completes; a run that becomes incomplete
	// again (more traces) keeps its last published aggregates until it is
	// complete again.
	PublishAtCompletion PublishAggregates = "at-completion"
	// DefaultPublishAggregates is the rule when Options.PublishAggregates
	// is empty.
	DefaultPublishAggregates = PublishIncremental
)

// ParsePublishAggregates returns the rule named s ("incremental" or
// "at-completion").
func ParsePublishAggregates(s string) (PublishAggregates, error) {
	switch p := PublishAggregates(strings.ToLower(strings.TrimSpace(s))); p {
	case PublishIncremental, PublishAtCompletion:
		return p, nil
	}
	return "", fmt.Errorf("publish aggregates rule %q is not one of incremental, at-completion", s)
}

// DuplicateNames is the rule for experiment names already used in a
// project: DuplicateNamesAllow or DuplicateNamesReject.
type DuplicateNames string

const (
	// DuplicateNamesAllow stores a second experiment under a taken name,
	// as Galileo appears to do: the official SDKs look the name up and
	// rename before creating, and never handle a refusal.
	DuplicateNamesAllow DuplicateNames = "allow"
	// DuplicateNamesReject answers 409 {"detail": "Experiment with name ...
	// already exists in project ..."}, to test a client's own clash
	// handling strictly.
	DuplicateNamesReject DuplicateNames = "reject"
	// DefaultDuplicateNames is the rule when Options.DuplicateNames is empty.
	DefaultDuplicateNames = DuplicateNamesAllow
)

// ParseDuplicateNames returns the rule named s ("allow" or "reject").
func ParseDuplicateNames(s string) (DuplicateNames, error) {
	switch d := DuplicateNames(strings.ToLower(strings.TrimSpace(s))); d {
	case DuplicateNamesAllow, DuplicateNamesReject:
		return d, nil
	}
	return "", fmt.Errorf("duplicate names rule %q is not one of allow, reject", s)
}

// Server is an in-process emulator of the Galileo v2 REST API. Create one
// with New (listening), NewTest (for tests) or NewUnstarted (handler only).
// All methods are safe for concurrent use.
type Server struct {
	opts    Options
	clock   Clock
	ids     *idSource
	log     *slog.Logger
	secret  []byte
	router  *router
	handler http.Handler

	mu        sync.RWMutex
	aggMu     sync.Mutex // guards the aggregate and rank caches that readers (s.mu held for reading) fill
	st        *state
	catalogue []scoring.Scorer
	models    map[string]ModelFunc
	warned    map[string]bool
	store     *store
	busy      int             // running workers
	idle      []chan struct{} // closed when busy drops to 0

	faults faultSet

	ctx     context.Context
	cancel  context.CancelFunc
	workers sync.WaitGroup

	url     string
	httpSrv *http.Server
	ts      *httptest.Server
	closed  sync.Once

	connMu   sync.Mutex
	newConns map[net.Conn]struct{} // accepted, no request read yet; guarded by connMu
}

// NewUnstarted returns a server that does not listen: serve Handler()
// yourself, or call it in memory through Client. With Options.DataDir it replays the stored state first.
func NewUnstarted(opts Options) (*Server, error) {
	if opts.APIKey == "" {
		opts.APIKey = DefaultAPIKey
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.ScoringDelay == 0 {
		opts.ScoringDelay = DefaultScoringDelay
	}
	switch opts.DuplicateNames {
	case "":
		opts.DuplicateNames = DefaultDuplicateNames
	case DuplicateNamesAllow, DuplicateNamesReject:
	default:
		return nil, fmt.Errorf("emulator: Options.DuplicateNames %q is not one of %q, %q", opts.DuplicateNames, DuplicateNamesAllow, DuplicateNamesReject)
	}
	switch opts.PublishAggregates {
	case "":
		opts.PublishAggregates = DefaultPublishAggregates
	case PublishIncremental, PublishAtCompletion:
	default:
		return nil, fmt.Errorf("emulator: Options.PublishAggregates %q is not one of %q, %q", opts.PublishAggregates, PublishIncremental, PublishAtCompletion)
	}
	if !(opts.JudgeNoise >= 0 && opts.JudgeNoise <= 1) {
		return nil, fmt.Errorf("emulator: Options.JudgeNoise %v is not between 0 and 1", opts.JudgeNoise)
	}
	clk := opts.Clock
	if clk == nil {
		clk = realClock{}
	}
	seed := uint64(opts.Seed)
	if opts.Seed == 0 {
		seed = uint64(clk.Now().UnixNano())
	}
	lg := opts.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	sum := sha256.Sum256([]byte("galileo-emulator-jwt\x00" + opts.APIKey))
	s := &Server{
		opts:      opts,
		clock:     clk,
		ids:       newIDSource(seed, 0),
		log:       lg,
		secret:    sum[:],
		st:        newState(),
		catalogue: scoring.Builtins(),
		models:    map[string]ModelFunc{},
		warned:    map[string]bool{},
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.router = s.routes()
	s.handler = http.HandlerFunc(s.serveHTTP)
	if opts.DataDir != "" {
		st, rp, err := openStore(opts.DataDir, s.replay, lg)
		if err != nil {
			s.cancel()
			return nil, fmt.Errorf("emulator: data directory: %w", err)
		}
		s.store = st
		if rp.records > 0 {
			// A new stream per stored state, so a fixed seed never hands
			// out the ids of an earlier session again.
			s.ids.reseed(seed, rp.digest)
		}
		s.ids.avoid(s.st.ids())
		s.mu.Lock()
		s.resumeAll()
		s.mu.Unlock()
	}
	return s, nil
}

// New starts a server listening on Options.Addr (default: a free loopback
// port). Close stops it.
func New(opts Options) (*Server, error) {
	s, err := NewUnstarted(opts)
	if err != nil {
		return nil, err
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.shutdown()
		return nil, fmt.Errorf("emulator: listen on %s: %w", addr, err)
	}
	h := s.handler
	if opts.Middleware != nil {
		h = opts.Middleware(h)
	}
	s.httpSrv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ConnState: s.trackNewConn}
	s.url = "http://" + ln.Addr().String()
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("emulator: serving stopped", "error", err)
		}
	}()
	return s, nil
}

// NewTest starts a server on a loopback httptest server and closes it when
// the test ends. It takes at most one Options value. Notices go to the test
// log unless Options.Logger is set.
func NewTest(tb testing.TB, opts ...Options) *Server {
	tb.Helper()
	if len(opts) > 1 {
		tb.Fatalf("emulator.NewTest: expected at most one Options value, got %d", len(opts))
	}
	var o Options
	if len(opts) == 1 {
		o = opts[0]
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(tbWriter{tb}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	s, err := NewUnstarted(o)
	if err != nil {
		tb.Fatalf("emulator.NewTest: %v", err)
	}
	h := s.handler
	if o.Middleware != nil {
		h = o.Middleware(h)
	}
	s.ts = httptest.NewUnstartedServer(h)
	s.url = "http://" + s.ts.Listener.Addr().String() // set before any handler runs
	s.ts.Start()
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Handler returns the emulator's HTTP handler (without Options.Middleware).
func (s *Server) Handler() http.Handler { return s.handler }

// URL returns the base URL of a started server ("" for NewUnstarted).
func (s *Server) URL() string { return s.url }

// APIKey returns the API key the server accepts.
func (s *Server) APIKey() string { return s.opts.APIKey }

// Client returns a galileo client wired to the server with its API key
// and console URL (Options.ConsoleURL, else the server's URL), so links
// such as [galileo.Experiment.Link] point at the emulator, as the links
// of its job answers do. opts come last and may override any of them.
// The client of a server made with NewUnstarted calls Handler() in memory,
// without sockets, at the base URL http://localhost: made inside a
// testing/synctest bubble, with the server, every wait of a test then runs
// on the bubble's clock and takes no real time.
func (s *Server) Client(opts ...galileo.Option) (*galileo.Client, error) {
	base, hc := s.url, http.DefaultClient
	switch {
	case s.ts != nil:
		hc = s.ts.Client()
	case base == "":
		base, hc = "http://localhost", &http.Client{Transport: handlerTransport{s.handler}}
	}
	console := s.consoleURL()
	if console == "" {
		console = base
	}
	all := append([]galileo.Option{galileo.WithBaseURL(base), galileo.WithConsoleURL(console),
		galileo.WithAPIKey(s.opts.APIKey), galileo.WithHTTPClient(hc)}, opts...)
	return galileo.NewClient(all...)
}

// trackNewConn keeps the connections on which no request was read yet.
func (s *Server) trackNewConn(c net.Conn, state http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if state == http.StateNew {
		if s.newConns == nil {
			s.newConns = make(map[net.Conn]struct{})
		}
		s.newConns[c] = struct{}{}
		return
	}
	delete(s.newConns, c)
}

// closeNewConns closes the connections on which no request was read yet.
func (s *Server) closeNewConns() {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	for c := range s.newConns {
		_ = c.Close()
		delete(s.newConns, c)
	}
}

// handlerTransport answers requests with a handler, in memory.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		defer r.Body.Close()
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// Close stops the background workers and the listener and closes the data
// directory. It is safe to call more than once.
func (s *Server) Close() error {
	var err error
	s.closed.Do(func() {
		if s.httpSrv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			done := make(chan error, 1)
			go func() { done <- s.httpSrv.Shutdown(ctx) }()
			// Shutdown waits up to 5 s for a connection that never sent
			// a request (a client's spare dial); close those as it goes.
			tick := time.NewTicker(5 * time.Millisecond)
			for e := error(nil); ; {
				select {
				case e = <-done:
				case <-tick.C:
					s.closeNewConns()
					continue
				}
				if e != nil {
					_ = s.httpSrv.Close()
				}
				break
			}
			tick.Stop()
			cancel()
		}
		if s.ts != nil {
			s.ts.Close()
		}
		err = s.shutdown()
	})
	return err
}

func (s *Server) shutdown() error {
	s.cancel()
	s.workers.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store != nil {
		err := s.store.close()
		s.store = nil
		return err
	}
	return nil
}

func (s *Server) now() time.Time { return s.clock.Now().UTC() }

func (s *Server) newID() string { return s.ids.newID() }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("emulator: handler panic", "route", r.Method+" "+r.URL.Path, "panic", fmt.Sprint(v))
			writeError(w, errorf(http.StatusInternalServerError, "internal error"))
		}
	}()
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		s.control(w, r)
		return
	}
	if r.ContentLength > s.opts.MaxBodyBytes {
		writeError(w, tooLarge(s.opts.MaxBodyBytes))
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	}
	s.router.ServeHTTP(w, r)
}

// serveRoute serves a request the router matched to rt: faults first, then
// authentication, then the handler.
func (s *Server) serveRoute(rt *route, w http.ResponseWriter, r *http.Request) {
	c := &call{s: s, w: w, r: r, route: rt}
	if s.applyFaults(c) {
		return
	}
	if !rt.open {
		if err := s.authenticate(r); err != nil {
			writeError(w, err)
			return
		}
	}
	if err := rt.h(c); err != nil {
		writeError(w, err)
	}
}
