package scoring

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"strconv"
)

// IsJudge reports whether the scorer stands for an LLM or SLM judge (model
// type "llm" or "slm"), the metrics whose real scores vary from call to
// call.
func (s Scorer) IsJudge() bool { return s.ModelType == "llm" || s.ModelType == "slm" }

// Perturb adds judge noise of size noise (0..1) to a judge metric's value
// v, deterministically from key (e.g. seed, trace id and scorer id): the
// same key always gives the same value, different keys independent ones.
// A Numeric value in [0, 1] gets Gaussian noise with standard deviation
// noise, clamped to [0, 1]; a Boolean value flips with probability noise.
// Other scorers, Categorical values, numeric values outside [0, 1] and
// noise ≤ 0 leave v unchanged.
func (s Scorer) Perturb(v, noise float64, key string) float64 {
	if !(noise > 0) || !s.IsJudge() {
		return v
	}
	u1, u2 := uniforms(key)
	switch s.Kind {
	case Boolean:
		if u1 < math.Min(noise, 1) {
			return 1 - v
		}
	case Numeric:
		if v < 0 || v > 1 {
			return v
		}
		// Box–Muller: a standard normal from two uniforms.
		z := math.Sqrt(-2*math.Log(1-u1)) * math.Cos(2*math.Pi*u2)
		return math.Min(1, math.Max(0, v+noise*z))
	}
	return v
}

// NoiseKey is the key Perturb draws from for one scorer on one trace under
// a seed.
func NoiseKey(seed int64, traceID, scorerID string) string {
	return strconv.FormatInt(seed, 10) + "\x00" + traceID + "\x00" + scorerID
}

// uniforms derives two independent uniform numbers in [0, 1) from key.
func uniforms(key string) (float64, float64) {
	h := sha256.Sum256([]byte(key))
	a := binary.LittleEndian.Uint64(h[0:8]) >> 11
	b := binary.LittleEndian.Uint64(h[8:16]) >> 11
	return float64(a) / (1 << 53), float64(b) / (1 << 53)
}
