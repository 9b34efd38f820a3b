package galileo

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/galileo-community/galileo-go/config"
)

// maxRedirects is how many redirects one attempt follows, as net/http does
// by default.
const maxRedirects = 10

// sameOriginRedirects returns a shallow copy of hc that follows a redirect
// only within the origin (scheme, host and port) of the request that
// started it, and then asks hc's own CheckRedirect, if any.
//
// A redirect to another origin is refused rather than followed with the
// credentials stripped: the login sends the API key in its body, which a
// 307 or 308 would re-send, and the extra headers (WithHeader) may be
// credentials of their own that no rule can tell apart from harmless ones.
// net/http alone would forward all of them except Authorization and
// Cookie.
func sameOriginRedirects(hc *http.Client) *http.Client {
	own := hc.CheckRedirect
	cp := *hc
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		status := 0
		if req.Response != nil {
			status = req.Response.StatusCode
		}
		switch {
		case len(via) >= maxRedirects:
			return &redirectError{status: status, to: config.RedactedURL(req.URL, nil), tooMany: true}
		case !sameOrigin(via[0].URL, req.URL):
			return &redirectError{status: status, to: config.RedactedURL(req.URL, nil)}
		case own != nil:
			return own(req, via)
		}
		return nil
	}
	return &cp
}

// sameOrigin reports whether a and b have the same scheme, host and port
// (an absent port being the scheme's default).
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		effectivePort(a) == effectivePort(b)
}

// effectivePort is u's port, or its scheme's default.
func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}
