package apispec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Recorder collects contract violations found by [Validator.RoundTripper]
// and [Validator.Middleware]. The zero value is ready to use; a Recorder is
// safe for concurrent use.
type Recorder struct {
	mu         sync.Mutex
	violations []error
}

// Record adds err to the violations; a nil err is ignored.
func (r *Recorder) Record(err error) {
	if err == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.violations = append(r.violations, err)
}

// Violations returns a copy of the violations recorded so far, in order.
func (r *Recorder) Violations() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.violations...)
}

// Err joins all violations recorded so far with errors.Join; it is nil when
// there are none.
func (r *Recorder) Err() error {
	return errors.Join(r.Violations()...)
}

// RoundTripper returns an http.RoundTripper that sends requests with next
// (http.DefaultTransport when nil) and records in rec every violation of the
// requests it sends and of the responses it receives. It never changes
// what is sent or received, and a violation never fails the call.
//
// A response body that is checked is read completely before RoundTrip
// returns, and handed back as an in-memory copy; a body that is not checked
// (such as the export stream, or an undeclared status) is passed through
// untouched.
func (v *Validator) RoundTripper(next http.RoundTripper, rec *Recorder) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{v: v, next: next, rec: rec}
}

type transport struct {
	v    *Validator
	next http.RoundTripper
	rec  *Recorder
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, sent, err := snapshotRequestBody(req)
	if err != nil {
		return nil, err
	}
	reqErr := t.v.ValidateRequest(req, body)
	t.rec.Record(reqErr)

	resp, err := t.next.RoundTrip(sent)
	if err != nil || errors.Is(reqErr, ErrUnknownRoute) {
		return resp, err
	}
	if !t.v.wantsResponseBody(req, resp.StatusCode, resp.Header) {
		t.rec.Record(t.v.ValidateResponse(req, resp.StatusCode, resp.Header, nil))
		return resp, nil
	}
	data, readErr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if readErr != nil {
		// The caller would have met the same failure while reading; hand
		// it on at the same point and skip the check of a partial body.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{readErr}))
		return resp, nil
	}
	t.rec.Record(t.v.ValidateResponse(req, resp.StatusCode, resp.Header, data))
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// snapshotRequestBody returns the bytes of req's body and the request to
// send. With GetBody the original request is sent as is; otherwise its body
// is read, closed, and the request is cloned with an in-memory body.
func snapshotRequestBody(req *http.Request) ([]byte, *http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, req, nil
	}
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err == nil {
			defer rc.Close()
			data, err := io.ReadAll(rc)
			if err == nil {
				return data, req, nil
			}
		}
	}
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("apispec: read request body: %w", err)
	}
	clone := req.Clone(req.Context())
	clone.Body = io.NopCloser(bytes.NewReader(data))
	clone.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	clone.ContentLength = int64(len(data))
	return data, clone, nil
}

// wantsResponseBody reports whether ValidateResponse would look at the body
// of this response; the helpers buffer only such bodies.
func (v *Validator) wantsResponseBody(r *http.Request, status int, header http.Header) bool {
	if r.Method == http.MethodHead || status == http.StatusNoContent || status == http.StatusNotModified {
		return false
	}
	m, err := v.find(r)
	if err != nil || m.route == nil {
		return false
	}
	_, ref := responseFor(m.route.Operation, status)
	if ref == nil || ref.Value == nil || len(ref.Value.Content) == 0 || allAnySchemas(ref.Value.Content) {
		return false
	}
	key, media := matchMedia(ref.Value.Content, header.Get("Content-Type"))
	return media != nil && media.Schema != nil && !isAnySchema(media.Schema.Value) && isJSON(key)
}

// Middleware returns a handler that serves with next and records in rec
// every violation of the requests it receives and of the responses next
// writes. Responses still stream: writes and flushes go straight through,
// and a copy of the body is kept only when it will be checked. The request
// body is read before next runs and replayed to it.
func (v *Validator) Middleware(next http.Handler, rec *Recorder) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil && r.Body != http.NoBody {
			var err error
			body, err = io.ReadAll(r.Body)
			r.Body.Close()
			if err != nil {
				http.Error(w, "reading request body failed", http.StatusBadRequest)
				return
			}
			r = r.WithContext(r.Context())
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		reqErr := v.ValidateRequest(r, body)
		rec.Record(reqErr)

		cw := &captureWriter{ResponseWriter: w, v: v, req: r}
		next.ServeHTTP(cw, r)
		if errors.Is(reqErr, ErrUnknownRoute) {
			return
		}
		if !cw.wroteHeader {
			cw.decide(http.StatusOK)
		}
		var data []byte
		if cw.keep {
			data = cw.buf.Bytes()
		}
		rec.Record(v.ValidateResponse(r, cw.status, cw.header, data))
	})
}

// captureWriter passes everything through to the wrapped writer and keeps
// the status, a snapshot of the header, and (when needed) the body.
type captureWriter struct {
	http.ResponseWriter
	v   *Validator
	req *http.Request

	wroteHeader bool
	status      int
	header      http.Header
	keep        bool
	buf         bytes.Buffer
}

func (c *captureWriter) decide(status int) {
	c.wroteHeader = true
	c.status = status
	c.header = c.ResponseWriter.Header().Clone()
	c.keep = c.v.wantsResponseBody(c.req, status, c.header)
}

// WriteHeader implements http.ResponseWriter.
func (c *captureWriter) WriteHeader(status int) {
	if !c.wroteHeader && status >= 200 {
		c.decide(status)
	}
	c.ResponseWriter.WriteHeader(status)
}

// Write implements http.ResponseWriter.
func (c *captureWriter) Write(p []byte) (int, error) {
	if !c.wroteHeader {
		c.decide(http.StatusOK)
	}
	n, err := c.ResponseWriter.Write(p)
	if c.keep {
		c.buf.Write(p[:n])
	}
	return n, err
}

// Flush implements http.Flusher when the wrapped writer does.
func (c *captureWriter) Flush() {
	if !c.wroteHeader {
		c.decide(http.StatusOK)
	}
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
