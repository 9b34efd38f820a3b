package apispec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// schemaBaseURL names the embedded document inside the JSON Schema compiler.
// JSON pointers into the document are appended to it as URL fragments.
const schemaBaseURL = "urn:galileo:openapi-subset"

// loadSpec parses the embedded document once per process.
//
// This is package-level on purpose: parsing the ~1 MB document takes a few
// hundred milliseconds (seconds under the race detector), and everything it
// produces is derived deterministically from the embedded bytes. The parsed
// document and router are never modified after parseSpec returns; the only
// thing that changes later is the memo of compiled body schemas, which is
// guarded by a mutex and only ever caches what compiling would produce anyway.
// Nothing configurable is global: options live in each [Validator].
var loadSpec = sync.OnceValues(func() (*spec, error) { return parseSpec(Document) })

// spec is the parsed, shared, read-only form of the OpenAPI document.
type spec struct {
	doc    *openapi3.T
	router routers.Router
	// Options shared by every openapi3filter call; only read by it.
	filterOpts *openapi3filter.Options // form and multipart bodies
	paramOpts  *openapi3filter.Options // parameters only (bodies excluded)
	headerOpts *openapi3filter.Options // response headers only (bodies excluded)

	mu       sync.Mutex
	compiler *jsonschema.Compiler          // guarded by mu
	schemas  map[string]*jsonschema.Schema // JSON pointer -> compiled schema; guarded by mu
}

// loadValidationOptions are the checks relaxed while validating the document
// itself at load time. Each one tolerates a known defect of the upstream
// document; TestSpec_Quirks pins the exact list so that a regenerated
// document with new defects is noticed.
func loadValidationOptions() []openapi3.ValidationOption {
	return []openapi3.ValidationOption{
		// Several `sort` properties declare `default: None` (a Python None
		// rendered as a string) although the schema only allows an object
		// or null.
		openapi3.DisableSchemaDefaultsValidation(),
		// Some `examples` of the log-record count requests do not match
		// their own schema (filters without `column_id`). Checking examples
		// would also cost about half a second.
		openapi3.DisableExamplesValidation(),
		// UpdateDatasetContentRequest.edits carries a non-standard `error`
		// keyword (a pydantic error message).
		openapi3.AllowExtraSiblingFields("error"),
	}
}

// parseSpec loads, checks and indexes an OpenAPI 3.1 document.
func parseSpec(data []byte) (*spec, error) {
	// The kin-openapi model (routing, parameters) and the plain JSON tree
	// (body schemas) are built from the same bytes concurrently: each takes
	// about as long as the other.
	type tree struct {
		doc any
		err error
	}
	treeCh := make(chan tree, 1)
	go func() {
		doc, err := yamlToJSONTree(data)
		treeCh <- tree{doc, err}
	}()

	doc, err := openapi3.NewLoader().LoadFromData(data)
	t := <-treeCh
	if err != nil {
		return nil, fmt.Errorf("apispec: parse OpenAPI document: %w", err)
	}
	if t.err != nil {
		return nil, fmt.Errorf("apispec: parse OpenAPI document as JSON tree: %w", t.err)
	}
	if !doc.IsOpenAPI31OrLater() {
		return nil, fmt.Errorf("apispec: OpenAPI document has version %q, want 3.1", doc.OpenAPI)
	}
	// Validate switches to JSON Schema 2020-12 rules by itself for 3.1.
	if err := doc.Validate(context.Background(), loadValidationOptions()...); err != nil {
		return nil, fmt.Errorf("apispec: invalid OpenAPI document: %w", err)
	}

	// Server URLs name the hosted API; requests are matched on their path
	// only, whatever host they were sent to.
	doc.Servers = nil
	doc.SetStringFormatValidator("uuid4", openapi3.NewCallbackValidator(checkUUID))
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("apispec: build router: %w", err)
	}

	compiler := jsonschema.NewCompiler()
	compiler.DefaultDraft(jsonschema.Draft2020)
	compiler.AssertFormat()
	compiler.RegisterFormat(&jsonschema.Format{Name: "uuid4", Validate: func(v any) error {
		if s, ok := v.(string); ok {
			return checkUUID(s)
		}
		return nil
	}})
	if err := compiler.AddResource(schemaBaseURL, t.doc); err != nil {
		return nil, fmt.Errorf("apispec: register OpenAPI document with the schema compiler: %w", err)
	}

	opts := &openapi3filter.Options{
		// Authentication is outside the contract checked here.
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		// Never rewrite the request being checked (and never apply the
		// upstream `default: None` quirk).
		SkipSettingDefaults:     true,
		MultiError:              true,
		SchemaValidationOptions: doc.GetSchemaValidationOptions(),
	}
	paramOpts, headerOpts := *opts, *opts
	paramOpts.ExcludeRequestBody = true
	headerOpts.ExcludeResponseBody = true
	return &spec{
		doc:        doc,
		router:     router,
		filterOpts: opts,
		paramOpts:  &paramOpts,
		headerOpts: &headerOpts,
		compiler:   compiler,
		schemas:    make(map[string]*jsonschema.Schema),
	}, nil
}

// yamlToJSONTree decodes YAML into the value types the JSON Schema compiler
// expects (as if the document had been JSON: json.Number for numbers).
func yamlToJSONTree(data []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(j))
}

// schemaAt returns the compiled JSON Schema found at ptr, a JSON pointer
// into the document. Compiled schemas are kept for the life of the process.
func (s *spec) schemaAt(ptr string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.schemas[ptr]; ok {
		return sch, nil
	}
	sch, err := s.compiler.Compile(schemaBaseURL + "#" + ptr)
	if err != nil {
		return nil, fmt.Errorf("apispec: compile schema at %s: %w", ptr, err)
	}
	s.schemas[ptr] = sch
	return sch, nil
}

// pointer builds a JSON pointer from unescaped tokens.
func pointer(tokens ...string) string {
	var b strings.Builder
	r := strings.NewReplacer("~", "~0", "/", "~1")
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(r.Replace(t))
	}
	return b.String()
}

// refPointer turns a local reference such as "#/components/schemas/X" into
// the pointer "/components/schemas/X". It reports false for other references.
func refPointer(ref string) (string, bool) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return "", false
	}
	if p, err := url.PathUnescape(frag); err == nil {
		frag = p
	}
	return frag, true
}

// errNotUUID is the reason given for a malformed uuid4 value. It never
// includes the value itself.
var errNotUUID = errors.New("not a UUID (want 8-4-4-4-12 hex digits)")

// checkUUID accepts the canonical textual form of any UUID. The document
// says "uuid4" for most identifiers; the version nibble is not enforced so
// that identifiers made by other generators are not reported.
func checkUUID(s string) error {
	if len(s) != 36 {
		return errNotUUID
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return errNotUUID
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return errNotUUID
			}
		}
	}
	return nil
}
