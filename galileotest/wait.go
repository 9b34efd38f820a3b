package galileotest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

// metricKey is one metric the wait needs: as written, and the key of its
// aggregates in structured_aggregate_metrics.
type metricKey struct {
	Metric string
	Key    string
}

// waitSpec says what the harness waits for; the waiting itself is the
// client's (galileo.ExperimentsService.WaitForMetrics).
type waitSpec struct {
	label   string // prefix of progress lines, usually the experiment's base name
	metrics []metricKey
	rows    int // rows in the experiment
	need    int // rows each metric must have scored
}

// Progress lines are written at most every logEvery (and on phase
// changes), and at least every heartbeat.
const (
	logEvery  = 5 * time.Second
	heartbeat = 30 * time.Second
)

// waitScores waits with the client until every metric of spec is
// complete, logging progress lines to logf and calling polled after every
// poll. The first poll goes out at once: the last trace batch is
// acknowledged (or the experiment was re-attached to and may be scored).
func waitScores(ctx context.Context, c *galileo.Client, projectID, experimentID string, spec waitSpec, logf func(string, ...any), polled func(*galileo.WaitState)) (*galileo.WaitState, error) {
	keys := make([]string, len(spec.metrics))
	for i, k := range spec.metrics {
		keys[i] = k.Key
	}
	var (
		lastLog   time.Time
		lastPhase Phase
		lastLine  string
	)
	opts := &galileo.WaitOptions{Rows: spec.rows, AllowedUnscored: spec.rows - spec.need,
		Progress: func(st *galileo.WaitState) {
			if polled != nil {
				polled(st)
			}
			if logf == nil {
				return
			}
			now, ph, line := time.Now(), phaseOf(st), describe(spec, st)
			since := now.Sub(lastLog)
			if ph != lastPhase || (since >= logEvery && line != lastLine) || since >= heartbeat {
				if st.Done {
					logf("%s: %s after %s, %s", spec.label, line, round(st.Elapsed), plural(st.Polls, "poll"))
				} else {
					logf("%s: %s, %s", spec.label, line, round(st.Elapsed))
				}
				lastLog, lastPhase, lastLine = now, ph, line
			}
		}}
	return c.Experiments.WaitForMetrics(ctx, projectID, experimentID, opts, keys...)
}

// scoredOf returns the rows scored for metric i of a wait's state and
// whether the server reported it.
func scoredOf(st *galileo.WaitState, i int) (int64, bool) {
	if st == nil || i >= len(st.Metrics) {
		return 0, false
	}
	m := st.Metrics[i]
	return m.Scored, m.Reported || m.Settled != nil
}

// describe renders "37/50 rows scored (correctness 37/50, completeness 35/50)".
func describe(spec waitSpec, st *galileo.WaitState) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d rows scored", minScored(spec, st), spec.rows)
	if len(spec.metrics) > 0 {
		b.WriteString(" (")
		for i, k := range spec.metrics {
			if i > 0 {
				b.WriteString(", ")
			}
			if n, ok := scoredOf(st, i); ok {
				fmt.Fprintf(&b, "%s %d/%d", k.Metric, n, spec.rows)
			} else {
				fmt.Fprintf(&b, "%s not reported", k.Metric)
			}
		}
		b.WriteString(")")
	}
	if g := st.Generated; g != nil && *g < 1 {
		fmt.Fprintf(&b, ", outputs %.0f%% generated", *g*100)
	}
	return b.String()
}

// minScored is the rows scored for every metric, capped at the rows.
func minScored(spec waitSpec, st *galileo.WaitState) int64 {
	if len(spec.metrics) == 0 {
		return int64(spec.rows)
	}
	m := int64(-1)
	for i := range spec.metrics {
		n, _ := scoredOf(st, i)
		if m < 0 || n < m {
			m = n
		}
	}
	return min(m, int64(spec.rows))
}

// phaseOf is the phase a state shows: judging once done, generating while
// the server reports outputs missing, scoring once outputs are complete or
// scores are reported, waiting before that. A change is always logged.
func phaseOf(st *galileo.WaitState) Phase {
	reported := false
	for _, m := range st.Metrics {
		reported = reported || m.Reported
	}
	switch {
	case st.Done:
		return PhaseJudging
	case st.Generated != nil && *st.Generated < 1:
		return PhaseGenerating
	case st.Generated != nil || reported:
		return PhaseScoring
	}
	return PhaseWaiting
}

// round shortens a duration for log lines: 12.3s, 450ms.
func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	default:
		return d.Round(time.Millisecond)
	}
}
