package apispec

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/routers"
)

// ErrUnknownRoute is matched (with errors.Is) by the error returned for a
// request whose method and path name no operation of the OpenAPI document,
// after the base path and a "/v2" prefix have been removed. Routes accepted
// with [AllowRoutes] do not produce it.
var ErrUnknownRoute = errors.New("route not in the OpenAPI document")

// v2Prefix is the prefix under which the Python SDK's trace logger calls the
// trace family of routes. A request to /v2/X is checked as /X.
const v2Prefix = "/v2/"

// OffSpecRoutes returns http.ServeMux patterns for the routes that the
// official SDKs call although the OpenAPI document does not describe them:
// login helpers, the ingest service, OTLP export, experiment groups and log
// streams. Pass them to [AllowRoutes] to tolerate those calls:
//
//	v, err := apispec.Load(apispec.AllowRoutes(apispec.OffSpecRoutes()...))
//
// The /v2 trace routes need no pattern: they are checked as their
// un-prefixed counterparts. A fresh slice is returned on every call.
func OffSpecRoutes() []string {
	return []string{
		"GET /current_user",
		"POST /refresh_token",
		"POST /login/social",
		"/ingest/",
		"POST /otel/traces",
		"POST /projects/{project_id}/experiment-groups/query",
		"/projects/{project_id}/log_streams",
		"/projects/{project_id}/log_streams/",
	}
}

// newAllowMux registers patterns on a ServeMux used only for matching.
// ServeMux reports invalid or conflicting patterns by panicking; that is
// turned into an error here.
func newAllowMux(patterns []string) (mux *http.ServeMux, err error) {
	mux = http.NewServeMux()
	for _, p := range patterns {
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("apispec: invalid route pattern %q: %v", p, r)
				}
			}()
			mux.Handle(p, http.NotFoundHandler())
		}()
		if err != nil {
			return nil, err
		}
	}
	return mux, nil
}

// match is the result of routing a request.
type match struct {
	route  *routers.Route    // nil when the route is unknown or allowed
	params map[string]string // path parameters of route
	path   string            // path the spec was searched with (base path and /v2 removed)
	// allowed is the AllowRoutes pattern that accepted an unknown route.
	allowed string
}

// template renders the matched operation as "METHOD /template".
func (m *match) template() string {
	if m.route == nil {
		return ""
	}
	return m.route.Method + " " + m.route.Path
}

// routeError describes why a request has no operation.
type routeError struct {
	method, path string
	reason       string
}

func (e *routeError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.method, e.path, e.reason)
}

func (e *routeError) Unwrap() error { return ErrUnknownRoute }

// find routes r. It returns a *routeError (matching ErrUnknownRoute) when
// the request names no operation and no AllowRoutes pattern accepts it.
func (v *Validator) find(r *http.Request) (*match, error) {
	if r == nil || r.URL == nil {
		return nil, errors.New("apispec: request without URL")
	}
	escaped := r.URL.EscapedPath()
	rel, ok := v.stripBase(escaped)
	if !ok {
		return nil, &routeError{method: r.Method, path: r.URL.Path,
			reason: fmt.Sprintf("path is outside the base path %q", v.basePath)}
	}

	candidates := []string{rel}
	if rest, ok := strings.CutPrefix(rel, v2Prefix); ok {
		candidates = append(candidates, "/"+rest)
	}
	var methodMismatch bool
	for _, p := range candidates {
		route, params, err := v.spec.router.FindRoute(routingRequest(r, p))
		if err == nil {
			return &match{route: route, params: params, path: p}, nil
		}
		if errors.Is(err, routers.ErrMethodNotAllowed) {
			methodMismatch = true
		}
	}

	if v.allow != nil {
		if pattern := v.allowedPattern(r, rel); pattern != "" {
			return &match{path: rel, allowed: pattern}, nil
		}
	}
	reason := ErrUnknownRoute.Error()
	if methodMismatch {
		reason = "path is in the OpenAPI document but not for method " + r.Method
	}
	return nil, &routeError{method: r.Method, path: r.URL.Path, reason: reason}
}

// stripBase removes the configured base path from an escaped path.
func (v *Validator) stripBase(escaped string) (string, bool) {
	if v.basePath == "" {
		return escaped, true
	}
	rest, ok := strings.CutPrefix(escaped, v.basePath)
	if !ok || (rest != "" && rest[0] != '/') {
		return "", false
	}
	if rest == "" {
		rest = "/"
	}
	return rest, true
}

// allowedPattern returns the AllowRoutes pattern matching r at escaped path
// rel, or "".
func (v *Validator) allowedPattern(r *http.Request, rel string) string {
	req := routingRequest(r, rel)
	_, pattern := v.allow.Handler(req)
	return pattern
}

// routingRequest returns a shallow copy of r whose URL path is the escaped
// path p and whose query is r's. The copy has no body.
func routingRequest(r *http.Request, escaped string) *http.Request {
	u := *r.URL
	u.RawPath = escaped
	if p, err := url.PathUnescape(escaped); err == nil {
		u.Path = p
	} else {
		u.Path = escaped
	}
	if u.EscapedPath() == u.Path {
		u.RawPath = ""
	}
	c := r.WithContext(r.Context())
	c.URL = &u
	c.Body = http.NoBody
	c.GetBody = nil
	c.ContentLength = 0
	return c
}
