package scoring

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/galileo-community/galileo-go/galileo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAggregate_Numeric(t *testing.T) {
	// 1..20 shuffled: nearest rank p50 = ceil(10)=10th, p90 = 18th, p95 = 19th, p99 = ceil(19.8) = 20th.
	values := []float64{7, 3, 20, 1, 14, 9, 12, 5, 18, 2, 16, 11, 4, 19, 6, 13, 8, 17, 10, 15}
	orig := append([]float64(nil), values...)
	got := Aggregate(values, Numeric)
	want := galileo.MetricAggregates{
		Count: ptr(int64(20)), Sum: ptr(210.0), Avg: ptr(10.5), Min: ptr(1.0), Max: ptr(20.0),
		P50: ptr(10.0), P90: ptr(18.0), P95: ptr(19.0), P99: ptr(20.0),
	}
	assert.Equal(t, want, got)
	assert.Equal(t, orig, values, "Aggregate must not reorder its input")
}

func TestAggregate_Percentiles(t *testing.T) {
	tests := []struct {
		name               string
		values             []float64
		p50, p90, p95, p99 float64
	}{
		{"single", []float64{0.3}, 0.3, 0.3, 0.3, 0.3},
		// n=4: ranks ceil(2)=2, ceil(3.6)=4, ceil(3.8)=4, ceil(3.96)=4.
		{"four", []float64{0.4, 0.1, 0.3, 0.2}, 0.2, 0.4, 0.4, 0.4},
		// n=10: ranks 5, 9, 10, 10.
		{"ten", []float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 50, 90, 100, 100},
		// n=100 of 1..100: ranks 50, 90, 95, 99.
		{"hundred", seq(1, 100), 50, 90, 95, 99},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Aggregate(tt.values, Numeric)
			assert.Equal(t, []float64{tt.p50, tt.p90, tt.p95, tt.p99}, []float64{*got.P50, *got.P90, *got.P95, *got.P99})
		})
	}
}

func TestAggregate_Boolean(t *testing.T) {
	got := Aggregate([]float64{1, 0, 1, 1, 0.7, 0, 1, 1, 1, 1}, Boolean)
	require.NotNil(t, got.Avg)
	assert.Equal(t, map[string]int64{"0": 2, "1": 8}, got.ValueDistribution)
	assert.InDelta(t, 0.8, *got.Avg, 1e-12)
	assert.Equal(t, 8.0, *got.Sum)
	assert.Equal(t, int64(10), *got.Count)
	assert.Equal(t, 0.0, *got.Min)
	assert.Equal(t, 1.0, *got.Max)

	allOnes := Aggregate([]float64{1, 1}, Boolean)
	assert.Equal(t, map[string]int64{"0": 0, "1": 2}, allOnes.ValueDistribution, "both keys are always present")
}

func TestAggregate_Categorical(t *testing.T) {
	got := Aggregate([]float64{0, 2, 2, 1, 0, 2}, Categorical)
	assert.Equal(t, int64(6), *got.Count)
	assert.Equal(t, map[string]int64{"0": 2, "1": 1, "2": 3}, got.ValueDistribution)
	assert.Nil(t, got.Avg)
	assert.Nil(t, got.Sum)
	assert.Nil(t, got.P50)
}

func TestAggregate_Empty(t *testing.T) {
	for _, kind := range []Kind{Numeric, Boolean, Categorical} {
		got := Aggregate(nil, kind)
		assert.Equal(t, galileo.MetricAggregates{Count: ptr(int64(0))}, got, kind.String())
	}
}

func TestAggregate_SkipsNonFinite(t *testing.T) {
	got := Aggregate([]float64{math.NaN(), 1, math.Inf(1), 3, math.Inf(-1)}, Numeric)
	assert.Equal(t, int64(2), *got.Count)
	assert.Equal(t, 2.0, *got.Avg)
}

func TestAggregate_CompensatedSum(t *testing.T) {
	values := make([]float64, 0, 10001)
	values = append(values, 1e16)
	for range 10000 {
		values = append(values, 1)
	}
	got := Aggregate(values, Numeric)
	assert.Equal(t, 1e16+10000, *got.Sum)
}

func TestScorer_AggregateCategoryLabels(t *testing.T) {
	s, ok := Lookup(Builtins(), "Output Tone")
	require.True(t, ok)
	got := s.Aggregate([]float64{0, 1, 1, 6})
	assert.Equal(t, map[string]int64{"neutral": 1, "joy": 2, "anger": 1}, got.ValueDistribution)
	assert.Equal(t, int64(4), *got.Count)
	assert.Equal(t, "confusion", s.CategoryLabel(8))
	assert.Equal(t, "9", s.CategoryLabel(9))
}

func seq(from, to int) []float64 {
	var out []float64
	for i := from; i <= to; i++ {
		out = append(out, float64(i))
	}
	return out
}

// BenchmarkAggregate100k aggregates 100,000 scored rows (target: well under
// 250 ms per operation).
func BenchmarkAggregate100k(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	values := make([]float64, 100_000)
	for i := range values {
		values[i] = r.Float64()
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Aggregate(values, Numeric)
	}
}
