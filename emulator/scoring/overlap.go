package scoring

import (
	"math"
	"strings"
	"unicode"
)

// bleuTokens splits s for BLEU: runs of letters and digits are tokens, every
// other non-space rune (punctuation, symbols) is a token of its own, and
// white space separates. Case is kept.
func bleuTokens(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
		if !unicode.IsSpace(r) {
			out = append(out, string(r))
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// ngramCounts counts the n-grams of toks.
func ngramCounts(toks []string, n int) map[string]int {
	m := map[string]int{}
	for i := 0; i+n <= len(toks); i++ {
		m[strings.Join(toks[i:i+n], "\x00")]++
	}
	return m
}

// BLEU returns the sentence-level BLEU-4 score of candidate against a single
// reference, in [0, 1].
//
// Tokens: runs of letters and digits, and every punctuation or symbol rune on
// its own; comparison is case-sensitive. For n = 1..4, p_n is the clipped
// n-gram precision (each candidate n-gram counts at most as often as it occurs
// in the reference). Smoothing is add-one for n >= 2 (Lin and Och, 2004):
// p_n = (matches_n + 1) / (candidate_n + 1); p_1 is not smoothed, so a
// candidate sharing no token with the reference scores exactly 0. The score is
// BP * (p_1 p_2 p_3 p_4)^(1/4) with brevity penalty BP = 1 when the candidate
// is longer than the reference, else exp(1 - r/c) for lengths c and r.
// An empty candidate or reference scores 0.
func BLEU(candidate, reference string) float64 {
	c, r := bleuTokens(candidate), bleuTokens(reference)
	if len(c) == 0 || len(r) == 0 {
		return 0
	}
	logSum := 0.0
	for n := 1; n <= 4; n++ {
		cand, ref := ngramCounts(c, n), ngramCounts(r, n)
		matches, total := 0, 0
		for g, k := range cand {
			total += k
			matches += min(k, ref[g])
		}
		if n == 1 {
			if matches == 0 {
				return 0
			}
			logSum += math.Log(float64(matches) / float64(total))
			continue
		}
		logSum += math.Log(float64(matches+1) / float64(total+1))
	}
	bp := 1.0
	if len(c) <= len(r) {
		bp = math.Exp(1 - float64(len(r))/float64(len(c)))
	}
	return clamp01(bp * math.Exp(logSum/4))
}

// ROUGE returns ROUGE-L F1 of candidate against reference, in [0, 1]: with
// tokens the lowercase runs of letters and digits (punctuation dropped) and L
// the length of their longest common subsequence, precision P = L/len(candidate),
// recall R = L/len(reference) and the score 2PR/(P+R) (beta = 1). It is 0
// when either side has no token or nothing is in common.
func ROUGE(candidate, reference string) float64 {
	c, r := words(candidate), words(reference)
	l := lcsLen(c, r)
	if l == 0 {
		return 0
	}
	p := float64(l) / float64(len(c))
	rec := float64(l) / float64(len(r))
	return 2 * p * rec / (p + rec)
}
