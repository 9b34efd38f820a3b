package emulator

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/emulator/scoring"
	"github.com/galileo-community/galileo-go/galileo"
)

// Background work: each experiment with something to do gets one worker
// goroutine. Each tick it generates at most one prompt-run row and scores at
// most one row (a batch when Options.ScoringDelay is negative), then waits
// ScoringDelay on the clock. Close stops every worker.

// batchWithoutDelay is how many rows a tick handles when there is no delay.
const batchWithoutDelay = 512

// scoreVal is the result of one scorer on one row.
type scoreVal struct {
	status string // success, error or not_applicable
	value  float64
	msg    string
}

// traceScore is what the scoring computed for one trace: it exists once
// the trace was scored, so cost, duration and tokens are always set.
type traceScore struct {
	vals       map[string]scoreVal // by scorer id
	cost       float64
	durationNs int64
	tokens     tokenCounts
}

// tokenCounts are the token counts of a trace's LLM spans.
type tokenCounts struct {
	input, output, total int64
	known                bool // some LLM span carries a token count
}

// Keys of the token aggregates in structured_aggregate_metrics.
const (
	inputTokensKey  = "num_input_tokens"
	outputTokensKey = "num_output_tokens"
	totalTokensKey  = "num_total_tokens"
)

// runState is the derived, unpersisted state of one experiment. Scores
// live on the traces (node.score); runState keeps the work queue and the
// running aggregates.
type runState struct {
	queue     []string
	queued    map[string]bool
	generated map[string]bool // dataset row ids a prompt run produced
	cursor    int             // rows before it are generated
	complete  int             // complete traces
	working   bool
	fast      bool // catch up without delay (after a restart)

	aggs runAggs   // running aggregates of the scored traces
	pub  published // the aggregates experiment answers show
	rank *scoring.RankResult
}

func newRunState() *runState {
	return &runState{queued: map[string]bool{}, generated: map[string]bool{}, aggs: newRunAggs()}
}

func (rs *runState) enqueue(traceID string) {
	if !rs.queued[traceID] {
		rs.queued[traceID] = true
		rs.queue = append(rs.queue, traceID)
	}
}

// kick starts the experiment's worker if it is not running. Call with s.mu
// held for writing.
func (s *Server) kick(eid string) {
	rs := s.st.runs[eid]
	if rs == nil || rs.working || s.ctx.Err() != nil {
		return
	}
	rs.working = true
	s.busy++
	s.workers.Add(1)
	go s.work(eid)
}

func (s *Server) work(eid string) {
	defer s.workers.Done()
	tick := s.clock.Now() // the current tick's deadline
	for {
		if s.ctx.Err() != nil {
			s.stopWorking(eid)
			return
		}
		s.mu.RLock()
		rs := s.st.runs[eid]
		fast := rs != nil && rs.fast
		s.mu.RUnlock()
		batch := 1
		if s.opts.ScoringDelay < 0 || fast {
			batch = batchWithoutDelay
		}
		did := false
		for i := 0; i < batch; i++ {
			if !s.generateStep(eid) {
				break
			}
			did = true
		}
		if s.scoreStep(eid, batch) {
			did = true
		}
		if !did {
			s.mu.Lock()
			rs := s.st.runs[eid]
			if rs == nil || !s.hasWork(eid) {
				if rs != nil {
					rs.working, rs.fast = false, false
				}
				s.workerDone()
				s.mu.Unlock()
				return
			}
			s.mu.Unlock()
			continue
		}
		if s.opts.ScoringDelay > 0 && !fast {
			if s.pace(&tick) != nil {
				s.stopWorking(eid)
				return
			}
		}
	}
}

// pace waits for the next tick. Ticks are deadlines ScoringDelay apart, so
// the time a row's work takes and a timer's lateness do not add up: n rows
// take n ticks. A worker more than a tick behind (it was starved, or a
// ManualClock jumped) restarts the ticks from now instead of catching up.
func (s *Server) pace(tick *time.Time) error {
	d := s.opts.ScoringDelay
	now := s.clock.Now()
	*tick = tick.Add(d)
	if tick.Before(now.Add(-d)) {
		*tick = now.Add(d)
	}
	return sleep(s.ctx, s.clock, tick.Sub(now))
}

func (s *Server) stopWorking(eid string) {
	s.mu.Lock()
	if rs := s.st.runs[eid]; rs != nil {
		rs.working = false
	}
	s.workerDone()
	s.mu.Unlock()
}

// hasWork reports whether an experiment has rows to generate or score.
func (s *Server) hasWork(eid string) bool {
	rs := s.st.runs[eid]
	if rs == nil {
		return false
	}
	if len(rs.queue) > 0 {
		return true
	}
	_, ok := s.nextRow(eid)
	return ok
}

// nextRow is the next dataset row a prompt run still has to generate.
func (s *Server) nextRow(eid string) (*rowRec, bool) {
	e := s.st.Experiments[eid]
	if e == nil || e.Run == nil {
		return nil, false
	}
	d := s.st.Datasets[e.DatasetID]
	if d == nil || e.DatasetVersion >= len(d.Versions) {
		return nil, false
	}
	rs := s.st.runs[eid]
	rows := d.Versions[e.DatasetVersion].Rows // a version's rows never change
	for ; rs.cursor < len(rows); rs.cursor++ {
		if r := rows[rs.cursor]; !rs.generated[r.ID] {
			return r, true
		}
	}
	return nil, false
}

// runRows returns the dataset rows an experiment runs over (nil without a dataset).
func (s *Server) runRows(e *experimentRec) []*rowRec {
	d := s.st.Datasets[e.DatasetID]
	if d == nil || e.DatasetVersion >= len(d.Versions) {
		return nil
	}
	return d.Versions[e.DatasetVersion].Rows
}

// generateStep produces one prompt-run row. It reports whether it did.
func (s *Server) generateStep(eid string) bool {
	s.mu.Lock()
	row, ok := s.nextRow(eid)
	if !ok {
		s.mu.Unlock()
		return false
	}
	e := s.st.Experiments[eid]
	job := s.prepareRow(e, row)
	s.mu.Unlock()

	res := job.run(s.ctx)
	if s.ctx.Err() != nil {
		return false
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	e = s.st.Experiments[eid]
	rs := s.st.runs[eid]
	if e == nil || rs == nil || rs.generated[row.ID] {
		return true
	}
	t := s.rowTrace(e, row, job, res)
	if err := s.commit("put", kindTraces, "", []*node{t}); err != nil {
		s.log.Error("emulator: storing a generated row failed", "experiment", eid, "error", err)
		return false
	}
	s.storeTrace(t)
	return true
}

// scoreStep scores up to n queued traces. It reports whether it did any.
func (s *Server) scoreStep(eid string, n int) bool {
	type task struct {
		trace   *node
		in      scoring.Input
		scorers []scoring.Scorer
		missing []string
	}
	s.mu.Lock()
	e := s.st.Experiments[eid]
	rs := s.st.runs[eid]
	if e == nil || rs == nil || len(rs.queue) == 0 {
		s.mu.Unlock()
		return false
	}
	var tasks []task
	for len(rs.queue) > 0 && len(tasks) < n {
		id := rs.queue[0]
		rs.queue = rs.queue[1:]
		delete(rs.queued, id)
		t := s.st.Traces[id]
		if t == nil || t.RunID != eid || !t.IsComplete {
			continue
		}
		tk := task{trace: t, in: buildInput(t)}
		ts := t.score
		for _, cfg := range e.Scorers {
			sc, ok := s.scorerFor(cfg)
			if !ok {
				tk.missing = append(tk.missing, cfg.ID)
				continue
			}
			if ts == nil || ts.vals[sc.ID].status == "" {
				tk.scorers = append(tk.scorers, sc)
			}
		}
		tasks = append(tasks, tk)
	}
	if len(rs.queue) == 0 {
		rs.queue = nil
	}
	s.mu.Unlock()
	if len(tasks) == 0 {
		return true
	}

	results := make([]traceScore, len(tasks))
	for i, tk := range tasks {
		r := traceScore{vals: map[string]scoreVal{}}
		for _, sc := range tk.scorers {
			v := runScorer(sc, tk.in)
			if v.status == "success" && s.opts.JudgeNoise > 0 {
				v.value = sc.Perturb(v.value, s.opts.JudgeNoise, scoring.NoiseKey(s.opts.Seed, tk.trace.ID, sc.ID))
			}
			r.vals[sc.ID] = v
		}
		r.cost, r.durationNs, r.tokens = systemMetrics(tk.trace, tk.in)
		results[i] = r
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	e = s.st.Experiments[eid]
	rs = s.st.runs[eid]
	if e == nil || rs == nil {
		return true
	}
	for i, tk := range tasks {
		if s.st.Traces[tk.trace.ID] != tk.trace {
			continue // replaced meanwhile; it was queued again
		}
		rs.aggs.record(tk.trace, results[i])
	}
	s.scoresChanged(e, rs)
	return true
}

// runScorer runs one scorer, turning panics into errors.
func runScorer(sc scoring.Scorer, in scoring.Input) (out scoreVal) {
	defer func() {
		if v := recover(); v != nil {
			out = scoreVal{status: "error", msg: fmt.Sprintf("scorer %s panicked: %v", sc.Name, v)}
		}
	}()
	if sc.Score == nil {
		return scoreVal{status: "error", msg: "scorer " + sc.Name + " has no function"}
	}
	v, ok, err := sc.Score(in)
	switch {
	case err != nil:
		return scoreVal{status: "error", msg: err.Error()}
	case !ok:
		return scoreVal{status: "not_applicable"}
	}
	return scoreVal{status: "success", value: v}
}

func num(v any) (int64, bool) {
	f, ok := toFloat(v)
	return int64(f), ok
}

// buildInput is what scorers see of a trace.
func buildInput(t *node) scoring.Input {
	in := scoring.Input{Output: textOf(t.Output), Metadata: map[string]string{}}
	if t.DatasetInput != nil {
		in.Input = *t.DatasetInput
	} else {
		in.Input = textOf(t.Input)
	}
	if t.DatasetOutput != nil {
		in.GroundTruth = *t.DatasetOutput
	}
	for k, v := range t.DatasetMetadata {
		in.Metadata[k] = v
	}
	for k, v := range t.UserMetadata {
		in.Metadata[k] = v
	}
	in.Errored = (t.StatusCode != nil && *t.StatusCode >= 400) || t.ErrorMessage != ""
	var llmIn, llmOut int64
	t.walk(func(n *node) {
		switch n.Type {
		case "llm":
			if in.Model == "" && n.Model != nil {
				in.Model = *n.Model
			}
			if in.Messages == nil {
				if msgs, ok := wireIO("llm", n.Input, true).([]any); ok {
					for _, m := range msgs {
						mm := m.(map[string]any)
						in.Messages = append(in.Messages, galileo.Message{Role: fmt.Sprint(mm["role"]), Content: textOf(mm["content"])})
					}
				}
			}
			if v, ok := num(n.Metrics["num_input_tokens"]); ok {
				llmIn += v
			}
			if v, ok := num(n.Metrics["num_output_tokens"]); ok {
				llmOut += v
			}
		case "retriever":
			for _, d := range documents(n.Output) {
				in.Context = append(in.Context, textOf(d.(map[string]any)["content"]))
			}
		case "tool":
			in.Tools = append(in.Tools, n.Name)
			in.ToolErrors = append(in.ToolErrors, (n.StatusCode != nil && *n.StatusCode >= 400) || n.ErrorMessage != "")
		}
		if n != t && n.StatusCode != nil && *n.StatusCode >= 400 && n.ParentID == t.ID {
			in.Errored = true
		}
	})
	in.InputTokens, in.OutputTokens = llmIn, llmOut
	if v, ok := num(t.Metrics["num_input_tokens"]); ok && llmIn == 0 {
		in.InputTokens = v
	}
	if v, ok := num(t.Metrics["num_output_tokens"]); ok && llmOut == 0 {
		in.OutputTokens = v
	}
	in.DurationNs = traceDuration(t)
	return in
}

// traceDuration is the trace's duration_ns, else the longest of its
// children's (the function flow logs the duration on the workflow span).
func traceDuration(t *node) int64 {
	if d, ok := num(t.Metrics["duration_ns"]); ok && d > 0 {
		return d
	}
	var best int64
	for _, c := range t.Spans {
		if d, ok := num(c.Metrics["duration_ns"]); ok && d > best {
			best = d
		}
	}
	return best
}

// systemMetrics computes the cost and token counts (sums over LLM spans)
// and the duration of a trace. A span without num_total_tokens counts its
// input plus output tokens.
func systemMetrics(t *node, in scoring.Input) (float64, int64, tokenCounts) {
	cost := 0.0
	llm := false
	var tok tokenCounts
	t.walk(func(n *node) {
		if n.Type != "llm" {
			return
		}
		llm = true
		model := ""
		if n.Model != nil {
			model = *n.Model
		}
		i, okIn := num(n.Metrics[inputTokensKey])
		o, okOut := num(n.Metrics[outputTokensKey])
		cost += scoring.Cost(model, i, o)
		total, okTotal := num(n.Metrics[totalTokensKey])
		if !okTotal {
			total = i + o
		}
		if okIn || okOut || okTotal {
			tok.known = true
			tok.input += i
			tok.output += o
			tok.total += total
		}
	})
	if !llm && (in.InputTokens > 0 || in.OutputTokens > 0) {
		cost = scoring.Cost(in.Model, in.InputTokens, in.OutputTokens)
	}
	return cost, in.DurationNs, tok
}

// scorerKey is the metric's key in records and legacy aggregates: the
// scorer's alias, else its name.
func scorerKey(cfg galileo.ScorerConfig, sc scoring.Scorer, ok bool) string {
	if ok {
		if sc.Alias != "" {
			return sc.Alias
		}
		return sc.Name
	}
	if cfg.Name != nil && *cfg.Name != "" {
		return *cfg.Name
	}
	return cfg.ID
}

// progress is status.log_generation.progress_percent (0..1).
func (s *Server) progress(e *experimentRec) float64 {
	traces := s.st.runTraces[e.ID]
	rows := s.runRows(e)
	if e.Run != nil {
		if len(rows) == 0 {
			return 1
		}
		rs := s.st.runs[e.ID]
		done := 0
		for _, r := range rows {
			if rs.generated[r.ID] {
				done++
			}
		}
		return float64(done) / float64(len(rows))
	}
	complete := 0
	if rs := s.st.runs[e.ID]; rs != nil {
		complete = rs.complete
	} else {
		for _, t := range traces {
			if t.IsComplete {
				complete++
			}
		}
	}
	if e.DatasetID != "" && len(rows) > 0 {
		return min(1, float64(complete)/float64(len(rows)))
	}
	if complete > 0 {
		return 1
	}
	return 0
}

// resumeAll restarts background work after a replay: every complete trace
// is scored again (without delay) and unfinished prompt runs continue.
// Call with s.mu held for writing.
func (s *Server) resumeAll() {
	for eid, rs := range s.st.runs {
		for _, t := range s.st.runTraces[eid] {
			if t.RowID != "" {
				rs.generated[t.RowID] = true
			}
			if t.IsComplete {
				rs.enqueue(t.ID)
			}
		}
		if len(rs.queue) > 0 {
			rs.fast = true
		}
		if s.hasWork(eid) {
			s.kick(eid)
		}
	}
	if s.store != nil {
		b, err := json.Marshal(s.snapshotLocked())
		if err == nil {
			err = s.store.compact(b)
		}
		if err != nil {
			s.log.Error("emulator: compacting the data directory failed", "error", err)
		}
	}
}

// modelFallbackNote is logged once per unknown model alias.
func (s *Server) noteFallback(alias string) {
	key := strings.ToLower(alias)
	if s.warned[key] {
		return
	}
	s.warned[key] = true
	s.log.Info(fmt.Sprintf("emulator: model %q is not an emulator model; using %q (register one with Server.RegisterModel)", alias, DefaultModel))
}
