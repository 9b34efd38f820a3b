package textdist

import "testing"

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"abc", "abd", 1}, {"abc", "acb", 1}, {"corectness", "correctness", 1},
		{"", "abc", 3}, {"kitten", "sitting", 3}, {"héllo", "hello", 1}, {"blue", "bleu", 1},
	} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	known := []string{"correctness", "completeness", "bleu"}
	for _, tt := range []struct{ word, want string }{
		{"corectness", "correctness"}, {"CORRECTNESS", "correctness"}, {"blue", "bleu"},
		{"toxicity", ""}, {"", ""},
	} {
		if got := Closest(tt.word, known); got != tt.want {
			t.Errorf("Closest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
