package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// IsSensitiveHeader reports whether the values of an HTTP header with this
// name are treated as secrets: Authorization and any name containing "auth",
// "key", "token", "secret", "cookie", "password" or "credential"
// (case-insensitive). Such values are never printed.
func IsSensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	for _, w := range [...]string{"auth", "key", "token", "secret", "cookie", "password", "credential"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
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
