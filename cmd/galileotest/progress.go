package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/galileo-community/galileo-go/galileotest"
)

// phaseQueued is the display's phase of an experiment waiting for a free
// slot (--parallel); every later phase is the harness's
// (galileotest.Phase).
const phaseQueued = "queued"

// Final states, as shown on the display.
const (
	stateOK     = "passed"
	stateFailed = "FAILED"
	// stateInconclusive: a confidence interval contained a threshold.
	stateInconclusive = "INCONCLUSIVE"
	stateError        = "error"
	stateTimeout      = "timeout"
)

// display shows how far each experiment got. On a terminal it redraws one
// line per experiment in place with ANSI escapes (phase, rows run, rows
// scored, elapsed), printing notices above the block; elsewhere it prints
// one plain line per change of phase, so CI logs stay short. It learns
// the progress from the harness's events (galileotest.WithProgress); of
// the harness's log lines (galileotest.WithLogf) it prints notices and
// warnings, and every line with verbose.
type display struct {
	w       io.Writer
	tty     bool
	verbose bool
	size    func() (width, height int)
	now     func() time.Time

	mu    sync.Mutex
	items []*item
	drawn int // lines of the block on screen (tty)
	frame int // spinner frame
	tick  time.Duration
	stopc chan struct{}
	done  chan struct{}
}

// item is one experiment on the display.
type item struct {
	name      string
	file      string // fixture location, which tells apart experiments of the same name
	line      int
	phase     string
	final     string // one of the states once finished
	rows      int    // rows in the experiment, 0 until known
	run       int    // rows with an output
	scored    int    // rows scored for every metric
	link      string // console link, once created
	linkShown bool   // the plain display printed the link
	started   time.Time
	ended     time.Time
}

type displayOptions struct {
	tty     bool              // redraw in place
	verbose bool              // print every harness line
	size    func() (int, int) // terminal width and height; nil or 0: unlimited
	now     func() time.Time  // clock; nil: time.Now
	tick    time.Duration     // redraw interval on a terminal; 0: only on changes
}

func newDisplay(w io.Writer, o displayOptions) *display {
	d := &display{w: w, tty: o.tty, verbose: o.verbose, size: o.size, now: o.now, tick: o.tick}
	if d.now == nil {
		d.now = time.Now
	}
	if d.size == nil {
		d.size = func() (int, int) { return 0, 0 }
	}
	return d
}

// add registers an experiment, queued, and returns its index.
func (d *display) add(x galileotest.Experiment) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.items = append(d.items, &item{name: x.Name, file: x.File, line: x.Line, phase: phaseQueued})
	return len(d.items) - 1
}

// start draws the block and, on a terminal with a tick, starts the
// goroutine that keeps the spinner and the elapsed times moving; stop
// ends it.
func (d *display) start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.tty {
		return
	}
	d.redrawLocked()
	if d.tick <= 0 {
		return
	}
	d.stopc, d.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(d.done)
		t := time.NewTicker(d.tick)
		defer t.Stop()
		for {
			select {
			case <-d.stopc:
				return
			case <-t.C:
				d.mu.Lock()
				d.frame++
				d.redrawLocked()
				d.mu.Unlock()
			}
		}
	}()
}

// stop ends the redraw goroutine and draws the final state.
func (d *display) stop() {
	if d.stopc != nil {
		close(d.stopc)
		<-d.done
		d.stopc = nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tty {
		d.redrawLocked()
	}
}

// begin marks experiment i as started.
func (d *display) begin(i int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	it := d.items[i]
	it.phase, it.started = string(galileotest.PhaseSetup), d.now()
	d.changedLocked(it)
}

// finish marks experiment i as done with one of the states.
func (d *display) finish(i int, state string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	it := d.items[i]
	it.final, it.ended = state, d.now()
	if it.started.IsZero() {
		it.started = it.ended
	}
	if d.tty {
		d.redrawLocked()
		return
	}
	fmt.Fprintf(d.w, "%s: %s in %s\n", it.name, state, shortDuration(it.ended.Sub(it.started)))
}

// note prints a line that is not about one experiment's progress: above
// the block on a terminal, as is elsewhere.
func (d *display) note(line string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.printLocked(line)
}

func (d *display) printLocked(line string) {
	if d.tty {
		d.clearLocked()
		fmt.Fprintln(d.w, line)
		d.redrawLocked()
		return
	}
	fmt.Fprintln(d.w, line)
}

// progress takes one of the harness's progress events: it moves the
// experiment's phase and counts.
func (d *display) progress(ev galileotest.ProgressEvent) {
	d.mu.Lock()
	defer d.mu.Unlock()
	it := d.findLocked(ev)
	if it == nil {
		return
	}
	before := it.phase
	if ev.Phase != galileotest.PhaseDone {
		it.phase = string(ev.Phase)
	}
	it.rows, it.run, it.scored = ev.RowsTotal, ev.RowsRun, ev.RowsScored
	if ev.Link != "" {
		it.link = ev.Link
	}
	switch {
	case it.phase != before:
		d.changedLocked(it)
	case d.tty:
		d.redrawLocked()
	}
}

// findLocked finds the experiment an event is about: by name and fixture
// location, the first one still running of several that match.
func (d *display) findLocked(ev galileotest.ProgressEvent) *item {
	var first *item
	for _, it := range d.items {
		if it.name != ev.Experiment || it.file != ev.File || it.line != ev.Line {
			continue
		}
		if it.final == "" && it.phase != phaseQueued {
			return it
		}
		if first == nil {
			first = it
		}
	}
	return first
}

// logf takes one line of the harness's log: printed with verbose, else
// only when it is a notice of the harness ("galileotest: ...", such as the
// emulator backend) or a warning.
func (d *display) logf(format string, args ...any) {
	line := strings.TrimRight(fmt.Sprintf(format, args...), "\n")
	if d.verbose || strings.HasPrefix(line, "galileotest: ") || strings.Contains(line, ": warning: ") {
		d.note(line)
	}
}

// changedLocked shows a change of phase: a redraw on a terminal, elsewhere
// one line "<name>: <phase>, run 2/4, scored 1/4", with the console link
// the first time it is known.
func (d *display) changedLocked(it *item) {
	if d.tty {
		d.redrawLocked()
		return
	}
	line := it.name + ": " + it.phase
	if it.rows > 0 {
		line += fmt.Sprintf(", run %d/%d, scored %d/%d", it.run, it.rows, it.scored, it.rows)
	}
	if it.link != "" && !it.linkShown {
		line += " — " + it.link
		it.linkShown = true
	}
	fmt.Fprintln(d.w, line)
}

// clearLocked moves the cursor to the start of the block and clears it.
func (d *display) clearLocked() {
	if d.drawn > 0 {
		fmt.Fprintf(d.w, "\x1b[%dA\r\x1b[J", d.drawn)
		d.drawn = 0
	}
}

// redrawLocked draws the block in place. A block taller than the
// terminal cannot be redrawn (the cursor cannot move above the screen), so
// with more experiments than fit, the running ones are shown with one line
// that counts the others.
func (d *display) redrawLocked() {
	var b strings.Builder
	if d.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", d.drawn)
	}
	width, height := d.size()
	shown, rest := d.items, ""
	if height > 0 && len(d.items) > height-2 {
		shown, rest = d.fitLocked(max(height-3, 1))
	}
	nameW := 0
	for _, it := range shown {
		nameW = max(nameW, min(utf8.RuneCountInString(it.name), 40))
	}
	if width > 0 {
		// Leave the counts room; the fixed columns take about 55.
		nameW = min(nameW, max(10, width-56))
	}
	lines := make([]string, 0, len(shown)+1)
	for _, it := range shown {
		lines = append(lines, d.lineLocked(it, nameW))
	}
	if rest != "" {
		lines = append(lines, rest)
	}
	for _, l := range lines {
		b.WriteString("\r\x1b[2K")
		b.WriteString(truncate(l, width))
		b.WriteByte('\n')
	}
	if d.drawn > len(lines) {
		b.WriteString("\x1b[J") // the block shrank
	}
	d.drawn = len(lines)
	io.WriteString(d.w, b.String())
}

// fitLocked picks at most n experiments to show, running ones first in
// declaration order, and a line counting the others.
func (d *display) fitLocked(n int) ([]*item, string) {
	var shown []*item
	queued, done, failed := 0, 0, 0
	for _, it := range d.items {
		switch {
		case it.final != "":
			done++
			if it.final != stateOK {
				failed++
			}
		case it.phase == phaseQueued:
			queued++
		default:
			if len(shown) < n {
				shown = append(shown, it)
			}
		}
	}
	counts := fmt.Sprintf("%d queued, %d done (%d not passed)", queued, done, failed)
	if len(shown) == 0 {
		return nil, fmt.Sprintf("  %d experiments: %s", len(d.items), counts)
	}
	return shown, fmt.Sprintf("  … %d more: %s", len(d.items)-len(shown), counts)
}

var spinner = []string{"-", "\\", "|", "/"}

// lineLocked renders one experiment's line.
func (d *display) lineLocked(it *item, nameW int) string {
	icon, phase := spinner[d.frame%len(spinner)], it.phase
	switch it.final {
	case stateOK:
		icon, phase = "✓", it.final
	case stateFailed, stateInconclusive:
		icon, phase = "✗", it.final
	case stateError, stateTimeout:
		icon, phase = "!", it.final
	case "":
		if it.phase == phaseQueued {
			icon = "·"
		}
	}
	name := it.name
	if utf8.RuneCountInString(name) > nameW {
		name = string([]rune(name)[:nameW-1]) + "…"
	}
	name += strings.Repeat(" ", nameW-utf8.RuneCountInString(name))
	counts := func(n int) string {
		if it.rows == 0 {
			return "-"
		}
		return fmt.Sprintf("%d/%d", n, it.rows)
	}
	var elapsed time.Duration
	switch {
	case !it.ended.IsZero():
		elapsed = it.ended.Sub(it.started)
	case !it.started.IsZero():
		elapsed = d.now().Sub(it.started)
	}
	el := ""
	if !it.started.IsZero() {
		el = shortDuration(elapsed)
	}
	return fmt.Sprintf("%s %s  %-10s  run %-9s  scored %-9s  %s", icon, name, phase,
		counts(it.run), counts(it.scored), el)
}

// truncate shortens s to fit in width columns (no limit when width <= 0),
// so that no line wraps and the cursor arithmetic stays right.
func truncate(s string, width int) string {
	s = strings.TrimRight(s, " ")
	if width <= 1 || utf8.RuneCountInString(s) < width {
		return s
	}
	r := []rune(s)
	return string(r[:width-2]) + "…"
}

// shortDuration renders an elapsed time: 850ms, 12.3s, 4m05s.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}
