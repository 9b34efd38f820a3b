package report

import (
	"bytes"
	"github.com/galileo-community/galileo-go/galileo"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestReadJSON_roundTrip(t *testing.T) {
	r := sampleReport(t)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	want, err := normalized(r) // nil lists read back as empty ones
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(&buf)
	if err != nil {
		t.Fatalf("ReadJSON: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadJSON(WriteJSON(r)) differs from r:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestWriteJSON_normalizes(t *testing.T) {
	paris := time.FixedZone("CEST", 2*3600)
	r := &Report{
		StartedAt:   time.Date(2025, 6, 1, 14, 0, 0, 0, paris),
		Backend:     BackendRemote,
		Experiments: []Experiment{{Name: "a", Status: StatusPassed}},
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`"schema_version": 2`, `"started_at": "2025-06-01T12:00:00Z"`, `"metrics": []`, `"thresholds": []`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "finished_at") {
		t.Errorf("an unset finished_at is written:\n%s", out)
	}
	if r.SchemaVersion != 0 || r.Experiments[0].Metrics != nil {
		t.Errorf("WriteJSON modified the report it was given")
	}
}

func TestWriteJSON_errors(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		r    *Report
		want string
	}{
		{"nil", nil, "report: nil report"},
		{"future version", &Report{SchemaVersion: 3}, "schema_version 3 is not supported; this writer writes 2"},
		{"NaN aggregate", &Report{Experiments: []Experiment{{Name: "bot", Metrics: []Metric{{Name: "bleu", MetricAggregates: galileo.MetricAggregates{P95: &nan}}}}}},
			`experiment "bot" metric "bleu": p95 is NaN, which JSON cannot represent`},
		{"infinite row", &Report{Experiments: []Experiment{{Name: "bot", Metrics: []Metric{{Name: "bleu", RowValues: []float64{1, math.Inf(1)}}}}}},
			`experiment "bot" metric "bleu": row_values[1] is +Inf`},
		{"NaN actual", &Report{Experiments: []Experiment{{Name: "bot", Thresholds: []Threshold{{Metric: "bleu", Expr: "avg >= 1", Actual: &nan}}}}},
			`experiment "bot" threshold "avg >= 1" on bleu: actual is NaN`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteJSON(&buf, tt.r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("WriteJSON error = %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("WriteJSON wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

func TestReadJSON_errors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no version", `{"backend":"remote"}`, "no schema_version; expected 2"},
		{"newer version", `{"schema_version":3}`, "schema_version 3 is not supported; this reader expects 1 to 2"},
		{"not JSON", `<testsuites/>`, "report: read JSON: invalid character"},
		{"wrong type", `{"schema_version":"1"}`, "report: read JSON: json: cannot unmarshal string"},
		{"trailing data", `{"schema_version":1} {}`, "unexpected data after the report object"},
		{"empty", ``, "report: read JSON: EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadJSON(%q) error = %v, want one containing %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestReadJSON_ignoresUnknownFields(t *testing.T) {
	in := `{"schema_version":1,"backend":"remote","added_later":{"x":1},
	"experiments":[{"name":"a","status":"passed","new_field":true,"thresholds":[{"metric":"m","pass":true,"extra":1}]}]}`
	r, err := ReadJSON(strings.NewReader(in))
	if err != nil {
		t.Fatalf("ReadJSON: %v", err)
	}
	if r.Backend != BackendRemote || len(r.Experiments) != 1 || !r.Experiments[0].Thresholds[0].Pass {
		t.Errorf("ReadJSON = %+v", r)
	}
}

func FuzzReadJSON(f *testing.F) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sampleReport(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.String())
	f.Add(`{"schema_version":1}`)
	f.Add(`{"schema_version":1,"experiments":[{"name":"x","metrics":[{"name":"m","avg":1e308}]}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ReadJSON(strings.NewReader(in))
		if err != nil {
			return
		}
		// Whatever reads must write, and read back the same.
		var out bytes.Buffer
		if err := WriteJSON(&out, r); err != nil {
			t.Fatalf("WriteJSON of a report ReadJSON accepted: %v", err)
		}
		first := bytes.Clone(out.Bytes())
		again, err := ReadJSON(&out)
		if err != nil {
			t.Fatalf("ReadJSON of WriteJSON output: %v\n%s", err, first)
		}
		var out2 bytes.Buffer
		if err := WriteJSON(&out2, again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, out2.Bytes()) {
			t.Errorf("JSON changes on a second round trip:\n%s\n---\n%s", first, out2.Bytes())
		}
	})
}
