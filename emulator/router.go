package emulator

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/galileo-community/galileo-go/galileo"
)

// handlerFunc serves one matched route. Returning an error renders it as a
// Galileo error answer.
type handlerFunc func(c *call) error

// route is one method + path pattern of the API.
type route struct {
	method  string
	pattern string // e.g. "/projects/{project_id}/experiments"
	segs    []string
	h       handlerFunc
	v2      bool // also served below /v2
	noAuth  bool
	// rank orders candidate routes: literal segments beat parameters,
	// earlier segments weigh more.
	rank uint64
}

// key is the name faults use: "GET /projects/{project_id}".
func (rt *route) key() string { return rt.method + " " + rt.pattern }

type router struct {
	routes []*route
}

func (rr *router) add(method, pattern string, h handlerFunc, flags ...string) {
	rt := &route{method: method, pattern: pattern, h: h, segs: strings.Split(strings.Trim(pattern, "/"), "/")}
	for _, f := range flags {
		switch f {
		case "v2":
			rt.v2 = true
		case "open":
			rt.noAuth = true
		}
	}
	for i, s := range rt.segs {
		if !isParam(s) && i < 63 {
			rt.rank |= 1 << (63 - i)
		}
	}
	rr.routes = append(rr.routes, rt)
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

// match finds the route for method and escaped path. found reports whether
// any route has the path (so a miss on the method is a 405).
func (rr *router) match(method, escapedPath string) (rt *route, params map[string]string, found bool) {
	path := escapedPath
	v2 := false
	if strings.HasPrefix(path, "/v2/") {
		path, v2 = path[3:], true
	}
	raw := strings.Split(strings.Trim(path, "/"), "/")
	var best *route
	var bestParams []string
	for _, cand := range rr.routes {
		if len(cand.segs) != len(raw) || (v2 && !cand.v2) {
			continue
		}
		ok := true
		for i, s := range cand.segs {
			if !isParam(s) && s != raw[i] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		found = true
		if cand.method != method && !(method == http.MethodHead && cand.method == http.MethodGet) {
			continue
		}
		if best == nil || cand.rank > best.rank {
			best = cand
			bestParams = raw
		}
	}
	if best == nil {
		return nil, nil, found
	}
	params = map[string]string{}
	for i, s := range best.segs {
		if isParam(s) {
			v, err := url.PathUnescape(bestParams[i])
			if err != nil {
				v = bestParams[i]
			}
			params[s[1:len(s)-1]] = v
		}
	}
	return best, params, true
}

// call is one request being served.
type call struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	route  *route
	params map[string]string
	hide   bool // a "pending" fault applies to this request
}

func (c *call) param(name string) string { return c.params[name] }

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
