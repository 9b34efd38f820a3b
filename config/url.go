package config

import (
	"fmt"
	"net"
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

// DeriveConsoleURL returns the console URL that belongs to an API URL, the
// inverse of [DeriveAPIURL], or "" when it cannot be known, so that a
// caller shows no link rather than a wrong one:
//
//  1. an API URL without a scheme gets "https://" prepended;
//  2. one whose host is localhost or a loopback address (127.0.0.1, ::1)
//     gives the same URL: the emulator and local tools serve their console
//     pages where they serve the API;
//  3. one whose host is api.galileo.ai gives [DefaultConsoleURL];
//  4. one whose host starts with the label "api" and whose path is empty or
//     "/" gives the same scheme and host with "api" replaced by "console"
//     ("https://api.acme.galileo.ai" gives "https://console.acme.galileo.ai");
//  5. anything else gives "".
//
// A blank apiURL gives [DefaultConsoleURL]. The error says why an API URL
// is not a valid http(s) URL.
func DeriveConsoleURL(apiURL string) (string, error) {
	apiURL = strings.TrimSpace(apiURL)
	if apiURL == "" {
		return DefaultConsoleURL, nil
	}
	u, msg := normalizeURL(apiURL)
	if msg != "" {
		return "", fmt.Errorf("API URL: %s", msg)
	}
	return deriveConsoleURL(u), nil
}

// deriveConsoleURL applies the DeriveConsoleURL rules to an already
// normalized URL.
func deriveConsoleURL(api string) string {
	u, err := url.Parse(api)
	if err != nil {
		return ""
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return api
	}
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsLoopback() {
			return api
		}
		return ""
	}
	if host == "api.galileo.ai" {
		return DefaultConsoleURL
	}
	rest, ok := strings.CutPrefix(host, "api.")
	if !ok || !strings.Contains(rest, ".") || (u.Path != "" && u.Path != "/") {
		return ""
	}
	out := url.URL{Scheme: u.Scheme, Host: "console." + rest}
	if p := u.Port(); p != "" {
		out.Host = net.JoinHostPort(out.Host, p)
	}
	return out.String()
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
		return "", fmt.Sprintf("%q must not contain user credentials; pass them as GALILEO_API_KEY or SPLUNK_AO_API_KEY", u.Redacted())
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
