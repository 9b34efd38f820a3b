package galileo

import "slices"

// MetricValue finds a scorer metric's status and value in a trace record:
// in its metric_info under any of names (a scorer's id, name, metric name,
// or the metric_key_alias of its experiment column), also matching an
// entry's own metric_key_alias. The status is the entry's status_type
// ("success", "not_applicable", "error", "failed", ...), or "pending"
// when the record has no entry for the metric yet. A success without a
// value in metric_info takes the record's metrics value under the same
// name. System metrics (cost, duration_ns, token counts) are in
// Record.Metrics, not here.
func (rec *Record) MetricValue(names []string) (status string, value any) {
	for name, info := range rec.MetricInfo {
		alias := ""
		if info.MetricKeyAlias != nil {
			alias = *info.MetricKeyAlias
		}
		if slices.Contains(names, name) || (alias != "" && slices.Contains(names, alias)) {
			value = info.Value
			if value == nil {
				value = rec.Metrics[name]
			}
			return info.StatusType, value
		}
	}
	return "pending", nil
}
