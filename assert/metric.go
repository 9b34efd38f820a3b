package assert

import "strings"

// System metric names as they appear as keys of an experiment's structured
// aggregate metrics. They are computed by the server without a scorer.
const (
	MetricCost         = "cost"              // cost of a row in US dollars
	MetricDuration     = "duration_ns"       // latency of a row in nanoseconds
	MetricInputTokens  = "num_input_tokens"  // input tokens of a row
	MetricOutputTokens = "num_output_tokens" // output tokens of a row
	MetricTotalTokens  = "num_total_tokens"  // input plus output tokens of a row
)

// aliasLatency is the friendly name of MetricDuration.
const aliasLatency = "latency"

// CanonicalMetric returns the aggregate key the server uses for a metric
// name. Surrounding white space is removed. System metric names are matched
// without regard to case and returned in lower case, and "latency" is an
// alias of "duration_ns". Any other name (a scorer name, label or UUID) is
// returned unchanged apart from the trimmed white space, because scorer
// labels such as "Context Adherence" are case-sensitive.
func CanonicalMetric(name string) string {
	n := strings.TrimSpace(name)
	switch l := strings.ToLower(n); l {
	case aliasLatency, MetricDuration:
		return MetricDuration
	case MetricCost, MetricInputTokens, MetricOutputTokens, MetricTotalTokens:
		return l
	}
	return n
}

// IsSystemMetric reports whether name denotes one of the server's system
// metrics: cost, duration_ns (alias latency), num_input_tokens,
// num_output_tokens or num_total_tokens. The check uses CanonicalMetric.
func IsSystemMetric(name string) bool {
	return metricClassOf(name) != classScore
}

// metricClass groups metrics by the kind of value they carry, which decides
// the units a threshold may use and how values are displayed.
type metricClass int

const (
	classScore    metricClass = iota // scorer output: a plain number, usually 0..1
	classDuration                    // nanoseconds
	classCost                        // US dollars
	classTokens                      // token counts
)

func metricClassOf(name string) metricClass {
	switch CanonicalMetric(name) {
	case MetricDuration:
		return classDuration
	case MetricCost:
		return classCost
	case MetricInputTokens, MetricOutputTokens, MetricTotalTokens:
		return classTokens
	}
	return classScore
}
