// Package textdist measures how far apart two words are, for "did you
// mean" hints: the fixture loader, the client's unknown-metric error and
// the report's unknown-metric verdict all use it.
//
// Quick start:
//
//	if s := textdist.Closest("corectness", []string{"correctness", "bleu"}); s != "" {
//		fmt.Printf("did you mean %q?\n", s) // did you mean "correctness"?
//	}
package textdist

import "strings"

// Distance is the optimal-string-alignment distance between a and b, by
// runes: insertions, deletions, substitutions and swaps of adjacent runes
// each cost one. Words over 64 runes are not compared: the distance is
// then the longer length.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return max(len(ra), len(rb))
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// Close reports whether a word at distance d from known is a likely typo
// of it: at most max(1, min(3, len(known)/3)) edits away.
func Close(d int, known string) bool {
	return d <= max(1, min(3, len([]rune(known))/3))
}

// Closest returns the word of known closest to word, compared without
// case, or "" when none is Close enough. Ties go to the first.
func Closest(word string, known []string) string {
	best, bestD := "", 0
	lw := strings.ToLower(word)
	for _, k := range known {
		if k == "" {
			continue
		}
		d := Distance(lw, strings.ToLower(k))
		if Close(d, k) && (best == "" || d < bestD) {
			best, bestD = k, d
		}
	}
	return best
}
