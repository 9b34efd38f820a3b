package stats

import (
	"encoding/binary"
	"math"
	"testing"
)

// floats decodes b as float64 values (8 bytes each), so the fuzzer can
// produce NaN, infinities and extreme magnitudes.
func floats(b []byte) []float64 {
	var out []float64
	for len(b) >= 8 {
		out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		b = b[8:]
	}
	return out
}

func bytesOf(xs ...float64) []byte {
	var b []byte
	for _, x := range xs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

// checkInterval fails when an interval returned without an error is not
// ordered or has a NaN end.
func checkInterval(t *testing.T, what string, iv Interval, err error) {
	t.Helper()
	if err != nil {
		return
	}
	if math.IsNaN(iv.Low) || math.IsNaN(iv.High) || iv.Low > iv.High || math.IsNaN(iv.Estimate) {
		t.Fatalf("%s: bad interval %+v", what, iv)
	}
}

func FuzzIntervals(f *testing.F) {
	f.Add(bytesOf(1, 0, 1, 1), 0.95, 0.5, 3.0, 4.0)
	f.Add(bytesOf(), 0.95, 0.95, 0.0, 0.0)
	f.Add(bytesOf(math.NaN(), math.Inf(1)), 0.5, 0.99, math.NaN(), math.Inf(1))
	f.Add(bytesOf(1e308, -1e308, 1e308), 0.999999, 1e-9, -1.0, 1e300)
	f.Fuzz(func(t *testing.T, raw []byte, level, q, k, n float64) {
		xs := floats(raw)
		iv, err := MeanInterval(xs, nil, level)
		checkInterval(t, "MeanInterval", iv, err)
		rows := make([]string, len(xs))
		for i := range rows {
			rows[i] = string(rune('a' + i%3))
		}
		iv, err = MeanInterval(xs, rows, level)
		checkInterval(t, "MeanInterval clustered", iv, err)
		iv, err = QuantileInterval(xs, q, level)
		checkInterval(t, "QuantileInterval", iv, err)
		iv, err = Wilson(k, n, level)
		checkInterval(t, "Wilson", iv, err)
		if err == nil && (iv.Low < 0 || iv.High > 1) {
			t.Fatalf("Wilson outside [0, 1]: %+v", iv)
		}
		half := len(xs) / 2
		iv, err = PairedInterval(xs[:half], xs[half:2*half], level)
		checkInterval(t, "PairedInterval", iv, err)
		_ = RowsToDecide(iv, k)
		_ = TQuantile(level, n)
	})
}
