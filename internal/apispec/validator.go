package apispec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Validator checks HTTP requests and responses against the embedded Galileo
// OpenAPI 3.1 document. It is immutable and safe for concurrent use.
type Validator struct {
	spec     *spec
	basePath string         // escaped, no trailing slash; "" for none
	allow    *http.ServeMux // AllowRoutes patterns; nil for none
}

// Option configures a [Validator] made by [Load].
type Option func(*config)

type config struct {
	basePath string
	allow    []string
}

// WithBasePath makes the validator expect every path under prefix (for
// example "/api" when the API is mounted below a path prefix). The prefix is
// removed before the document is searched; a path outside it is an unknown
// route.
func WithBasePath(prefix string) Option {
	return func(c *config) { c.basePath = prefix }
}

// AllowRoutes accepts requests that match one of the http.ServeMux patterns
// (such as "GET /current_user" or "/ingest/") when the OpenAPI document does
// not describe them: such requests and their responses are not checked, and
// no [ErrUnknownRoute] is reported. Patterns are matched against the path
// below the [WithBasePath] prefix, before any "/v2" prefix is removed.
// Routes that the document does describe are always checked. [OffSpecRoutes] lists the routes the official SDKs use
// beyond the document. Options accumulate.
func AllowRoutes(patterns ...string) Option {
	return func(c *config) { c.allow = append(c.allow, patterns...) }
}

// Load returns a Validator for the embedded OpenAPI document.
//
// The document is parsed and checked once per process, by the first call;
// later calls share the parsed document and the schemas compiled so far, so
// Load is cheap after the first call. It fails if the document is invalid
// (apart from the upstream quirks described in the package documentation)
// or an option is invalid.
func Load(opts ...Option) (*Validator, error) {
	s, err := loadSpec()
	if err != nil {
		return nil, err
	}
	var c config
	for _, o := range opts {
		o(&c)
	}
	v := &Validator{spec: s}
	if c.basePath != "" && c.basePath != "/" {
		bp := strings.TrimSuffix(c.basePath, "/")
		if !strings.HasPrefix(bp, "/") {
			return nil, fmt.Errorf("apispec: base path %q must start with /", c.basePath)
		}
		v.basePath = bp
	}
	if len(c.allow) > 0 {
		if v.allow, err = newAllowMux(c.allow); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Route returns the operation that r is checked against, as "METHOD
// /template" (for example "POST /projects/{project_id}/traces" for a POST to
// /v2/projects/123/traces). It returns "" and a nil error for a route
// accepted by [AllowRoutes], and an error matching [ErrUnknownRoute] for any
// other route the document does not describe.
func (v *Validator) Route(r *http.Request) (string, error) {
	m, err := v.find(r)
	if err != nil {
		return "", err
	}
	return m.template(), nil
}

// Error reports how one request or response breaks the contract.
// Its message names every offending parameter or JSON location and never
// includes header values or the values of string fields checked against a
// format or pattern.
type Error struct {
	// Method and Path identify the request (Path excludes the query).
	Method string
	Path   string
	// Route is the matching operation as "METHOD /template"; "" when the
	// route is unknown.
	Route string
	// Status is the response status; 0 when the request is at fault.
	Status int
	// Problems lists what is wrong, one entry per problem.
	Problems []string
	// Err is the cause: ErrUnknownRoute for an unknown route, else nil.
	Err error
}

// Error returns a one-line summary followed by one indented line per problem.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Status != 0 {
		fmt.Fprintf(&b, "response %d to %s %s", e.Status, e.Method, e.Path)
	} else {
		fmt.Fprintf(&b, "request %s %s", e.Method, e.Path)
	}
	if e.Route != "" && e.Route != e.Method+" "+e.Path {
		fmt.Fprintf(&b, " (operation %s)", e.Route)
	}
	b.WriteString(" breaks the OpenAPI contract")
	if len(e.Problems) == 1 {
		b.WriteString(": ")
		b.WriteString(e.Problems[0])
		return b.String()
	}
	b.WriteByte(':')
	for _, p := range e.Problems {
		b.WriteString("\n\t- ")
		b.WriteString(p)
	}
	return b.String()
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// ValidateRequest checks a request against its operation: the route must
// exist, path parameters and declared query, header and cookie parameters
// must match their schemas, and body (the request body, which r.Body is
// not read for) must have a declared content type and, for JSON, match the
// body schema. Form and multipart bodies are decoded and checked too.
// Unknown query parameters and authentication are not checked.
//
// It returns nil or an *[Error]; an unknown route yields one whose Err is
// [ErrUnknownRoute].
func (v *Validator) ValidateRequest(r *http.Request, body []byte) error {
	m, err := v.find(r)
	if err != nil {
		return routeFailure(r, 0, err)
	}
	if m.route == nil { // accepted by AllowRoutes
		return nil
	}
	var problems []string
	problems = append(problems, v.checkParameters(r, m)...)
	problems = append(problems, v.checkRequestBody(r, m, body)...)
	if len(problems) == 0 {
		return nil
	}
	return &Error{Method: r.Method, Path: r.URL.Path, Route: m.template(), Problems: problems}
}

// ValidateResponse checks the response to r (status, header and the
// complete body) against the operation of r.
//
// A status the operation declares (exactly, as a range such as "2XX", or
// through "default") selects the response description: declared headers are
// checked, the Content-Type must be one it declares, and a JSON body must
// match its schema. A body whose declared schema accepts anything (such as
// the line-delimited export stream) is not parsed. A success status (2xx)
// that the operation does not declare is an error when it declares another
// success status; other undeclared statuses (401, 404, 500, ...) are
// accepted unchecked because the document lists errors only partially.
//
// It returns nil or an *[Error]; an unknown route yields one whose Err is
// [ErrUnknownRoute].
func (v *Validator) ValidateResponse(r *http.Request, status int, header http.Header, body []byte) error {
	m, err := v.find(r)
	if err != nil {
		return routeFailure(r, status, err)
	}
	if m.route == nil || r.Method == http.MethodHead {
		return nil
	}
	problems := v.checkResponse(r, m, status, header, body)
	if len(problems) == 0 {
		return nil
	}
	return &Error{Method: r.Method, Path: r.URL.Path, Route: m.template(), Status: status, Problems: problems}
}

func routeFailure(r *http.Request, status int, err error) error {
	var re *routeError
	if errors.As(err, &re) {
		return &Error{Method: r.Method, Path: r.URL.Path, Status: status, Problems: []string{re.reason}, Err: ErrUnknownRoute}
	}
	return err
}

// filterInput prepares the openapi3filter input for a routed request.
func (v *Validator) filterInput(r *http.Request, m *match) *openapi3filter.RequestValidationInput {
	return &openapi3filter.RequestValidationInput{
		Request:    routingRequest(r, m.path),
		PathParams: m.params,
		Route:      m.route,
		Options:    v.spec.filterOpts,
	}
}

// checkParameters validates path, query, header and cookie parameters.
func (v *Validator) checkParameters(r *http.Request, m *match) []string {
	in := v.filterInput(r, m)
	in.Options = v.spec.paramOpts
	err := openapi3filter.ValidateRequest(context.Background(), in)
	if err == nil {
		return nil
	}
	var problems []string
	for _, e := range flattenMulti(err) {
		problems = append(problems, describeFilterError(e)...)
	}
	return problems
}

// flattenMulti expands nested openapi3.MultiError values (only those: an
// error wrapping one keeps its context).
func flattenMulti(err error) []error {
	if me, ok := err.(openapi3.MultiError); ok {
		var out []error
		for _, e := range me {
			out = append(out, flattenMulti(e)...)
		}
		return out
	}
	return []error{err}
}

// describeFilterError renders an openapi3filter error without dumping
// schemas or values.
func describeFilterError(err error) []string {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return describeCause("", err)
	}
	prefix := "body"
	if p := re.Parameter; p != nil {
		prefix = fmt.Sprintf("%s parameter %q", p.In, p.Name)
	}
	if re.Err == nil {
		return []string{prefix + ": " + firstLine(re.Reason)}
	}
	var problems []string
	for _, e := range flattenMulti(re.Err) {
		problems = append(problems, describeCause(prefix, e)...)
	}
	return problems
}

// describeCause renders the cause of a filter error: a JSON Schema failure
// location by location, a kin-openapi schema error by its reason, anything
// else by its first line.
func describeCause(prefix string, err error) []string {
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		return schemaProblems(prefix, ve)
	}
	sep := ": "
	if prefix == "" {
		sep = ""
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		loc := ""
		if ptr := se.JSONPointer(); len(ptr) > 0 {
			loc = " at " + strconv.Quote(pointer(ptr...))
		}
		return []string{prefix + loc + sep + firstLine(se.Reason)}
	}
	return []string{prefix + sep + firstLine(err.Error())}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// checkRequestBody validates the request body.
func (v *Validator) checkRequestBody(r *http.Request, m *match, body []byte) []string {
	op := m.route.Operation
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		if len(body) > 0 {
			return []string{"body: the operation declares no request body"}
		}
		return nil
	}
	rb := op.RequestBody.Value
	if len(body) == 0 {
		if rb.Required {
			return []string{"body: required but empty"}
		}
		return nil
	}
	ct := r.Header.Get("Content-Type")
	key, media := matchMedia(rb.Content, ct)
	if media == nil {
		return []string{fmt.Sprintf("body: Content-Type %q is not declared (want %s)", ct, strings.Join(mediaKeys(rb.Content), " or "))}
	}
	if media.Schema == nil || isAnySchema(media.Schema.Value) {
		return nil
	}
	if isJSON(key) {
		base := pointer("paths", m.route.Path, strings.ToLower(m.route.Method), "requestBody")
		if ref := op.RequestBody.Ref; ref != "" {
			if p, ok := refPointer(ref); ok {
				base = p
			}
		}
		return v.checkJSON("body", base+pointer("content", key, "schema"), body)
	}
	// Forms and multipart: let openapi3filter decode the parts.
	in := v.filterInput(r, m)
	in.Request.Body = io.NopCloser(bytes.NewReader(body))
	in.Request.ContentLength = int64(len(body))
	in.Request.GetBody = nil
	if err := openapi3filter.ValidateRequestBody(context.Background(), in, rb); err != nil {
		var problems []string
		for _, e := range flattenMulti(err) {
			problems = append(problems, describeFilterError(e)...)
		}
		return problems
	}
	return nil
}

// checkResponse validates status, headers and body of a response.
func (v *Validator) checkResponse(r *http.Request, m *match, status int, header http.Header, body []byte) []string {
	op := m.route.Operation
	key, ref := responseFor(op, status)
	if ref == nil || ref.Value == nil {
		if status >= 200 && status < 300 {
			if declared := successCodes(op); len(declared) > 0 {
				return []string{fmt.Sprintf("status %d is not declared (declared success statuses: %s)", status, strings.Join(declared, ", "))}
			}
		}
		return nil
	}
	resp := ref.Value
	var problems []string
	if len(resp.Headers) > 0 {
		problems = append(problems, v.checkResponseHeaders(r, m, status, header)...)
	}
	if len(resp.Content) == 0 || status == http.StatusNoContent || status == http.StatusNotModified {
		return problems
	}
	if allAnySchemas(resp.Content) {
		// E.g. the export stream: declared as JSON of any shape, sent as
		// JSON lines or CSV.
		return problems
	}
	ct := header.Get("Content-Type")
	mkey, media := matchMedia(resp.Content, ct)
	if media == nil {
		return append(problems, fmt.Sprintf("body: Content-Type %q is not declared (want %s)", ct, strings.Join(mediaKeys(resp.Content), " or ")))
	}
	if media.Schema == nil || isAnySchema(media.Schema.Value) || !isJSON(mkey) {
		return problems
	}
	base := pointer("paths", m.route.Path, strings.ToLower(m.route.Method), "responses", key)
	if ref.Ref != "" {
		if p, ok := refPointer(ref.Ref); ok {
			base = p
		}
	}
	return append(problems, v.checkJSON("body", base+pointer("content", mkey, "schema"), body)...)
}

// checkResponseHeaders validates the declared response headers with
// openapi3filter (bodies are checked separately).
func (v *Validator) checkResponseHeaders(r *http.Request, m *match, status int, header http.Header) []string {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: v.filterInput(r, m),
		Status:                 status,
		Header:                 header,
		Body:                   http.NoBody,
		Options:                v.spec.headerOpts,
	}
	err := openapi3filter.ValidateResponse(context.Background(), in)
	if err == nil {
		return nil
	}
	var problems []string
	for _, e := range flattenMulti(err) {
		var re *openapi3filter.ResponseError
		if errors.As(e, &re) && re.Err != nil {
			for _, c := range flattenMulti(re.Err) {
				problems = append(problems, describeCause(firstLine(re.Reason), c)...)
			}
			continue
		}
		problems = append(problems, describeCause("", e)...)
	}
	return problems
}

// checkJSON decodes body as JSON and validates it against the schema at ptr.
func (v *Validator) checkJSON(prefix, ptr string, body []byte) []string {
	if len(bytes.TrimSpace(body)) == 0 {
		return []string{prefix + ": empty, want a JSON document"}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return []string{prefix + ": invalid JSON: " + err.Error()}
	}
	sch, err := v.spec.schemaAt(ptr)
	if err != nil {
		return []string{prefix + ": " + err.Error()}
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return schemaProblems(prefix+schemaName(sch), ve)
		}
		return []string{prefix + ": " + err.Error()}
	}
	return nil
}

// schemaName returns " (SchemaName)" for a component schema, else "".
func schemaName(sch *jsonschema.Schema) string {
	if sch.Ref != nil {
		sch = sch.Ref
	}
	_, frag, _ := strings.Cut(sch.Location, "#")
	if name, ok := strings.CutPrefix(frag, "/components/schemas/"); ok && !strings.Contains(name, "/") {
		return " (" + name + ")"
	}
	return ""
}

// responseFor finds the response description for status: the exact code,
// then the range ("2XX"), then "default". It returns the key used.
func responseFor(op *openapi3.Operation, status int) (string, *openapi3.ResponseRef) {
	if op.Responses == nil {
		return "", nil
	}
	code := strconv.Itoa(status)
	if ref := op.Responses.Value(code); ref != nil {
		return code, ref
	}
	if len(code) == 3 {
		rng := code[:1] + "XX"
		if ref := op.Responses.Value(rng); ref != nil {
			return rng, ref
		}
	}
	if ref := op.Responses.Value("default"); ref != nil {
		return "default", ref
	}
	return "", nil
}

// successCodes lists the 2xx statuses (or "2XX") an operation declares.
func successCodes(op *openapi3.Operation) []string {
	if op.Responses == nil {
		return nil
	}
	var out []string
	for k := range op.Responses.Map() {
		if strings.HasPrefix(k, "2") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// matchMedia finds the declared media type for a Content-Type header: an
// exact media-type match (parameters ignored, case-insensitive), then
// "type/*", then "*/*".
func matchMedia(content openapi3.Content, contentType string) (string, *openapi3.MediaType) {
	if contentType == "" {
		return "", nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", nil
	}
	typ, _, _ := strings.Cut(mt, "/")
	for _, want := range []string{mt, typ + "/*", "*/*"} {
		for k, media := range content {
			if km, _, err := mime.ParseMediaType(k); err == nil && strings.EqualFold(km, want) {
				return k, media
			}
		}
	}
	return "", nil
}

func mediaKeys(content openapi3.Content) []string {
	keys := make([]string, 0, len(content))
	for k := range content {
		keys = append(keys, strconv.Quote(k))
	}
	slices.Sort(keys)
	return keys
}

func isJSON(mediaType string) bool {
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// isAnySchema reports whether s accepts every value (the empty schema {}).
func isAnySchema(s *openapi3.Schema) bool {
	return s == nil || s.IsEmpty()
}

func allAnySchemas(content openapi3.Content) bool {
	for _, media := range content {
		if media.Schema != nil && !isAnySchema(media.Schema.Value) {
			return false
		}
	}
	return true
}
