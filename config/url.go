package config

import (
	"fmt"
	"net/url"
	"strings"
)

// Default URLs of the hosted Galileo service.
const (
	DefaultConsoleURL = "https://app.galileo.ai/"
	DefaultAPIURL     = "https://api.galileo.ai/"
)

// localAPIURL is the API URL of a Galileo deployment on the local machine.
const localAPIURL = "http://localhost:8088"

// DeriveAPIURL returns the API URL that belongs to a console URL, following
// the official SDKs' rules:
//
//  1. a console URL without a scheme gets "https://" prepended;
//  2. one containing "localhost" or "127.0.0.1" gives "http://localhost:8088";
//  3. one containing "app.galileo.ai" gives "https://api.galileo.ai";
//  4. otherwise every "console" is replaced by "api"
//     ("https://console.acme.galileo.ai" gives "https://api.acme.galileo.ai");
//     a URL without that word is returned unchanged.
//
// A blank consoleURL gives [DefaultAPIURL]. The error says why a console URL
// is not a valid http(s) URL.
func DeriveAPIURL(consoleURL string) (string, error) {
	consoleURL = strings.TrimSpace(consoleURL)
	if consoleURL == "" {
		return DefaultAPIURL, nil
	}
	u, msg := normalizeURL(consoleURL)
	if msg != "" {
		return "", fmt.Errorf("console URL: %s", msg)
	}
	return deriveAPIURL(u), nil
}

// deriveAPIURL applies the derivation rules to an already normalized URL.
func deriveAPIURL(console string) string {
	switch {
	case strings.Contains(console, "localhost"), strings.Contains(console, "127.0.0.1"):
		return localAPIURL
	case strings.Contains(console, "app.galileo.ai"):
		return "https://api.galileo.ai"
	default:
		return strings.ReplaceAll(console, "console", "api")
	}
}

// normalizeURL trims s, prepends "https://" when it has no scheme and checks
// that the result is an absolute http(s) URL with a host, without user
// credentials, query or fragment. On failure it returns a message that
// quotes the value with any credentials or query removed.
func normalizeURL(s string) (string, string) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	const want = "expected an http or https URL such as https://console.example.com"
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Sprintf("%q is not a valid URL (%s)", safeURLText(s), want)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Sprintf("%q has scheme %q (%s)", safeURLText(s), u.Scheme, want)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Sprintf("%q has no host (%s)", safeURLText(s), want)
	}
	if u.User != nil {
		return "", fmt.Sprintf("%q must not contain user credentials; pass them as GALILEO_API_KEY", u.Redacted())
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Sprintf("%q must not have a query or fragment (%s)", safeURLText(s), want)
	}
	return s, ""
}

// safeURLText returns s without anything from '?', '#' or up to an '@' in the
// authority, so that an error message never echoes a token or password that
// was pasted into a URL.
func safeURLText(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i] + "…"
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	authority, path, hasPath := strings.Cut(rest, "/")
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		authority = "…@" + authority[i+1:]
	}
	if hasPath {
		return scheme + "://" + authority + "/" + path
	}
	return scheme + "://" + authority
}
