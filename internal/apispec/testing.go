package apispec

import (
	"net/http"
	"testing"
)

// Check registers a cleanup on tb that reports every violation recorded in
// r by the end of the test, one tb.Errorf per violation.
func (r *Recorder) Check(tb testing.TB) {
	tb.Helper()
	tb.Cleanup(func() {
		for _, err := range r.Violations() {
			tb.Errorf("OpenAPI contract violation: %v", err)
		}
	})
}

// Tester ties a [Validator] and a [Recorder] to a test: every violation
// seen by its Transport or Handler fails the test when it ends.
type Tester struct {
	v   *Validator
	rec *Recorder
}

// NewT loads the validator with opts (stopping the test with tb.Fatal if
// that fails) and registers a cleanup that reports each recorded violation
// with tb.Errorf.
//
//	ct := apispec.NewT(t, apispec.AllowRoutes(apispec.OffSpecRoutes()...))
//	client := &http.Client{Transport: ct.Transport(nil)}
func NewT(tb testing.TB, opts ...Option) *Tester {
	tb.Helper()
	v, err := Load(opts...)
	if err != nil {
		tb.Fatalf("apispec: %v", err)
	}
	ct := &Tester{v: v, rec: &Recorder{}}
	ct.rec.Check(tb)
	return ct
}

// Transport wraps next (http.DefaultTransport when nil) so that requests
// sent and responses received are checked; see [Validator.RoundTripper].
func (ct *Tester) Transport(next http.RoundTripper) http.RoundTripper {
	return ct.v.RoundTripper(next, ct.rec)
}

// Handler wraps next so that requests received and responses written are
// checked; see [Validator.Middleware].
func (ct *Tester) Handler(next http.Handler) http.Handler {
	return ct.v.Middleware(next, ct.rec)
}

// Validator returns the validator in use.
func (ct *Tester) Validator() *Validator { return ct.v }

// Recorder returns the recorder whose violations are reported at cleanup,
// for tests that want to inspect them earlier.
func (ct *Tester) Recorder() *Recorder { return ct.rec }
