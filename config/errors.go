package config

import (
	"errors"
	"strconv"
)

// ErrNoCredentials is wrapped by [Config.ResolveBackend] when the remote
// backend is needed (or, in CI, would be needed) but neither an API key nor a
// JWT is configured.
var ErrNoCredentials = errors.New("no Galileo credentials configured")

// An Error reports one invalid setting. [Load] joins one Error per problem
// with [errors.Join], so a caller sees every invalid value at once; use
// [errors.As] to inspect the first one.
//
// Error texts never contain the value of a secret.
type Error struct {
	// Source names where the value came from: an environment variable
	// (GALILEOTEST_BACKEND), a YAML file path, or "WithOverride".
	Source string
	// Line is the 1-based line in the YAML file, or 0.
	Line int
	// Field is the YAML key or Go field name; empty for environment variables.
	Field string
	// Msg says what is wrong and what was expected.
	Msg string
	// Err is the underlying error (for example from reading the file), or nil.
	Err error
}

// Error formats the error as "SOURCE: MSG", "FILE:LINE: FIELD: MSG" or
// "WithOverride: FIELD: MSG".
func (e *Error) Error() string {
	s := e.Source
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	if e.Field != "" {
		s += ": " + e.Field
	}
	return s + ": " + e.Msg
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }
