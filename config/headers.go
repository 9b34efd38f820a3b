package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// IsSensitiveHeader reports whether the values of an HTTP header with this
// name are treated as secrets: every header except a short list known to
// be harmless (Accept and its kin, Cache-Control, Content-Language,
// Content-Type, If-Match, If-None-Match, Pragma, User-Agent). An extra
// header such as X-Session may well carry a credential, so its value is
// never printed: not by Config, not in the client's errors.
func IsSensitiveHeader(name string) bool {
	switch http.CanonicalHeaderKey(strings.TrimSpace(name)) {
	case "Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Cache-Control",
		"Content-Language", "Content-Type", "If-Match", "If-None-Match", "Pragma", "User-Agent":
		return false
	}
	return true
}

// RedactedURL renders a URL without what may be a secret: no user
// information, the fragment and the values of the query parameters secret
// reports (every parameter when secret is nil) replaced by REDACTED.
// Config prints its URLs this way; the client prints its base URL and
// redirect targets with every value redacted, and request URLs with the
// values of credential-like parameters redacted.
func RedactedURL(u *url.URL, secret func(key string) bool) string {
	v := *u
	v.User = nil
	if v.RawQuery != "" {
		q, err := url.ParseQuery(v.RawQuery)
		if err != nil {
			v.RawQuery = "REDACTED"
		} else {
			for k, vals := range q {
				if secret != nil && !secret(k) {
					continue
				}
				for i := range vals {
					vals[i] = "REDACTED"
				}
			}
			v.RawQuery = q.Encode()
		}
	}
	if v.Fragment != "" || v.RawFragment != "" {
		v.Fragment, v.RawFragment = "REDACTED", ""
	}
	return v.String()
}

const headersExpected = `expected a JSON object of header names to string values, e.g. {"X-Team":"qa"}`

// parseHeadersJSON decodes GALILEO_EXTRA_HEADERS. Messages never quote a
// header value.
func parseHeadersJSON(s string) (map[string]string, string) {
	var raw any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Sprintf("invalid JSON at byte %d (%s)", se.Offset, headersExpected)
		}
		return nil, fmt.Sprintf("invalid JSON (%s)", headersExpected)
	}
	if dec.More() {
		return nil, fmt.Sprintf("unexpected data after the JSON value (%s)", headersExpected)
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Sprintf("got %s (%s)", jsonKind(raw), headersExpected)
	}
	h := make(map[string]string, len(obj))
	for name, v := range obj {
		sv, ok := v.(string)
		if !ok {
			return nil, fmt.Sprintf("header %q: value is %s, not a string (%s)", name, jsonKind(v), headersExpected)
		}
		h[name] = sv
	}
	if msg := checkHeaders(h); msg != "" {
		return nil, msg
	}
	return h, ""
}

// jsonKind names the JSON type of a value decoded with UseNumber, with an
// article.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// checkHeaders validates header names (HTTP tokens) and values (no control
// characters other than tab). The message names the header, never its value.
func checkHeaders(h map[string]string) string {
	for _, name := range sortedKeys(h) {
		if !isToken(name) {
			return fmt.Sprintf("header name %q is not a valid HTTP header name", name)
		}
		if bytes.ContainsFunc([]byte(h[name]), func(r rune) bool { return r != '\t' && (r < 0x20 || r == 0x7f) }) {
			return fmt.Sprintf("value of header %q contains a control character such as a newline", name)
		}
	}
	return ""
}

// isToken reports whether s is a non-empty HTTP token (RFC 9110 section 5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", r):
		default:
			return false
		}
	}
	return true
}
