package emulator

import (
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/galileo-community/galileo-go/galileo"
)

// handlerFunc serves one matched route. Returning an error renders it as a
// Galileo error answer.
type handlerFunc func(c *call) error

// Route flags of router.add.
const (
	flagV2   = "v2"   // also served below /v2, as the trace family is
	flagOpen = "open" // served without authentication
)

// route is one operation of the API: a method and a net/http.ServeMux path
// pattern such as "/projects/{project_id}/experiments".
type route struct {
	method string
	path   string
	h      handlerFunc
	v2     bool // also served below /v2
	open   bool // no authentication
}

// key names the route for faults: "GET /projects/{project_id}". It is the
// ServeMux pattern the route is registered with (without the /v2 prefix).
func (rt *route) key() string { return rt.method + " " + rt.path }

// router dispatches requests with a net/http.ServeMux: its patterns give the
// methods, wildcards and precedence, and HEAD is served by GET routes. The
// mux's own plain-text 404 and 405 answers are never sent: serve renders
// them in Galileo's JSON shape.
type router struct {
	mux       *http.ServeMux
	routes    []*route          // in registration order
	byPattern map[string]*route // registered ServeMux pattern -> route
	serve     func(*route, http.ResponseWriter, *http.Request)
}

// newRouter returns a router whose matched routes are served by serve.
func newRouter(serve func(*route, http.ResponseWriter, *http.Request)) *router {
	return &router{mux: http.NewServeMux(), byPattern: map[string]*route{}, serve: serve}
}

// add registers h for method and path (a ServeMux pattern path, with
// {wildcards}), and below /v2 with flagV2.
func (rr *router) add(method, path string, h handlerFunc, flags ...string) {
	rt := &route{method: method, path: path, h: h}
	for _, f := range flags {
		switch f {
		case flagV2:
			rt.v2 = true
		case flagOpen:
			rt.open = true
		default:
			panic("emulator: unknown route flag " + strconv.Quote(f))
		}
	}
	rr.routes = append(rr.routes, rt)
	patterns := []string{method + " " + path}
	if rt.v2 {
		patterns = append(patterns, method+" /v2"+path)
	}
	serve := func(w http.ResponseWriter, r *http.Request) { rr.serve(rt, w, r) }
	for _, p := range patterns {
		rr.mux.HandleFunc(p, serve)
		rr.byPattern[p] = rt
	}
}

// known reports whether method (or "*" for any) and path name a route.
func (rr *router) known(method, path string) bool {
	for _, rt := range rr.routes {
		if rt.path == path && (method == "*" || rt.method == method) {
			return true
		}
	}
	return false
}

// match returns the route the mux picks for r, or nil.
func (rr *router) match(r *http.Request) *route {
	_, pattern := rr.mux.Handler(r)
	return rr.byPattern[pattern]
}

// probeMethods are the methods tried to tell a 405 from a 404.
var probeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// allowed lists the methods the mux serves for r's path.
func (rr *router) allowed(r *http.Request) []string {
	var out []string
	probe := *r
	for _, m := range probeMethods {
		probe.Method = m
		if rr.match(&probe) != nil {
			out = append(out, m)
		}
	}
	return out
}

// ServeHTTP routes r: a miss is a JSON 404 or 405 (with Allow); a hit is
// served by the mux, which sets r.Pattern and the path values.
func (rr *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = tolerantPath(r)
	if r == nil || rr.match(r) == nil {
		if r != nil {
			if allow := rr.allowed(r); len(allow) > 0 {
				w.Header().Set("Allow", strings.Join(allow, ", "))
				writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"detail": "Method Not Allowed"})
				return
			}
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not Found"})
		return
	}
	rr.mux.ServeHTTP(w, r)
}

// tolerantPath drops trailing slashes ("/projects/" is served as
// "/projects", as the hand-written router did). It returns nil for a path
// that is not clean ("//", "/./", "/../"): no route has one, and the mux
// would answer it with a plain-text redirect.
func tolerantPath(r *http.Request) *http.Request {
	if r.URL.Path == "/" || !strings.HasSuffix(r.URL.Path, "/") {
		if esc := r.URL.EscapedPath(); path.Clean(esc) != esc {
			return nil
		}
		return r
	}
	u := *r.URL
	u.Path = "/" + strings.Trim(u.Path, "/")
	u.RawPath = ""
	if r.URL.RawPath != "" {
		u.RawPath = "/" + strings.Trim(r.URL.RawPath, "/")
	}
	if esc := u.EscapedPath(); path.Clean(esc) != esc {
		return nil
	}
	r2 := new(http.Request)
	*r2 = *r
	r2.URL = &u
	return r2
}

// call is one request being served.
type call struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	route *route
	hide  bool // a "pending" fault applies to this request
}

// param is a path parameter, unescaped ("" when the route has none of that name).
func (c *call) param(name string) string { return c.r.PathValue(name) }

func (c *call) query(name string) string { return c.r.URL.Query().Get(name) }

// queryInt reads an integer query parameter, def when absent; a value that
// is not an integer is a FastAPI-shaped 422.
func (c *call) queryInt(name string, def int) (int, error) {
	v := c.r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, invalid("int_parsing", "Input should be a valid integer, unable to parse string as an integer", "query", name)
	}
	return n, nil
}

// queryBool reads a boolean query parameter (true/false/1/0, any case).
func (c *call) queryBool(name string, def bool) (bool, error) {
	v := c.r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	b, ok := parseBool(v)
	if !ok {
		return false, invalid("bool_parsing", "Input should be a valid boolean, unable to interpret input", "query", name)
	}
	return b, nil
}

// parseBool accepts the spellings Python and JavaScript clients send.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "t", "yes", "y", "on":
		return true, true
	case "false", "0", "f", "no", "n", "off", "":
		return false, true
	}
	return false, false
}

func (c *call) json(status int, v any) error {
	writeJSON(c.w, status, v)
	return nil
}

func (c *call) noContent() error {
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// page is the offset pagination every list route shares.
type page struct {
	start, limit int
}

func (c *call) page() (page, error) {
	st, err := c.queryInt("starting_token", 0)
	if err != nil {
		return page{}, err
	}
	lim, err := c.queryInt("limit", 100)
	if err != nil {
		return page{}, err
	}
	return normPage(st, lim), nil
}

// listRequest reads the pagination query parameters, then decodes the
// (optional) JSON body of a list route into body.
func (c *call) listRequest(body any) (page, error) {
	pg, err := c.page()
	if err != nil {
		return page{}, err
	}
	if err := decodeJSON(c.r, body, true); err != nil {
		return page{}, err
	}
	return pg, nil
}

func normPage(start, limit int) page {
	if start < 0 {
		start = 0
	}
	if limit <= 0 {
		limit = 100
	}
	return page{start: start, limit: limit}
}

// cut returns the bounds of the page over n items and the envelope to send.
func (p page) cut(n int) (lo, hi int, env pageEnvelope) {
	lo = min(p.start, n)
	hi = min(lo+p.limit, n)
	env = pageEnvelope{StartingToken: p.start, Limit: p.limit}
	if hi < n {
		next := hi
		env.NextStartingToken = &next
		env.Paginated = true
	}
	return lo, hi, env
}

// pageEnvelope is the pagination part of list answers.
type pageEnvelope = galileo.Page
