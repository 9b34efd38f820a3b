package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// WriteJSON writes the report as indented JSON, the stable schema described
// in the package comment. Times are written in UTC, map keys sorted, and
// empty lists as []. A zero SchemaVersion is written as [SchemaVersion];
// any other version than that is an error, as is a NaN or infinite value,
// which JSON cannot represent (the error names the field).
func WriteJSON(w io.Writer, r *Report) error {
	c, err := normalized(r)
	if err != nil {
		return err
	}
	if err := checkFinite(c); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("report: write JSON: %w", err)
	}
	return nil
}

// ReadJSON reads a report written by WriteJSON. Unknown fields are
// ignored, so that a reader of version 1 accepts reports that later
// additions to a version wrote. Version 1 reports are upgraded (each
// threshold's verdict is what its pass says); a missing or newer
// schema_version is an error.
func ReadJSON(rd io.Reader) (*Report, error) {
	var r Report
	dec := json.NewDecoder(rd)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("report: read JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("report: read JSON: unexpected data after the report object")
	}
	switch {
	case r.SchemaVersion == 0:
		return nil, fmt.Errorf("report: read JSON: no schema_version; expected %d", SchemaVersion)
	case r.SchemaVersion < oldestSchemaVersion || r.SchemaVersion > SchemaVersion:
		return nil, fmt.Errorf("report: read JSON: schema_version %d is not supported; this reader expects %d to %d", r.SchemaVersion, oldestSchemaVersion, SchemaVersion)
	}
	upgrade(&r)
	return &r, nil
}

// normalized returns a copy of r ready to be written: schema version set,
// times in UTC, nil lists replaced by empty ones.
func normalized(r *Report) (*Report, error) {
	if r == nil {
		return nil, errors.New("report: nil report")
	}
	c := *r
	if c.SchemaVersion != 0 && (c.SchemaVersion < oldestSchemaVersion || c.SchemaVersion > SchemaVersion) {
		return nil, fmt.Errorf("report: schema_version %d is not supported; this writer writes %d", c.SchemaVersion, SchemaVersion)
	}
	c.SchemaVersion = SchemaVersion
	if !c.StartedAt.IsZero() {
		c.StartedAt = c.StartedAt.UTC()
	}
	if !c.FinishedAt.IsZero() {
		c.FinishedAt = c.FinishedAt.UTC()
	}
	c.Experiments = make([]Experiment, len(r.Experiments))
	for i, e := range r.Experiments {
		if e.Metrics == nil {
			e.Metrics = []Metric{}
		}
		if e.Thresholds == nil {
			e.Thresholds = []Threshold{}
		} else {
			e.Thresholds = slices.Clone(e.Thresholds)
			for j := range e.Thresholds {
				fillVerdict(&e.Thresholds[j])
			}
		}
		c.Experiments[i] = e
	}
	return &c, nil
}

// upgrade brings a report of an older schema version to the current one:
// version 1 had no verdict, pass was all of it.
func upgrade(r *Report) {
	for i := range r.Experiments {
		for j := range r.Experiments[i].Thresholds {
			fillVerdict(&r.Experiments[i].Thresholds[j])
		}
	}
	r.SchemaVersion = SchemaVersion
}

// fillVerdict gives a threshold built without a verdict (by hand, or read
// from version 1) the one its Pass says.
func fillVerdict(t *Threshold) {
	if t.Verdict != "" {
		return
	}
	t.Verdict = VerdictFailed
	if t.Pass {
		t.Verdict = VerdictPassed
	}
}

// checkFinite reports the first NaN or infinite value, by its place.
func checkFinite(r *Report) error {
	bad := func(p *float64) bool { return p != nil && (math.IsNaN(*p) || math.IsInf(*p, 0)) }
	for _, e := range r.Experiments {
		for _, m := range e.Metrics {
			for _, s := range []struct {
				name string
				p    *float64
			}{{"avg", m.Avg}, {"sum", m.Sum}, {"min", m.Min}, {"max", m.Max}, {"p50", m.P50}, {"p90", m.P90}, {"p95", m.P95}, {"p99", m.P99}} {
				if bad(s.p) {
					return fmt.Errorf("report: experiment %q metric %q: %s is %v, which JSON cannot represent", e.Name, m.Name, s.name, *s.p)
				}
			}
			for i := range m.RowValues {
				if bad(&m.RowValues[i]) {
					return fmt.Errorf("report: experiment %q metric %q: row_values[%d] is %v, which JSON cannot represent", e.Name, m.Name, i, m.RowValues[i])
				}
			}
		}
		for _, t := range e.Thresholds {
			if bad(t.Actual) {
				return fmt.Errorf("report: experiment %q threshold %q on %s: actual is %v, which JSON cannot represent", e.Name, t.Expr, t.Metric, *t.Actual)
			}
			if iv := t.Interval; iv != nil && (bad(iv.Low) || bad(iv.High)) {
				return fmt.Errorf("report: experiment %q threshold %q on %s: an interval end is not finite, which JSON cannot represent", e.Name, t.Expr, t.Metric)
			}
			if b := t.Baseline; b != nil && (bad(&b.Value) || bad(&b.Difference)) {
				return fmt.Errorf("report: experiment %q threshold %q on %s: the baseline value is not finite, which JSON cannot represent", e.Name, t.Expr, t.Metric)
			}
			for i := range t.Bounds {
				if bad(&t.Bounds[i].Value) {
					return fmt.Errorf("report: experiment %q threshold %q on %s: bounds[%d] is %v, which JSON cannot represent", e.Name, t.Expr, t.Metric, i, t.Bounds[i].Value)
				}
			}
		}
	}
	return nil
}
