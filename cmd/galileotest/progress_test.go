package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/galileo-community/galileo-go/galileotest"
)

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time            { return c.t }
func (c *fakeClock) add(d time.Duration)       { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock                 { return &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }
func lines(s string) []string                  { return strings.Split(strings.TrimRight(s, "\n"), "\n") }
func visible(s string) string                  { return strings.NewReplacer("\x1b", "ESC", "\r", "CR").Replace(s) }
func (d *display) harness(line string)         { d.logf("%s", line) }
func (d *display) fixed(c *fakeClock) *display { d.now = c.now; return d }
func exp(name string) galileotest.Experiment {
	return galileotest.Experiment{Name: name, File: "evals.yaml"}
}

// event is a progress event of the experiment exp(name).
func event(name string, ph galileotest.Phase, rows, run, scored int) galileotest.ProgressEvent {
	return galileotest.ProgressEvent{Experiment: name, File: "evals.yaml", Phase: ph, RowsTotal: rows, RowsRun: run, RowsScored: scored}
}

func TestDisplay_Plain(t *testing.T) {
	var buf bytes.Buffer
	clk := newFakeClock()
	d := newDisplay(&buf, displayOptions{}).fixed(clk)
	a, b := d.add(exp("support-bot")), d.add(exp("support-bot-v2"))
	d.start()
	d.begin(a)
	d.begin(b)
	d.harness("galileotest: using the in-process Galileo emulator at http://127.0.0.1:1 (no Galileo credentials configured)")
	d.harness("support-bot-v2: created experiment support-bot-v2-1 — https://console/x") // not verbose: not printed
	created := event("support-bot-v2", galileotest.PhaseWaiting, 4, 0, 0)
	created.Link = "https://console/x"
	d.progress(created)
	d.progress(event("support-bot-v2", galileotest.PhaseGenerating, 4, 1, 0))
	d.progress(event("support-bot-v2", galileotest.PhaseGenerating, 4, 2, 1)) // same phase: not printed
	d.progress(event("support-bot-v2", galileotest.PhaseScoring, 4, 4, 2))
	d.harness("support-bot-v2: warning: could not tag the experiment k=v: boom")
	d.progress(event("support-bot-v2", galileotest.PhaseJudging, 4, 4, 4))
	d.progress(event("support-bot-v2", galileotest.PhaseDone, 4, 4, 4))
	d.progress(event("unknown", galileotest.PhaseScoring, 4, 4, 4)) // not on the display: ignored
	clk.add(3500 * time.Millisecond)
	d.finish(b, stateFailed)
	d.finish(a, stateError)
	d.stop()
	want := []string{
		"support-bot: setup",
		"support-bot-v2: setup",
		"galileotest: using the in-process Galileo emulator at http://127.0.0.1:1 (no Galileo credentials configured)",
		"support-bot-v2: waiting, run 0/4, scored 0/4 — https://console/x",
		"support-bot-v2: generating, run 1/4, scored 0/4",
		"support-bot-v2: scoring, run 4/4, scored 2/4",
		"support-bot-v2: warning: could not tag the experiment k=v: boom",
		"support-bot-v2: judging, run 4/4, scored 4/4",
		"support-bot-v2: FAILED in 3.5s",
		"support-bot: error in 3.5s",
	}
	if got := lines(buf.String()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plain display:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(buf.String(), "\x1b") {
		t.Error("the plain display wrote ANSI escapes")
	}
}

func TestDisplay_Verbose(t *testing.T) {
	var buf bytes.Buffer
	d := newDisplay(&buf, displayOptions{verbose: true}).fixed(newFakeClock())
	d.begin(d.add(exp("bot")))
	d.harness("bot: 1/4 rows scored (correctness 1/4), outputs 50% generated, 1.2s")
	d.harness("bot: 1/4 rows scored (correctness 1/4), outputs 75% generated, 2.2s")
	if n := strings.Count(buf.String(), "rows scored"); n != 2 {
		t.Errorf("verbose display printed %d of 2 harness lines:\n%s", n, buf.String())
	}
}

func TestDisplay_Terminal(t *testing.T) {
	var buf bytes.Buffer
	clk := newFakeClock()
	d := newDisplay(&buf, displayOptions{tty: true, size: func() (int, int) { return 80, 0 }}).fixed(clk)
	i := d.add(exp("support-bot"))
	d.add(exp("an-experiment-with-a-very-long-name-that-will-not-fit-on-the-line"))
	d.start()
	first := buf.String()
	if !strings.HasPrefix(first, "\r\x1b[2K· support-bot") || strings.Count(first, "\n") != 2 {
		t.Fatalf("first draw = %q; want two lines, each cleared, the first queued", visible(first))
	}
	buf.Reset()
	d.begin(i)
	clk.add(1200 * time.Millisecond)
	d.progress(event("support-bot", galileotest.PhaseGenerating, 40, 20, 10))
	got := buf.String()
	if !strings.HasPrefix(got, "\x1b[2A") {
		t.Errorf("redraw = %q; want the cursor moved up over the 2 lines first", visible(got))
	}
	last := got[strings.LastIndex(got, "\x1b[2A"):]
	if !strings.Contains(last, "generating  run 20/40      scored 10/40      1.2s") {
		t.Errorf("last redraw = %q; want phase, rows run, rows scored and elapsed", visible(last))
	}
	for _, l := range lines(last) {
		l = strings.TrimPrefix(strings.TrimPrefix(l, "\x1b[2A"), "\r\x1b[2K")
		if n := utf8.RuneCountInString(l); n >= 80 {
			t.Errorf("line %q has %d columns; want less than the terminal's 80", l, n)
		}
	}

	buf.Reset()
	d.note("galileotest: a notice")
	got = buf.String()
	if !strings.HasPrefix(got, "\x1b[2A\r\x1b[J"+"galileotest: a notice\n") {
		t.Errorf("note = %q; want the block cleared, the notice, then the block again", visible(got))
	}

	buf.Reset()
	clk.add(time.Second)
	d.progress(event("support-bot", galileotest.PhaseJudging, 40, 40, 40))
	d.finish(i, stateOK)
	d.stop()
	if !strings.Contains(buf.String(), "✓ support-bot") || !strings.Contains(buf.String(), "passed      run 40/40      scored 40/40      2.2s") {
		t.Errorf("final draw = %q; want the experiment passed with every row", visible(buf.String()))
	}
}

func TestDisplay_Ticker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		d := newDisplay(&buf, displayOptions{tty: true, tick: 100 * time.Millisecond})
		d.begin(d.add(exp("bot")))
		d.start()
		time.Sleep(350 * time.Millisecond)
		d.stop()
		// begin, the first draw, three ticks, the final draw; elapsed is 350ms.
		if n := strings.Count(buf.String(), "\r\x1b[2K"); n != 6 {
			t.Errorf("%d draws, want 6: %q", n, visible(buf.String()))
		}
		if !strings.HasSuffix(buf.String(), "350ms\n") {
			t.Errorf("last draw %q; want the elapsed time 350ms", visible(buf.String()))
		}
	})
}

func TestDisplay_SameName(t *testing.T) {
	var buf bytes.Buffer
	d := newDisplay(&buf, displayOptions{}).fixed(newFakeClock())
	a, b := d.add(exp("bot")), d.add(exp("bot"))
	d.begin(a)
	d.finish(a, stateOK)
	d.begin(b)
	d.progress(event("bot", galileotest.PhaseScoring, 2, 2, 1))
	if d.items[b].scored != 1 || d.items[a].scored != 0 {
		t.Errorf("scored = %d (finished) and %d (running); want the running experiment updated", d.items[a].scored, d.items[b].scored)
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		850 * time.Millisecond:               "850ms",
		12340 * time.Millisecond:             "12.3s",
		4*time.Minute + 5*time.Second:        "4m05s",
		time.Hour + 2*time.Minute + 1400*1e6: "62m01s",
		0:                                    "0s",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestDisplay_TallerThanTerminal(t *testing.T) {
	var buf bytes.Buffer
	d := newDisplay(&buf, displayOptions{tty: true, size: func() (int, int) { return 100, 6 }}).fixed(newFakeClock())
	for i := range 10 {
		d.add(exp(fmt.Sprintf("bot-%d", i)))
	}
	d.start()
	d.begin(0)
	d.begin(4)
	d.finish(0, stateFailed)
	buf.Reset()
	d.begin(7)
	got := buf.String()
	want := []string{"bot-4", "bot-7", "… 8 more: 7 queued, 1 done (1 not passed)"}
	ls := lines(got)
	if len(ls) != len(want) || !strings.HasPrefix(got, "\x1b[2A") {
		t.Fatalf("redraw = %q; want %d lines replacing the 2 drawn before", visible(got), len(want))
	}
	for i, w := range want {
		if !strings.Contains(ls[i], w) {
			t.Errorf("line %d = %q, want it to contain %q", i, visible(ls[i]), w)
		}
	}
}
