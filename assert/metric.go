package assert

import "github.com/galileo-community/galileo-go/galileo"

// System metric names as they appear as keys of an experiment's structured
// aggregate metrics. They are computed by the server without a scorer;
// package galileo is their home.
const (
	MetricCost         = galileo.MetricCost         // cost of a row in US dollars
	MetricDuration     = galileo.MetricDuration     // latency of a row in nanoseconds
	MetricInputTokens  = galileo.MetricInputTokens  // input tokens of a row
	MetricOutputTokens = galileo.MetricOutputTokens // output tokens of a row
	MetricTotalTokens  = galileo.MetricTotalTokens  // input plus output tokens of a row
)

// CanonicalMetric returns the aggregate key the server uses for a metric
// name. Surrounding white space is removed. System metric names are matched
// without regard to case and returned in lower case, and "latency" is an
// alias of "duration_ns". Any other name (a scorer name, label or UUID) is
// returned unchanged apart from the trimmed white space, because scorer
// labels such as "Context Adherence" are case-sensitive.
func CanonicalMetric(name string) string {
	return galileo.CanonicalMetric(name)
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
