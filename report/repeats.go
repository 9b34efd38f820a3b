package report

import (
	"fmt"
	"strconv"
	"strings"
)

// ConsistencyText describes how the repeats of a metric's rows agreed, in
// one line and then one line per flaky row, e.g.
//
//	correctness: 18 of 20 rows agree in every repeat; flakiest:
//	  "question 3": 1, 0, 1
//
// It is "" when the metric's rows ran once.
func (m *Metric) ConsistencyText() string {
	c := m.Consistency
	if c == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d of %d rows agree in every repeat", m.Name, c.Consistent, c.Rows)
	if len(c.Flakiest) > 0 {
		b.WriteString("; flakiest:")
	}
	unit := m.Unit()
	for _, f := range c.Flakiest {
		vals := make([]string, len(f.Values))
		for i, v := range f.Values {
			vals[i] = FormatValue(v, unit)
		}
		name := "row " + f.Key
		if f.Input != "" {
			name = strconv.Quote(f.Input)
		}
		fmt.Fprintf(&b, "\n  %s: %s", name, strings.Join(vals, ", "))
	}
	return b.String()
}

// consistencyText is every metric's ConsistencyText under a line naming
// the repeats, or "" when the experiment's rows ran once.
func (e *Experiment) consistencyText() string {
	var parts []string
	for i := range e.Metrics {
		if s := e.Metrics[i].ConsistencyText(); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	head := "rows repeated"
	if e.Repeats > 1 {
		head = fmt.Sprintf("%d repeats per row", e.Repeats)
	}
	return head + "\n" + strings.Join(parts, "\n")
}

// markdownConsistency are the blocks that show, per experiment with
// repeated rows, how the repeats agreed.
func markdownConsistency(r *Report) []mdBlock {
	var blocks []mdBlock
	for i := range r.Experiments {
		e := &r.Experiments[i]
		if s := e.consistencyText(); s != "" {
			blocks = append(blocks, mdBlock{title: fmt.Sprintf("\n**%s** repeats:\n\n", escapeMD(e.Name)), text: s})
		}
	}
	return blocks
}
