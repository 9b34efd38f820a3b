package scoring

import (
	"fmt"
	"math"
	"testing"
)

func TestScorer_Perturb(t *testing.T) {
	cat := Builtins()
	corr, _ := Lookup(cat, "correctness")
	bleu, _ := Lookup(cat, "bleu")
	if got := corr.Perturb(0.7, 0, "k"); got != 0.7 {
		t.Errorf("no noise changed the value: %v", got)
	}
	if got := bleu.Perturb(0.7, 0.5, "k"); got != 0.7 {
		t.Errorf("a formula metric got noise: %v", got)
	}
	if corr.Perturb(0.5, 0.1, "a") != corr.Perturb(0.5, 0.1, "a") {
		t.Error("the same key gave different values")
	}
	// Over many keys the noise has mean about 0 and sd about the noise.
	const n = 4000
	var sum, ss float64
	for i := range n {
		d := corr.Perturb(0.5, 0.1, fmt.Sprint(i)) - 0.5
		sum += d
		ss += d * d
	}
	mean, sd := sum/n, math.Sqrt(ss/n)
	if math.Abs(mean) > 0.01 || math.Abs(sd-0.1) > 0.01 {
		t.Errorf("noise mean %.4f sd %.4f, want about 0 and 0.1", mean, sd)
	}
	for i := range 100 {
		if v := corr.Perturb(1, 0.3, fmt.Sprint(i)); v < 0 || v > 1 {
			t.Fatalf("value %v outside [0, 1]", v)
		}
	}
}

func TestScorer_PerturbBoolean(t *testing.T) {
	var judge Scorer
	for _, s := range Builtins() {
		if s.Kind == Boolean && s.IsJudge() {
			judge = s
			break
		}
	}
	if judge.Name == "" {
		t.Skip("no boolean judge metric in the catalogue")
	}
	flips := 0
	for i := range 2000 {
		if judge.Perturb(1, 0.1, fmt.Sprint(i)) == 0 {
			flips++
		}
	}
	if flips < 150 || flips > 250 {
		t.Errorf("%d of 2000 flipped, want about 200", flips)
	}
}
