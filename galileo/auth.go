package galileo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// renewBefore is how long before its expiry a login token is replaced.
const renewBefore = 5 * time.Minute

// tokenState holds the token obtained by logging in with the API key.
type tokenState struct {
	mu       sync.Mutex
	token    string    // secret
	previous string    // secret: the token before, kept to scrub echoes of it
	exp      time.Time // zero when the token carries no readable expiry
	inflight *loginCall
}

// loginCall is one login shared by every caller that needs a token while it
// runs.
type loginCall struct {
	done  chan struct{}
	token string
	err   error
	// canceled is set when the login failed because the context of the
	// caller that ran it ended; the others then try again with theirs.
	canceled bool
}

// credential is the authentication header of one request.
type credential struct {
	name, value string
	// loginToken is the token when it was obtained by login (so a 401 may
	// be answered by logging in again).
	loginToken string
}

// credentials returns the header authenticating p, logging in first when
// needed. Unauthenticated requests get none.
func (c *Client) credentials(ctx context.Context, p *prepared) (credential, error) {
	switch {
	case p.r.noAuth:
		return credential{}, nil
	case c.jwt != "":
		return credential{name: "Authorization", value: "Bearer " + c.jwt}, nil
	case c.apiKey != "" && c.apiKeyHeader != "":
		return credential{name: c.apiKeyHeader, value: c.apiKey}, nil
	case c.apiKey != "":
		tok, err := c.loginToken(ctx, "")
		if err != nil {
			return credential{}, err
		}
		return credential{name: "Authorization", value: "Bearer " + tok, loginToken: tok}, nil
	}
	return credential{}, &noCredentialsError{label: p.label()}
}

// relogin replaces a login token the API rejected.
func (c *Client) relogin(ctx context.Context, rejected string) (credential, error) {
	tok, err := c.loginToken(ctx, rejected)
	if err != nil {
		return credential{}, err
	}
	return credential{name: "Authorization", value: "Bearer " + tok, loginToken: tok}, nil
}

// loginToken returns a login token that is neither about to expire nor equal
// to rejected, logging in when there is none. Concurrent callers share one
// login; a caller whose context ends stops waiting.
func (c *Client) loginToken(ctx context.Context, rejected string) (string, error) {
	s := c.auth
	for {
		s.mu.Lock()
		if s.token != "" && s.token != rejected && s.exp.After(c.now().Add(renewBefore)) {
			tok := s.token
			s.mu.Unlock()
			return tok, nil
		}
		lc := s.inflight
		if lc == nil {
			lc = &loginCall{done: make(chan struct{})}
			s.inflight = lc
			s.mu.Unlock()
			c.runLogin(ctx, lc)
			return lc.token, lc.err
		}
		s.mu.Unlock()
		select {
		case <-lc.done:
		case <-ctx.Done():
			return "", fmt.Errorf("galileo: waiting for the login: %w", ctx.Err())
		}
		if lc.err != nil && lc.canceled && ctx.Err() == nil {
			continue
		}
		return lc.token, lc.err
	}
}

// runLogin performs lc and publishes its result.
func (c *Client) runLogin(ctx context.Context, lc *loginCall) {
	s := c.auth
	tok, exp, err := c.login(ctx)
	s.mu.Lock()
	if err == nil {
		if s.token != tok {
			s.previous = s.token
		}
		s.token, s.exp = tok, exp
	}
	s.inflight = nil
	s.mu.Unlock()
	lc.token, lc.err = tok, err
	lc.canceled = err != nil && ctx.Err() != nil
	close(lc.done)
}

// login exchanges the API key for a JWT and reads its expiry without
// verifying it. A token without a readable expiry gets a zero time: it is
// used once and renewed on the next call.
func (c *Client) login(ctx context.Context) (string, time.Time, error) {
	c.log.Debug("galileo: logging in with the API key", "path", "/login/api_key")
	var t Token
	_, err := c.call(ctx, &request{
		method:     http.MethodPost,
		path:       "/login/api_key",
		body:       map[string]string{"api_key": c.apiKey},
		noAuth:     true,
		idempotent: true,
	}, &t)
	if err != nil {
		c.log.Debug("galileo: login failed", "error", c.scrub(err.Error()))
		return "", time.Time{}, err
	}
	if t.AccessToken == "" {
		return "", time.Time{}, errors.New("galileo: POST /login/api_key: the answer has no access_token; expected {\"access_token\": \"<JWT>\"}")
	}
	exp, ok := tokenExpiry(t.AccessToken)
	if ok {
		c.log.Debug("galileo: logged in", "expires", exp.UTC().Format(time.RFC3339))
	} else {
		c.log.Debug("galileo: logged in; the token has no readable expiry, so it will be renewed on the next call")
	}
	return t.AccessToken, exp, nil
}

// tokenExpiry reads the exp claim of a JWT without verifying the signature.
func tokenExpiry(tok string) (time.Time, bool) {
	var claims jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(tok, &claims); err != nil {
		return time.Time{}, false
	}
	if claims.ExpiresAt == nil {
		return time.Time{}, false
	}
	return claims.ExpiresAt.Time, true
}

// Healthcheck calls GET /healthcheck, which needs no credentials.
func (c *Client) Healthcheck(ctx context.Context) (*Healthcheck, error) {
	var h Healthcheck
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: "/healthcheck", noAuth: true, idempotent: true}, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// CurrentUser calls GET /current_user: the user the credentials belong to.
// It is the cheapest way to check that the credentials work.
func (c *Client) CurrentUser(ctx context.Context) (*CurrentUser, error) {
	var u CurrentUser
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: "/current_user", idempotent: true}, &u); err != nil {
		return nil, err
	}
	return &u, nil
}
