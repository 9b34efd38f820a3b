package galileotest

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
)

// recordingTB is a testing.TB that records what a test reports instead of
// failing: it lets a test run the harness on something that must fail and
// assert the failure text. Methods it does not override go to the real
// test. Run the code under test with run, so that FailNow can end it.
type recordingTB struct {
	testing.TB
	mu       sync.Mutex
	logs     []string
	errs     []string
	failed   bool
	cleanups []func()
	ctx      context.Context
	cancel   context.CancelFunc
}

func newRecordingTB(t *testing.T) *recordingTB {
	ctx, cancel := context.WithCancel(t.Context())
	return &recordingTB{TB: t, ctx: ctx, cancel: cancel}
}

func (r *recordingTB) Helper()                  {}
func (r *recordingTB) Name() string             { return "TestRecorded" }
func (r *recordingTB) Context() context.Context { return r.ctx }
func (r *recordingTB) Log(args ...any)          { r.add(&r.logs, fmt.Sprintln(args...)) }
func (r *recordingTB) Logf(f string, a ...any)  { r.add(&r.logs, fmt.Sprintf(f, a...)) }
func (r *recordingTB) Error(args ...any)        { r.add(&r.errs, fmt.Sprintln(args...)); r.Fail() }
func (r *recordingTB) Errorf(f string, a ...any) {
	r.add(&r.errs, fmt.Sprintf(f, a...))
	r.Fail()
}
func (r *recordingTB) Fatal(args ...any)         { r.Error(args...); r.FailNow() }
func (r *recordingTB) Fatalf(f string, a ...any) { r.Errorf(f, a...); r.FailNow() }
func (r *recordingTB) Fail()                     { r.mu.Lock(); r.failed = true; r.mu.Unlock() }
func (r *recordingTB) FailNow()                  { r.Fail(); runtime.Goexit() }
func (r *recordingTB) Failed() bool              { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }
func (r *recordingTB) Output() io.Writer {
	return writerFunc(func(p []byte) (int, error) { r.add(&r.logs, string(p)); return len(p), nil })
}

// writerFunc is an io.Writer made of a function.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (r *recordingTB) Cleanup(f func()) {
	r.mu.Lock()
	r.cleanups = append(r.cleanups, f)
	r.mu.Unlock()
}

func (r *recordingTB) add(to *[]string, s string) {
	r.mu.Lock()
	*to = append(*to, strings.TrimRight(s, "\n"))
	r.mu.Unlock()
}

// run calls f in a goroutine of its own (so that FailNow can stop it), then
// runs the cleanups, last registered first.
func (r *recordingTB) run(f func(tb testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	r.cancel()
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func (r *recordingTB) errorText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "\n")
}

func (r *recordingTB) logText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.logs, "\n")
}

// env is a fixed environment for WithLookupEnv.
type env map[string]string

func (e env) lookup(k string) (string, bool) { v, ok := e[k]; return v, ok }

// newEmulator starts an emulator that scores fast and returns it with a
// client wired to it.
func newEmulator(t testing.TB, opts ...emulator.Options) (*emulator.Server, *galileo.Client) {
	t.Helper()
	o := emulator.Options{ScoringDelay: time.Millisecond}
	if len(opts) > 0 {
		o = opts[0]
	}
	emu := emulator.NewTest(t, o)
	c, err := emu.Client(galileo.WithConsoleURL("https://console.example.test"))
	if err != nil {
		t.Fatal(err)
	}
	return emu, c
}

// memEmulator is newEmulator without sockets: the emulator does not
// listen and its client calls the handler in memory. Inside a
// testing/synctest bubble (create it there) the harness's waits and the
// emulator's pace then run on the bubble's clock and take no real time.
func memEmulator(t testing.TB, opts ...emulator.Options) (*emulator.Server, *galileo.Client) {
	t.Helper()
	o := emulator.Options{ScoringDelay: time.Millisecond}
	if len(opts) > 0 {
		o = opts[0]
	}
	emu, err := emulator.NewUnstarted(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	c, err := emu.Client(galileo.WithConsoleURL("https://console.example.test"))
	if err != nil {
		t.Fatal(err)
	}
	return emu, c
}

// echoFunc answers with the row's ground truth, recording an LLM call.
func echoFunc(ctx context.Context, row Row) (string, error) {
	RecordLLM(ctx, LLMCall{Model: "gpt-4o-mini", Input: row.Input, Output: row.GroundTruth, InputTokens: 12, OutputTokens: 3, Duration: 2 * time.Millisecond})
	return row.GroundTruth, nil
}

// qaRows are a few question/answer rows.
func qaRows() fixtures.Dataset {
	return DatasetRows(
		Row{Input: "What is 2+2?", GroundTruth: "4"},
		Row{Input: "Capital of France?", GroundTruth: "Paris"},
		Row{Input: "Largest planet?", GroundTruth: "Jupiter"},
		Row{Input: "Colour of the sky?", GroundTruth: "Blue"},
	)
}
