// Package apispec checks HTTP traffic against the Galileo OpenAPI 3.1
// document it embeds (openapi-subset.yaml, see Document).
//
// It is meant for contract tests: wrap the client's transport, or the
// emulator's handler, and every request and response that breaks the
// document fails the test.
//
// # Quick start
//
// In a test:
//
//	ct := apispec.NewT(t, apispec.AllowRoutes(apispec.OffSpecRoutes()...))
//	srv := httptest.NewServer(ct.Handler(emulatorHandler))   // server side
//	client := &http.Client{Transport: ct.Transport(nil)}      // client side
//	// ... exercise the API; violations are reported with t.Errorf at cleanup.
//
// Without package testing (for example in an emulator's strict mode):
//
//	v, err := apispec.Load()
//	if err != nil { ... }
//	var rec apispec.Recorder
//	h := v.Middleware(handler, &rec)
//	// ... later: if err := rec.Err(); err != nil { ... }
//
// or call [Validator.ValidateRequest] and [Validator.ValidateResponse]
// directly.
//
// # What is checked
//
//   - The route: method and path must name an operation. A "/v2" prefix is
//     removed first (the Python SDK logs traces under /v2/projects/...), as
//     is the base path given with [WithBasePath]. Other unknown routes give
//     [ErrUnknownRoute] unless [AllowRoutes] accepts them; [OffSpecRoutes]
//     lists those the SDKs are known to call.
//   - Path parameters, and declared query, header and cookie parameters.
//     Undeclared query parameters are ignored (the JS SDK repeats path
//     parameters in the query). Authentication is not checked.
//   - Request bodies: the Content-Type must be declared; JSON bodies must
//     match the schema (additionalProperties as the document declares them,
//     which mostly means unknown fields are allowed); form and multipart
//     bodies are decoded and checked field by field.
//   - Responses: see [Validator.ValidateResponse]. JSON bodies are checked
//     when the status is declared; line-delimited export streams are not
//     parsed.
//
// Schemas are checked with JSON Schema 2020-12 semantics (anyOf with
// type 'null', const, propertyNames, ...). Formats are asserted:
// "date-time" must carry a time zone, and "uuid4" accepts any canonical
// UUID (the version digit is not enforced).
//
// # The document and its quirks
//
// The document is parsed by the first [Load] of the process (a few hundred
// milliseconds; a few seconds under the race detector) and shared by every
// Validator afterwards, together with the body schemas compiled so far;
// see BenchmarkLoad and BenchmarkValidateRequest. Loading checks the
// document with kin-openapi, tolerating three upstream defects:
//
//   - a string default "None" on several `sort` properties (a Python None);
//     defaults are never applied to the traffic being checked;
//   - examples that do not match their schemas (log-record count requests);
//   - a non-standard `error` keyword in UpdateDatasetContentRequest, which
//     JSON Schema ignores as an unknown keyword.
//
// Server URLs of the document are ignored: requests are matched by path
// whatever host they were sent to.
//
// # Implementation notes
//
// Routing and parameters use kin-openapi (github.com/getkin/kin-openapi),
// which recognises the 3.1 document by its "openapi" field and then
// validates with JSON Schema 2020-12 by itself; there is no switch to set.
// Its request filter, however, recompiles a body schema for every message
// (10-30 ms for typical operations), so JSON bodies are validated with the
// JSON Schema 2020-12 compiler that kin-openapi itself uses
// (github.com/santhosh-tekuri/jsonschema/v6), against the original document
// text, compiling each schema once per process.
package apispec
