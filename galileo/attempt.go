package galileo

import (
	"context"
	"errors"
	"io"
	"net/http/httptrace"
	"sync"
	"time"
)

// attemptTimer bounds one attempt: it cancels the attempt's context, with
// an *attemptTimeoutError as the cause, when the server has not answered
// within the client's attempt timeout. It restarts once the request has
// been written, and a streamed answer stops it when its headers arrive.
// Through an httptrace it also learns whether any of the request may have
// been sent, which decides whether a failed attempt is safe to repeat.
type attemptTimer struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	d      time.Duration
	timer  *time.Timer // nil without an attempt timeout

	mu          sync.Mutex
	stopped     bool // the headers arrived or the attempt ended: no restart
	connecting  bool // the transport asked for a connection (it reports to the trace)
	wroteHeader bool // some of the request may have been sent
}

// startAttempt starts the timer of one attempt within ctx.
func (c *Client) startAttempt(ctx context.Context) *attemptTimer {
	actx, cancel := context.WithCancelCause(ctx)
	a := &attemptTimer{cancel: cancel, d: c.attemptTimeout}
	if a.d > 0 {
		cause := &attemptTimeoutError{d: a.d}
		a.timer = time.AfterFunc(a.d, func() { cancel(cause) })
	}
	a.ctx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		GetConn: func(string) { a.mark(&a.connecting) },
		// WroteHeaders runs once the headers are buffered: they may be
		// on their way.
		WroteHeaders: func() { a.mark(&a.wroteHeader) },
		WroteRequest: func(httptrace.WroteRequestInfo) { a.restart() },
	})
	return a
}

func (a *attemptTimer) mark(flag *bool) {
	a.mu.Lock()
	*flag = true
	a.mu.Unlock()
}

// restart gives the attempt its whole timeout again once the request has
// been written, unless the timer was stopped: a server may answer before it
// has read the whole request. Once the timer has fired, the attempt's
// context stays canceled whatever restart does.
func (a *attemptTimer) restart() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.timer != nil && !a.stopped {
		a.timer.Reset(a.d)
	}
}

// stop stops the timer for good.
func (a *attemptTimer) stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stopped = true
	if a.timer != nil {
		a.timer.Stop()
	}
}

// headersArrived stops the timer. It reports false when the timer had
// already ended the attempt.
func (a *attemptTimer) headersArrived() bool {
	a.stop()
	return context.Cause(a.ctx) == nil
}

// end releases the attempt's context.
func (a *attemptTimer) end() {
	a.stop()
	a.cancel(context.Canceled)
}

// timedOut reports whether the attempt timeout ended the attempt.
func (a *attemptTimer) timedOut() bool {
	var te *attemptTimeoutError
	return errors.As(context.Cause(a.ctx), &te)
}

// op names what failed: the wait for the answer when the attempt timeout
// ended the attempt, else what.
func (a *attemptTimer) op(what string) string {
	if a.timedOut() {
		return "waiting for the answer"
	}
	return what
}

// classify says whether a failed exchange may be repeated. An attempt that
// its context ended (the attempt timeout, or the caller) is safe only when
// the transport was still getting a connection, so nothing was sent; a
// transport that does not report to the trace may have sent anything.
func (a *attemptTimer) classify(err error) verdict {
	if context.Cause(a.ctx) == nil {
		return classifyTransport(err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.connecting && !a.wroteHeader {
		return safe
	}
	return ambiguous
}

// attemptBody is a streamed answer's body; closing it ends the attempt.
type attemptBody struct {
	io.ReadCloser
	once sync.Once
	end  func()
}

// Close closes the body and releases the attempt.
func (b *attemptBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.end)
	return err
}
