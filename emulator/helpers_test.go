package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/internal/apispec"
)

// invalidRequestHeader marks a test request that is invalid on purpose: its
// request is not checked against the spec (its response still is).
const invalidRequestHeader = "X-Test-Invalid-Request"

// specCapture passes a response through and keeps a copy of it.
type specCapture struct {
	http.ResponseWriter
	status   int
	buf      bytes.Buffer
	hijacked bool
}

func (c *specCapture) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *specCapture) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.buf.Write(p)
	return c.ResponseWriter.Write(p)
}

func (c *specCapture) Flush() { http.NewResponseController(c.ResponseWriter).Flush() }

func (c *specCapture) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c.hijacked = true
	return http.NewResponseController(c.ResponseWriter).Hijack()
}

func (c *specCapture) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// specMiddleware checks every request (unless marked invalid on purpose)
// and every response against the OpenAPI document; violations fail t.
func specMiddleware(t testing.TB, requestsUnchecked ...bool) func(http.Handler) http.Handler {
	checkRequests := len(requestsUnchecked) == 0 || !requestsUnchecked[0]
	v, err := apispec.Load(apispec.AllowRoutes(apispec.OffSpecRoutes()...))
	if err != nil {
		t.Fatalf("loading the OpenAPI document: %v", err)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var body []byte
			if r.Body != nil {
				body, _ = io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			if checkRequests && r.Header.Get(invalidRequestHeader) == "" && !strings.HasPrefix(r.URL.Path, controlPrefix) {
				if err := v.ValidateRequest(r, body); err != nil && !errors.Is(err, apispec.ErrUnknownRoute) {
					t.Errorf("request violates the OpenAPI document: %v", err)
				}
			}
			cw := &specCapture{ResponseWriter: w}
			next.ServeHTTP(cw, r)
			if cw.hijacked || strings.HasPrefix(r.URL.Path, controlPrefix) {
				return
			}
			if cw.status == 0 {
				cw.status = http.StatusOK
			}
			if err := v.ValidateResponse(r, cw.status, w.Header(), cw.buf.Bytes()); err != nil && !errors.Is(err, apispec.ErrUnknownRoute) {
				t.Errorf("response violates the OpenAPI document: %v", err)
			}
		})
	}
}

// newTestServer starts an emulator whose traffic is checked against the
// OpenAPI document. Unless opts say otherwise it has seed 1 and no scoring
// delay.
func newTestServer(t testing.TB, opts ...Options) *Server {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.ScoringDelay == 0 {
		o.ScoringDelay = -1
	}
	o.Middleware = specMiddleware(t)
	return NewTest(t, o)
}

// apiClient sends raw requests to an emulator.
type apiClient struct {
	t      testing.TB
	s      *Server
	header http.Header
}

func newAPI(t testing.TB, s *Server) *apiClient {
	return &apiClient{t: t, s: s, header: http.Header{"Galileo-Api-Key": {s.APIKey()}}}
}

// response is a raw answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	return m
}

// do sends a request; body is JSON-encoded unless it is a []byte or string.
func (a *apiClient) do(method, path string, body any, hdr ...string) response {
	a.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ctype = bytes.NewReader(b), "application/json"
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			a.t.Fatalf("encoding %T: %v", body, err)
		}
		rd, ctype = bytes.NewReader(enc), "application/json"
	}
	req, err := http.NewRequest(method, a.s.URL()+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	for k, v := range a.header {
		req.Header[k] = v
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// ok sends a request and fails the test unless the status is want.
func (a *apiClient) ok(want int, method, path string, body any, hdr ...string) response {
	a.t.Helper()
	r := a.do(method, path, body, hdr...)
	if r.status != want {
		a.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.status, want, r.body)
	}
	return r
}

// upload creates a dataset by multipart upload.
func (a *apiClient) upload(format, name, projectID string, file []byte, extra ...string) response {
	a.t.Helper()
	var buf bytes.Buffer
	mw := newMultipart(&buf)
	fields := []string{"name", name, "draft", "False", "hidden", "False", "append_suffix_if_duplicate", "False"}
	if projectID != "" {
		fields = append(fields, "project_id", projectID)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		replaced := false
		for j := 0; j+1 < len(fields); j += 2 {
			if fields[j] == extra[i] {
				fields[j+1], replaced = extra[i+1], true
			}
		}
		if !replaced {
			fields = append(fields, extra[i], extra[i+1])
		}
	}
	for i := 0; i+1 < len(fields); i += 2 {
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, a.s.URL()+"/datasets?format="+format, &buf)
	for k, v := range a.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func newMultipart(w io.Writer) *multipart.Writer { return multipart.NewWriter(w) }
