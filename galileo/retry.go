package galileo

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// retryPolicy bounds the attempts of one call.
type retryPolicy struct {
	maxAttempts int
	initial     time.Duration
	max         time.Duration
}

// defaultRetry is the policy without WithRetry.
var defaultRetry = retryPolicy{maxAttempts: 4, initial: 500 * time.Millisecond, max: 10 * time.Second}

// verdict classifies a failed attempt.
type verdict int

const (
	// permanent failures are returned at once (4xx other than 408 and 429,
	// 501, certificate errors).
	permanent verdict = iota
	// safe failures did not reach the server's handler (nothing was sent,
	// or 429): any request may be repeated.
	safe
	// ambiguous failures may have been processed (connection broke after
	// the request was written, 5xx, 408): only idempotent requests are
	// repeated blindly.
	ambiguous
)

// result is a successful exchange.
type result struct {
	resp  *http.Response
	body  []byte // the whole body, unless streaming
	found bool   // onAmbiguous found the resource; resp is nil
}

// send runs p with authentication, retries and one re-login after a 401.
func (c *Client) send(ctx context.Context, p *prepared, streaming bool) (*result, error) {
	cred, err := c.credentials(ctx, p)
	if err != nil {
		return nil, err
	}
	res, err := c.attempts(ctx, p, cred, streaming)
	var ae *APIError
	if err != nil && cred.loginToken != "" && errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
		c.log.Debug("galileo: token rejected; logging in again", "method", p.r.method, "path", p.r.path)
		cred, err = c.relogin(ctx, cred.loginToken)
		if err != nil {
			return nil, err
		}
		return c.attempts(ctx, p, cred, streaming)
	}
	return res, err
}

// attempts sends p until it succeeds, fails permanently, runs out of
// attempts or its context ends.
func (c *Client) attempts(ctx context.Context, p *prepared, cred credential, streaming bool) (*result, error) {
	bo := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(c.retry.initial),
		backoff.WithMaxInterval(c.retry.max),
		backoff.WithMultiplier(2),
		backoff.WithMaxElapsedTime(0),
	)
	var last error
	for attempt := 1; ; attempt++ {
		res, v, err := c.attempt(ctx, p, cred, streaming)
		if err == nil {
			return res, nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			// A failure caused by the context ending is not news; keep
			// the previous one. A create it interrupted after sending may
			// have happened.
			var te *transportError
			if !errors.As(err, &te) {
				last = err
			}
			return nil, &attemptsError{label: p.label(), ctxErr: ctxErr, last: last, attempts: attempt,
				unknown: v == ambiguous && !p.idempotent()}
		}
		last = err
		if v == permanent {
			if attempt == 1 {
				return nil, err
			}
			return nil, &attemptsError{label: p.label(), reason: fmt.Sprintf("giving up after %d attempts", attempt), last: err, attempts: attempt}
		}
		if v == ambiguous && !p.idempotent() {
			if p.r.onAmbiguous == nil {
				return nil, &attemptsError{label: p.label(), attempts: attempt, last: err, unknown: true,
					reason: "not retried, because the request may have reached the server and repeating it could create a duplicate"}
			}
			// Look even when no attempt is left: the create may have
			// succeeded.
			found, lerr := p.r.onAmbiguous(ctx)
			if lerr != nil {
				return nil, &attemptsError{label: p.label(), attempts: attempt, last: err, lookup: lerr, unknown: true}
			}
			if found {
				c.log.Debug("galileo: the failed request had been processed", "method", p.r.method, "path", p.r.path, "attempt", attempt)
				return &result{found: true}, nil
			}
		}
		if attempt >= c.retry.maxAttempts {
			if attempt == 1 {
				return nil, err
			}
			return nil, &attemptsError{label: p.label(), reason: fmt.Sprintf("giving up after %d attempts", attempt), last: err, attempts: attempt}
		}
		wait := bo.NextBackOff()
		var ae *APIError
		if errors.As(err, &ae) && ae.RetryAfter > wait {
			wait = ae.RetryAfter
		}
		c.log.Debug("galileo: retrying", "method", p.r.method, "path", p.r.path,
			"attempt", attempt, "wait", wait, "error", c.scrub(shortError(err), p.secrets...))
		if serr := c.sleep(ctx, wait); serr != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				serr = ctxErr
			}
			return nil, &attemptsError{label: p.label(), ctxErr: serr, last: last, attempts: attempt}
		}
	}
}

// attempt makes one exchange under the attempt timeout. On success of a
// non-streaming call the body has been read and closed; a streamed body
// ends the attempt when it is closed.
func (c *Client) attempt(ctx context.Context, p *prepared, cred credential, streaming bool) (*result, verdict, error) {
	a := c.startAttempt(ctx)
	res, v, err := c.exchange(a, p, cred, streaming)
	if err != nil || !streaming {
		a.end()
	}
	return res, v, err
}

// exchange sends one request within a and reads its answer.
func (c *Client) exchange(a *attemptTimer, p *prepared, cred credential, streaming bool) (*result, verdict, error) {
	req, err := c.newHTTPRequest(a.ctx, p, cred)
	if err != nil {
		return nil, permanent, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		op := "connection failed"
		var redirect *redirectError
		if errors.As(err, &redirect) {
			op = "redirect refused"
		}
		return nil, a.classify(err), c.transportFailure(p, a.op(op), err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := c.newAPIError(p, resp)
		return nil, classifyStatus(ae.Status), ae
	}
	if streaming {
		// The headers arrived: from now on only the caller's context
		// bounds the body.
		if !a.headersArrived() {
			drainClose(resp.Body)
			return nil, ambiguous, c.transportFailure(p, a.op(""), context.Cause(a.ctx))
		}
		resp.Body = &attemptBody{ReadCloser: resp.Body, end: a.end}
		return &result{resp: resp}, permanent, nil
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, ambiguous, c.transportFailure(p, a.op("reading the answer"), err)
	}
	return &result{resp: resp, body: body}, permanent, nil
}

// transportFailure wraps a client error without its URL (which may carry
// secrets in the query).
func (c *Client) transportFailure(p *prepared, op string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if err == io.EOF {
		err = errors.New("the server closed the connection without answering (EOF)")
	}
	return &transportError{Method: p.r.method, Path: p.r.path, Op: op, Err: scrubbedError{err: err, text: c.scrub(err.Error(), p.secrets...)}}
}

// scrubbedError keeps an error for errors.Is/As with a scrubbed text.
type scrubbedError struct {
	err  error
	text string
}

func (e scrubbedError) Error() string { return e.text }
func (e scrubbedError) Unwrap() error { return e.err }

// idempotent reports whether p may be repeated after an ambiguous failure.
func (p *prepared) idempotent() bool {
	switch p.r.method {
	case http.MethodPost, http.MethodPatch:
		return p.r.idempotent
	}
	return true
}

// classifyStatus says whether a status is worth another attempt.
func classifyStatus(status int) verdict {
	switch {
	case status == http.StatusTooManyRequests:
		return safe
	case status == http.StatusRequestTimeout:
		return ambiguous
	case status == http.StatusNotImplemented:
		return permanent
	case status >= 500 && status <= 599:
		return ambiguous
	}
	return permanent
}

// classifyTransport says whether a connection failure may be repeated.
func classifyTransport(err error) verdict {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verify           *tls.CertificateVerificationError
		record           tls.RecordHeaderError
	)
	var redirect *redirectError
	switch {
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verify), errors.As(err, &record), errors.As(err, &redirect):
		return permanent
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return permanent
		}
		return safe
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return safe // nothing was sent
	}
	return ambiguous
}

// sleepContext waits d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
