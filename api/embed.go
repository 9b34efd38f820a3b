// Package api holds the OpenAPI document of the Galileo REST API that this
// module is written against.
//
// The document is a verbatim subset of Galileo's published OpenAPI 3.1
// specification (see the header comment of openapi-subset.yaml). It is
// embedded so that tests and tools work from a fresh clone without reading
// any file at run time:
//
//	doc := api.Spec // the YAML bytes of openapi-subset.yaml
//
// Use package internal/apispec to validate requests and responses against it.
package api

import _ "embed"

// Spec is the content of openapi-subset.yaml (OpenAPI 3.1, YAML).
// Treat it as read-only.
//
//go:embed openapi-subset.yaml
var Spec []byte
