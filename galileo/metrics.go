package galileo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Labels of the built-in Galileo metrics, the values of the official
// Python SDK's GalileoMetrics enum. Each is the scorer label the console
// shows; [ExperimentSpec.Metrics], [Experiment.GetMetricAggregate] and
// [Experiment.WaitForMetrics] accept them, like any other spelling of a
// metric (see [ExperimentsService.ResolveMetrics]). A name ending in Luna
// is the small-language-model (SLM) variant.
const (
	MetricActionAdvancement               = "Action Advancement"
	MetricActionAdvancementLuna           = "Action Advancement (SLM)"
	MetricActionCompletion                = "Action Completion"
	MetricActionCompletionLuna            = "Action Completion (SLM)"
	MetricAgentEfficiency                 = "Agent Efficiency"
	MetricAgentFlow                       = "Agent Flow"
	MetricChunkAttributionUtilization     = "Chunk Attribution Utilization"
	MetricChunkAttributionUtilizationLuna = "Chunk Attribution Utilization (SLM)"
	MetricChunkRelevance                  = "Chunk Relevance"
	MetricCompleteness                    = "Completeness"
	MetricCompletenessLuna                = "Completeness (SLM)"
	MetricContextAdherence                = "Context Adherence"
	MetricContextAdherenceLuna            = "Context Adherence (SLM)"
	MetricContextPrecision                = "Context Precision"
	MetricContextRelevance                = "Context Relevance"
	MetricContextRelevanceLuna            = "Context Relevance (SLM)"
	MetricConversationQuality             = "Conversation Quality"
	MetricCorrectness                     = "Correctness"
	MetricGroundTruthAdherence            = "Ground Truth Adherence"
	MetricInputPII                        = "Input PII"
	MetricInputPIILuna                    = "Input PII (SLM)"
	MetricInputSexism                     = "Input Sexism"
	MetricInputSexismLuna                 = "Input Sexism (SLM)"
	MetricInputTone                       = "Input Tone"
	MetricInputToneLuna                   = "Input Tone (SLM)"
	MetricInputToxicity                   = "Input Toxicity"
	MetricInputToxicityLuna               = "Input Toxicity (SLM)"
	MetricInstructionAdherence            = "Instruction Adherence"
	MetricOutputPII                       = "Output PII"
	MetricOutputPIILuna                   = "Output PII (SLM)"
	MetricOutputSexism                    = "Output Sexism"
	MetricOutputSexismLuna                = "Output Sexism (SLM)"
	MetricOutputTone                      = "Output Tone"
	MetricOutputToneLuna                  = "Output Tone (SLM)"
	MetricOutputToxicity                  = "Output Toxicity"
	MetricOutputToxicityLuna              = "Output Toxicity (SLM)"
	MetricPrecisionAtK                    = "Precision@K"
	MetricPromptInjection                 = "Prompt Injection"
	MetricPromptInjectionLuna             = "Prompt Injection (SLM)"
	MetricReasoningCoherence              = "Reasoning Coherence"
	MetricSQLAdherence                    = "SQL Adherence"
	MetricSQLCorrectness                  = "SQL Correctness"
	MetricSQLEfficiency                   = "SQL Efficiency"
	MetricSQLInjection                    = "SQL Injection"
	MetricToolErrorRate                   = "Tool Error Rate"
	MetricToolErrorRateLuna               = "Tool Error Rate (SLM)"
	MetricToolSelectionQuality            = "Tool Selection Quality"
	MetricToolSelectionQualityLuna        = "Tool Selection Quality (SLM)"
	MetricUserIntentChange                = "User Intent Change"
)

// GalileoMetrics returns the built-in metric labels above, in the order of
// the Python SDK's enum (a fresh slice on each call).
func GalileoMetrics() []string {
	return []string{
		MetricActionAdvancement,
		MetricActionAdvancementLuna,
		MetricActionCompletion,
		MetricActionCompletionLuna,
		MetricAgentEfficiency,
		MetricAgentFlow,
		MetricChunkAttributionUtilization,
		MetricChunkAttributionUtilizationLuna,
		MetricChunkRelevance,
		MetricCompleteness,
		MetricCompletenessLuna,
		MetricContextAdherence,
		MetricContextAdherenceLuna,
		MetricContextPrecision,
		MetricContextRelevance,
		MetricContextRelevanceLuna,
		MetricConversationQuality,
		MetricCorrectness,
		MetricGroundTruthAdherence,
		MetricInputPII,
		MetricInputPIILuna,
		MetricInputSexism,
		MetricInputSexismLuna,
		MetricInputTone,
		MetricInputToneLuna,
		MetricInputToxicity,
		MetricInputToxicityLuna,
		MetricInstructionAdherence,
		MetricOutputPII,
		MetricOutputPIILuna,
		MetricOutputSexism,
		MetricOutputSexismLuna,
		MetricOutputTone,
		MetricOutputToneLuna,
		MetricOutputToxicity,
		MetricOutputToxicityLuna,
		MetricPrecisionAtK,
		MetricPromptInjection,
		MetricPromptInjectionLuna,
		MetricReasoningCoherence,
		MetricSQLAdherence,
		MetricSQLCorrectness,
		MetricSQLEfficiency,
		MetricSQLInjection,
		MetricToolErrorRate,
		MetricToolErrorRateLuna,
		MetricToolSelectionQuality,
		MetricToolSelectionQualityLuna,
		MetricUserIntentChange,
	}
}

// System metrics: computed by the server for every row without a scorer,
// and reported under these keys in an experiment's structured aggregates.
const (
	MetricCost         = "cost"              // cost of a row in US dollars
	MetricDuration     = "duration_ns"       // latency of a row in nanoseconds
	MetricLatency      = "latency"           // another name of MetricDuration
	MetricInputTokens  = "num_input_tokens"  // input tokens of a row
	MetricOutputTokens = "num_output_tokens" // output tokens of a row
	MetricTotalTokens  = "num_total_tokens"  // input plus output tokens of a row
)

// CanonicalMetric returns the aggregate key of a system metric name (in
// any case; "latency" is "duration_ns"), and any other name trimmed of
// surrounding white space.
func CanonicalMetric(name string) string {
	n := strings.TrimSpace(name)
	switch l := strings.ToLower(n); l {
	case MetricLatency, MetricDuration:
		return MetricDuration
	case MetricCost, MetricInputTokens, MetricOutputTokens, MetricTotalTokens:
		return l
	}
	return n
}

// IsSystemMetric reports whether name is a system metric (see
// [CanonicalMetric]).
func IsSystemMetric(name string) bool {
	switch CanonicalMetric(name) {
	case MetricCost, MetricDuration, MetricInputTokens, MetricOutputTokens, MetricTotalTokens:
		return true
	}
	return false
}

// ErrUnknownMetric matches (with errors.Is) the error for a metric that no
// scorer and no system metric answers to; the error is an
// [*UnknownMetricError] with close matches.
var ErrUnknownMetric = errors.New("galileo: unknown metric")

// Is makes an [*UnknownMetricError] match [ErrUnknownMetric].
func (e *UnknownMetricError) Is(target error) bool { return target == ErrUnknownMetric }

// ResolvedMetric is a metric as given, resolved to the keys the API
// reports it under.
type ResolvedMetric struct {
	// Metric is the metric as given, trimmed.
	Metric string
	// Key is its key in an experiment's structured aggregates: the scorer
	// UUID, or the system metric's canonical name.
	Key string
	// Label is the scorer's label; "" for system metrics.
	Label string
	// Scorer is the scorer behind the metric; nil for system metrics.
	Scorer *Scorer
	// Names are the keys the metric's values may carry in aggregates and
	// in records' metric_info: the key, then the scorer's name, metric name
	// and metric_key_alias.
	Names []string
}

// System reports whether the metric is a system metric.
func (m ResolvedMetric) System() bool { return m.Scorer == nil }

// In returns the metric's aggregates in aggs (keyed as
// structured_aggregate_metrics), trying each of its names.
func (m ResolvedMetric) In(aggs map[string]MetricAggregates) (MetricAggregates, bool) {
	for _, n := range m.Names {
		if a, ok := aggs[n]; ok {
			return a, true
		}
		if IsID(n) {
			for k, a := range aggs {
				if strings.EqualFold(k, n) {
					return a, true
				}
			}
		}
	}
	return MetricAggregates{}, false
}

// addName appends n to the metric's names unless it is empty or there.
func (m *ResolvedMetric) addName(n string) {
	for _, x := range m.Names {
		if x == n {
			return
		}
	}
	if n != "" {
		m.Names = append(m.Names, n)
	}
}

// ResolveMetrics is the one place a metric name becomes the key of its
// values: [ExperimentSpec.Metrics], [Experiment.GetMetricAggregate] and
// [Experiment.WaitForMetrics] all resolve through it. A metric may be
//
//   - a system metric: cost, latency (or duration_ns) and the token counts,
//     in any case; no call is made for these;
//   - a scorer UUID;
//   - a scorer label ("Correctness", one of the Metric constants) or name
//     ("correctness"), exactly, else in any case ("CORRECTNESS");
//   - a scorer's metric name or metric_key_alias ("completeness_gpt"),
//     from the scorers or, failing that, the project's experiment columns.
//
// The result has one entry per metric, in order. A metric nothing answers
// to is an error matching [ErrUnknownMetric] (an [*UnknownMetricError]
// naming close matches).
func (s *ExperimentsService) ResolveMetrics(ctx context.Context, projectID string, metrics []string) ([]ResolvedMetric, error) {
	out := make([]ResolvedMetric, len(metrics))
	var scorerMetrics []string
	for i, m := range metrics {
		m = strings.TrimSpace(m)
		if m == "" {
			return nil, fmt.Errorf("galileo: metric %d is empty: expected a scorer label, name or id, or a system metric", i)
		}
		out[i].Metric = m
		if IsSystemMetric(m) {
			k := CanonicalMetric(m)
			out[i].Key, out[i].Names = k, []string{k}
			continue
		}
		scorerMetrics = append(scorerMetrics, m)
	}
	if len(scorerMetrics) == 0 {
		return out, nil
	}
	found, unknown, err := s.c.Scorers.resolve(ctx, scorerMetrics)
	if err != nil {
		return nil, err
	}
	var cols ColumnCollection
	if unknown != nil {
		// Aliases a server reports only in the experiment columns.
		if cols, err = s.AvailableColumns(ctx, projectID); err != nil {
			return nil, err
		}
		unknown.Unknown = slices.DeleteFunc(unknown.Unknown, func(m string) bool {
			if key, alias, ok := columnMetric(cols, m); ok {
				found[m] = Scorer{ID: key, MetricName: &alias}
				return true
			}
			return false
		})
		if len(unknown.Unknown) > 0 {
			return nil, unknown
		}
	}
	for i := range out {
		if out[i].Key != "" {
			continue
		}
		sc := found[out[i].Metric]
		r := &out[i]
		r.Key, r.Label, r.Scorer = sc.ID, sc.ScorerLabel(), &sc
		r.addName(sc.ID)
		r.addName(sc.Name)
		if sc.MetricName != nil {
			r.addName(*sc.MetricName)
		}
		if c := cols.Get("metrics/" + sc.ID); c != nil && c.MetricKeyAlias != nil {
			r.addName(*c.MetricKeyAlias)
		}
	}
	return out, nil
}

// columnMetric finds a metric column ("metrics/<uuid>") whose label or
// metric_key_alias is m: exactly, else in any case. It returns the
// column's key and alias.
func columnMetric(cols ColumnCollection, m string) (key, alias string, ok bool) {
	for _, eq := range []func(a, b string) bool{func(a, b string) bool { return a == b }, strings.EqualFold} {
		for _, c := range cols {
			k, isMetric := strings.CutPrefix(c.ID, "metrics/")
			if !isMetric {
				continue
			}
			a := ""
			if c.MetricKeyAlias != nil {
				a = *c.MetricKeyAlias
			}
			if (c.Label != nil && eq(*c.Label, m)) || (a != "" && eq(a, m)) {
				return k, a, true
			}
		}
	}
	return "", "", false
}

// resolve finds the scorer of each metric (trimmed), and an
// [*UnknownMetricError] for those that match none.
func (s *ScorersService) resolve(ctx context.Context, metrics []string) (map[string]Scorer, *UnknownMetricError, error) {
	var wanted, ids, names []string
	seen := map[string]bool{}
	for i, m := range metrics {
		m = strings.TrimSpace(m)
		if m == "" {
			return nil, nil, fmt.Errorf("galileo: metric %d is empty: expected a scorer label, name or id", i)
		}
		if seen[m] {
			continue
		}
		seen[m] = true
		wanted = append(wanted, m)
		if IsID(m) {
			ids = append(ids, m)
		} else {
			names = append(names, m)
		}
	}
	var found []Scorer
	if len(ids) > 0 {
		got, err := Collect(s.List(ctx, []Filter{valueFilter(Filter{Name: "id"}, ids)}))
		if err != nil {
			return nil, nil, err
		}
		found = append(found, got...)
	}
	if len(names) > 0 {
		f := valueFilter(Filter{Name: "label", CaseSensitive: ptr(false), Strict: ptr(false)}, names)
		got, err := Collect(s.List(ctx, []Filter{f}))
		if err != nil {
			return nil, nil, err
		}
		found = append(found, got...)
	}
	out := map[string]Scorer{}
	var unknown []string
	for _, m := range wanted {
		if sc, ok := matchScorer(found, m); ok {
			out[m] = sc
		} else {
			unknown = append(unknown, m)
		}
	}
	if len(unknown) == 0 {
		return out, nil, nil
	}
	// A metric name or alias: the label filter does not match those.
	all, err := Collect(s.List(ctx, nil))
	if err != nil {
		all = found // suggestions from what we have
	}
	unknown = slices.DeleteFunc(unknown, func(m string) bool {
		sc, ok := matchScorer(all, m)
		if ok {
			out[m] = sc
		}
		return ok
	})
	if len(unknown) == 0 {
		return out, nil, nil
	}
	return out, newUnknownMetricError(unknown, all), nil
}

// matchScorer applies the client-side matching rules of Resolve: the
// scorer whose label is m, else whose name is m, else the same in any
// case, else the one whose metric name (alias) is m, exactly or in any
// case.
func matchScorer(found []Scorer, m string) (Scorer, bool) {
	if IsID(m) {
		for _, sc := range found {
			if strings.EqualFold(sc.ID, m) {
				return sc, true
			}
		}
		return Scorer{}, false
	}
	fields := []func(*Scorer) *string{
		func(sc *Scorer) *string { return sc.Label },
		func(sc *Scorer) *string { return &sc.Name },
	}
	alias := []func(*Scorer) *string{func(sc *Scorer) *string { return sc.MetricName }}
	for _, group := range [][]func(*Scorer) *string{fields, alias} {
		for _, eq := range []func(a, b string) bool{func(a, b string) bool { return a == b }, strings.EqualFold} {
			for _, field := range group {
				for i := range found {
					if v := field(&found[i]); v != nil && *v != "" && eq(*v, m) {
						return found[i], true
					}
				}
			}
		}
	}
	return Scorer{}, false
}
