package scoring

import (
	"math"
	"testing"
)

func TestBLEU(t *testing.T) {
	tests := []struct {
		name      string
		cand, ref string
		want      float64
	}{
		{"identical", "the cat is on the mat", "the cat is on the mat", 1},
		{"identical short", "hello world", "hello world", 1},
		{"disjoint", "dogs run fast", "the cat is on the mat", 0},
		{"case-sensitive", "THE CAT", "the cat", 0},
		{"empty candidate", "", "the cat", 0},
		{"empty reference", "the cat", "", 0},
		// Papineni et al.: p1 = 2/7 (clipped); p2..p4 smoothed 1/7, 1/6, 1/5; c=7 > r=6 so BP = 1.
		{"textbook clipping", "the the the the the the the", "the cat is on the mat", math.Pow(2.0/7*1.0/7*1.0/6*1.0/5, 0.25)},
		// p1 = 5/6, p2 = (3+1)/(5+1), p3 = (1+1)/(4+1), p4 = (0+1)/(3+1), BP = 1.
		{"one word swapped", "the cat sat on the mat", "the cat is on the mat", math.Pow(5.0/6*4.0/6*2.0/5*1.0/4, 0.25)},
		// every p_n is 1 (2-gram 1/1 → 2/2, 3- and 4-grams 0/0 → 1/1); BP = exp(1 - 6/2).
		{"brevity penalty", "the cat", "the cat is on the mat", math.Exp(-2)},
		// punctuation is a token: "Paris" matches, "." does not exist in the reference.
		{"punctuation token", "Paris.", "Paris", math.Pow(1.0/2*1.0/2*1.0/1*1.0/1, 0.25)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := BLEU(tt.cand, tt.ref); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("BLEU(%q, %q) = %.15f, want %.15f", tt.cand, tt.ref, got, tt.want)
			}
		})
	}
}

func TestBLEU_tokens(t *testing.T) {
	got := bleuTokens("Don't stop, it's 3.5!")
	want := []string{"Don", "'", "t", "stop", ",", "it", "'", "s", "3", ".", "5", "!"}
	if len(got) != len(want) {
		t.Fatalf("bleuTokens = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("bleuTokens = %q, want %q", got, want)
		}
	}
}

func TestROUGE(t *testing.T) {
	tests := []struct {
		name      string
		cand, ref string
		want      float64
	}{
		{"identical", "police killed the gunman", "police killed the gunman", 1},
		// Lin (2004): LCS "police the gunman" = 3 of 4 and 4 tokens.
		{"lin example 1", "police kill the gunman", "police killed the gunman", 0.75},
		// LCS "the gunman" = 2 of 4 and 4.
		{"lin example 2", "the gunman kill police", "police killed the gunman", 0.5},
		{"case and punctuation ignored", "The Cat!", "the cat", 1},
		// LCS 2; P = 2/2, R = 2/6; F = 2*1*(1/3)/(4/3) = 0.5.
		{"short candidate", "the cat", "the cat is on the mat", 0.5},
		{"disjoint", "dogs bark", "cats meow", 0},
		{"empty", "", "cats meow", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ROUGE(tt.cand, tt.ref); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("ROUGE(%q, %q) = %v, want %v", tt.cand, tt.ref, got, tt.want)
			}
		})
	}
}
