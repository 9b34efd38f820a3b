package apispec

import _ "embed"

// Document is the OpenAPI document of the Galileo REST API that this module
// is written against: openapi-subset.yaml (OpenAPI 3.1, YAML), a verbatim
// subset of Galileo's published specification (see its header comment).
// It is embedded so that tests and tools work from a fresh clone without
// reading any file at run time. Treat it as read-only; Load parses it.
//
//go:embed openapi-subset.yaml
var Document []byte
