package emulator

import (
	"math"
	"slices"

	"github.com/galileo-community/galileo-go/emulator/scoring"
	"github.com/galileo-community/galileo-go/galileo"
)

// Aggregation is incremental. Scoring a row appends its values to the
// experiment's per-metric accumulators (runAggs.record): constant work per
// row under the server lock, whatever the experiment's size. Statistics are
// computed when an experiment is read: the values added since the last read
// are sorted and merged into each metric's sorted cache (O(n + k log k) for
// k new values), and the result is cached until the next score. The
// figures are exactly scoring.Aggregate's over all the values, which sorts
// them anyway, so the order rows were scored in does not show. Ranking is
// computed on read too, once per change of the project's scores.

// scoreAcc accumulates one metric of an experiment.
type scoreAcc struct {
	terminal int       // rows with a result of any status
	values   []float64 // finite values of successful rows, in scoring order
	sorted   []float64 // values[:len(sorted)], sorted: the read cache
}

func (m *scoreAcc) add(v float64) {
	if !math.IsNaN(v) && !math.IsInf(v, 0) { // scoring.Aggregate skips them too
		m.values = append(m.values, v)
	}
}

// sortedValues returns the values sorted, merging those added since the
// last call into the cache.
func (m *scoreAcc) sortedValues() []float64 {
	n := len(m.sorted)
	if n == len(m.values) {
		return m.sorted
	}
	tail := slices.Clone(m.values[n:])
	slices.Sort(tail)
	if n == 0 || m.sorted[n-1] <= tail[0] {
		m.sorted = append(m.sorted, tail...)
		return m.sorted
	}
	merged := make([]float64, 0, len(m.values))
	i, j := 0, 0
	for i < n && j < len(tail) {
		if tail[j] < m.sorted[i] {
			merged = append(merged, tail[j])
			j++
		} else {
			merged = append(merged, m.sorted[i])
			i++
		}
	}
	merged = append(append(merged, m.sorted[i:]...), tail[j:]...)
	m.sorted = merged
	return m.sorted
}

// runAggs are the running aggregates of one experiment's scored traces.
type runAggs struct {
	scorers  map[string]*scoreAcc // by scorer id
	cost     scoreAcc
	duration scoreAcc
	// Token counts, over the rows whose LLM spans carry them.
	tokIn, tokOut, tokTotal scoreAcc
	rows                    int // scored traces
	tokenRows               int // scored traces with token counts
	// stale is set when a scored trace was replaced: its values cannot be
	// taken out of the accumulators, which are rebuilt from the traces on
	// the next read.
	stale bool
	// version counts the score changes; the published cache is valid for
	// one version.
	version int
}

func newRunAggs() runAggs { return runAggs{scorers: map[string]*scoreAcc{}} }

// record merges the scoring result r of trace t into t's score and the
// accumulators. Call with s.mu held for writing.
func (a *runAggs) record(t *node, r traceScore) {
	ts := t.score
	if ts == nil {
		ts = &traceScore{vals: make(map[string]scoreVal, len(r.vals))}
		ts.cost, ts.durationNs, ts.tokens = r.cost, r.durationNs, r.tokens
		t.score = ts
		a.addSystem(ts)
	} else if ts.cost != r.cost || ts.durationNs != r.durationNs || ts.tokens != r.tokens {
		ts.cost, ts.durationNs, ts.tokens = r.cost, r.durationNs, r.tokens
		a.stale = true
	}
	for k, v := range r.vals {
		if _, had := ts.vals[k]; had {
			a.stale = true
		}
		ts.vals[k] = v
		a.addValue(k, v)
	}
}

func (a *runAggs) addSystem(ts *traceScore) {
	a.rows++
	a.cost.add(ts.cost)
	a.duration.add(float64(ts.durationNs))
	if ts.tokens.known {
		a.tokenRows++
		a.tokIn.add(float64(ts.tokens.input))
		a.tokOut.add(float64(ts.tokens.output))
		a.tokTotal.add(float64(ts.tokens.total))
	}
}

func (a *runAggs) addValue(scorerID string, v scoreVal) {
	m := a.scorers[scorerID]
	if m == nil {
		m = &scoreAcc{}
		a.scorers[scorerID] = m
	}
	m.terminal++
	if v.status == "success" {
		m.add(v.value)
	}
}

// rebuild recomputes the accumulators from the scored traces.
func (a *runAggs) rebuild(traces []*node) {
	version := a.version
	*a = newRunAggs()
	a.version = version
	for _, t := range traces {
		if ts := t.score; ts != nil {
			a.addSystem(ts)
			for k, v := range ts.vals {
				a.addValue(k, v)
			}
		}
	}
}

// published is a set of aggregates as experiment answers show them.
type published struct {
	valid      bool
	version    int                                 // runAggs.version they were computed at
	structured map[string]galileo.MetricAggregates // scorers, cost and duration: what the ranking sees
	tokens     map[string]galileo.MetricAggregates // token aggregates, published beside structured
	legacy     map[string]any
}

// computeAggregates computes an experiment's aggregates from its
// accumulators. Call with s.mu held for writing, or for reading with
// s.aggMu held.
func (s *Server) computeAggregates(e *experimentRec, rs *runState) published {
	a := &rs.aggs
	if a.stale {
		a.rebuild(s.st.runTraces[e.ID])
	}
	p := published{valid: true, version: a.version, structured: map[string]galileo.MetricAggregates{}, legacy: map[string]any{}}
	for _, cfg := range e.Scorers {
		sc, ok := s.scorerFor(cfg)
		if !ok {
			continue
		}
		m := a.scorers[sc.ID]
		if m == nil || m.terminal == 0 {
			continue
		}
		agg := sc.Aggregate(m.sortedValues())
		p.structured[sc.ID] = agg
		if agg.Avg != nil {
			p.legacy["average_"+scorerKey(cfg, sc, true)] = *agg.Avg
		}
	}
	if a.rows > 0 {
		c := scoring.Aggregate(a.cost.sortedValues(), scoring.Numeric)
		d := scoring.Aggregate(a.duration.sortedValues(), scoring.Numeric)
		p.structured[scoring.CostKey], p.structured[scoring.DurationKey] = c, d
		if c.Avg != nil {
			p.legacy["average_cost"] = *c.Avg
			p.legacy["total_cost"] = *c.Sum
		}
		if d.Avg != nil {
			p.legacy["average_latency"] = *d.Avg / 1e6
		}
		p.legacy["total_responses"] = a.rows
	}
	if a.tokenRows > 0 {
		p.tokens = map[string]galileo.MetricAggregates{
			inputTokensKey:  scoring.Aggregate(a.tokIn.sortedValues(), scoring.Numeric),
			outputTokensKey: scoring.Aggregate(a.tokOut.sortedValues(), scoring.Numeric),
			totalTokensKey:  scoring.Aggregate(a.tokTotal.sortedValues(), scoring.Numeric),
		}
	}
	return p
}

// scoresChanged notes that an experiment's scores (or scorers) changed:
// incremental aggregates are computed again on the next read; under
// PublishAtCompletion a complete run publishes its aggregates now (an
// incomplete one keeps what it published last, nothing before its first
// completion). Call with s.mu held for writing.
func (s *Server) scoresChanged(e *experimentRec, rs *runState) {
	rs.aggs.version++
	if s.opts.PublishAggregates == PublishAtCompletion && s.runComplete(e, rs) {
		rs.pub = s.computeAggregates(e, rs)
	}
	s.rerank(e.ProjectID)
}

// publishedAggregates returns the aggregates an experiment answer shows.
// Call with s.mu held (for reading or writing).
func (s *Server) publishedAggregates(e *experimentRec, rs *runState) published {
	s.aggMu.Lock()
	defer s.aggMu.Unlock()
	return s.publishedLocked(e, rs)
}

func (s *Server) publishedLocked(e *experimentRec, rs *runState) published {
	if s.opts.PublishAggregates == PublishAtCompletion {
		return rs.pub
	}
	if !rs.pub.valid || rs.pub.version != rs.aggs.version {
		rs.pub = s.computeAggregates(e, rs)
	}
	return rs.pub
}

// runComplete reports whether an experiment's run is complete (see
// PublishAtCompletion): every expected row has a complete trace, nothing
// is queued for scoring and every resolvable scorer has a result for every
// complete trace. The cheap tests come first: while rows are queued or
// still to generate it costs nothing. Call with s.mu held.
func (s *Server) runComplete(e *experimentRec, rs *runState) bool {
	if len(rs.queue) > 0 {
		return false
	}
	if _, more := s.nextRow(e.ID); more {
		return false
	}
	if s.progress(e) < 1 {
		return false
	}
	var scorers []string
	for _, cfg := range e.Scorers {
		if sc, ok := s.scorerFor(cfg); ok {
			scorers = append(scorers, sc.ID)
		}
	}
	complete := 0
	for _, t := range s.st.runTraces[e.ID] {
		if !t.IsComplete || t.score == nil {
			return false
		}
		complete++
		for _, id := range scorers {
			if _, done := t.score.vals[id]; !done {
				return false
			}
		}
	}
	return complete > 0
}

// rerank notes that the ranking of a project's experiments may have
// changed; it is computed again when next read (rankOf). Call with s.mu
// held for writing.
func (s *Server) rerank(projectID string) {
	s.st.versions[projectID]++
}

// rankOf returns an experiment's ranking within its project, ranking the
// project again if its scores changed since. Call with s.mu held.
func (s *Server) rankOf(e *experimentRec) *scoring.RankResult {
	s.aggMu.Lock()
	defer s.aggMu.Unlock()
	v := s.st.versions[e.ProjectID]
	if r, ok := s.st.ranked[e.ProjectID]; !ok || r != v {
		s.rankProject(e.ProjectID)
		s.st.ranked[e.ProjectID] = v
	}
	if rs := s.st.runs[e.ID]; rs != nil {
		return rs.rank
	}
	return nil
}

// rankProject ranks a project's experiments by their published aggregates.
// Call with s.mu and s.aggMu held.
func (s *Server) rankProject(projectID string) {
	var in []scoring.RankInput
	hib := scoring.HigherIsBetter(s.catalogue)
	for _, e := range s.st.Experiments {
		if e.ProjectID != projectID {
			continue
		}
		rs := s.st.runs[e.ID]
		if rs == nil {
			continue
		}
		in = append(in, scoring.RankInput{ExperimentID: e.ID, Aggregates: s.publishedLocked(e, rs).structured, HigherIsBetter: hib})
	}
	for _, r := range scoring.Rank(in) {
		rr := r
		s.st.runs[r.ExperimentID].rank = &rr
	}
}
