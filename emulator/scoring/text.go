package scoring

import (
	"strings"
	"unicode"
)

// words splits s into maximal runs of Unicode letters and digits, lowercased.
// Everything else (spaces, punctuation, symbols) separates words.
func words(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, strings.ToLower(s[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, strings.ToLower(s[start:]))
	}
	return out
}

// isStopword reports whether w (lowercase) is one of the function words that
// carry no content for overlap metrics.
func isStopword(w string) bool {
	switch w {
	case "a", "an", "the", "and", "or", "but", "if", "then", "else", "of", "to", "in", "on", "at", "by",
		"for", "with", "from", "as", "into", "about", "over", "under", "up", "out", "off",
		"is", "are", "was", "were", "be", "been", "being", "am",
		"it", "its", "this", "that", "these", "those", "there", "here",
		"i", "me", "my", "mine", "you", "your", "yours", "he", "him", "his", "she", "her", "hers",
		"we", "us", "our", "ours", "they", "them", "their", "theirs",
		"do", "does", "did", "done", "have", "has", "had", "having",
		"will", "would", "can", "could", "should", "shall", "may", "must",
		"so", "than", "too", "very", "just", "also", "such", "s", "t", "d", "ll", "re", "ve", "m",
		"what", "which", "who", "whom", "whose", "when", "where", "why", "how",
		"all", "any", "some", "each", "both", "please":
		return true
	}
	return false
}

// stem applies a light, deterministic suffix stripping so that "opened"
// matches "open" and "towers" matches "tower". It is not a linguistic stemmer;
// both sides of every comparison go through it, which is what matters.
func stem(w string) string {
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case n > 5 && strings.HasSuffix(w, "ing"):
		return w[:n-3]
	case n > 4 && strings.HasSuffix(w, "ed"):
		return w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return w[:n-1]
	}
	return w
}

// tokenSet is a set of stemmed tokens.
type tokenSet map[string]struct{}

// wordSet returns the stemmed words of all the texts, stopwords included.
func wordSet(texts ...string) tokenSet {
	set := tokenSet{}
	for _, t := range texts {
		for _, w := range words(t) {
			set[stem(w)] = struct{}{}
		}
	}
	return set
}

// contentSet returns the distinct stemmed content words of s: its words minus
// stopwords, or all of its words when every word is a stopword.
func contentSet(s string) tokenSet {
	ws := words(s)
	set := tokenSet{}
	for _, w := range ws {
		if !isStopword(w) {
			set[stem(w)] = struct{}{}
		}
	}
	if len(set) == 0 {
		for _, w := range ws {
			set[stem(w)] = struct{}{}
		}
	}
	return set
}

// coverage returns the share of the tokens of want that are in have, and
// false when want is empty.
func coverage(want, have tokenSet) (float64, bool) {
	if len(want) == 0 {
		return 0, false
	}
	n := 0
	for w := range want {
		if _, ok := have[w]; ok {
			n++
		}
	}
	return float64(n) / float64(len(want)), true
}

// normalizedTokens lowercases s, drops punctuation and the articles a, an
// and the (the usual answer normalization of extractive question answering).
func normalizedTokens(s string) []string {
	ws := words(s)
	out := ws[:0]
	for _, w := range ws {
		if w != "a" && w != "an" && w != "the" {
			out = append(out, w)
		}
	}
	return out
}

// tokenF1 is the harmonic mean of precision and recall of the multiset of
// normalized tokens of pred against ref. Two empty texts give 1; one empty
// text gives 0.
func tokenF1(pred, ref string) float64 {
	return multisetF1(normalizedTokens(pred), normalizedTokens(ref))
}

// multisetF1 is the F1 of the multiset overlap of two token lists.
func multisetF1(p, r []string) float64 {
	if len(p) == 0 && len(r) == 0 {
		return 1
	}
	if len(p) == 0 || len(r) == 0 {
		return 0
	}
	counts := make(map[string]int, len(r))
	for _, t := range r {
		counts[t]++
	}
	common := 0
	for _, t := range p {
		if counts[t] > 0 {
			counts[t]--
			common++
		}
	}
	if common == 0 {
		return 0
	}
	prec := float64(common) / float64(len(p))
	rec := float64(common) / float64(len(r))
	return 2 * prec * rec / (prec + rec)
}

// containsAnswer reports whether the normalized tokens of answer occur as a
// contiguous run in the normalized tokens of text. An answer without tokens
// is never contained.
func containsAnswer(text, answer string) bool {
	a := normalizedTokens(answer)
	if len(a) == 0 {
		return false
	}
	t := normalizedTokens(text)
	return strings.Contains(" "+strings.Join(t, " ")+" ", " "+strings.Join(a, " ")+" ")
}

// sentences splits s at '.', '!', '?' and line breaks and returns the pieces
// that contain at least one letter or digit.
func sentences(s string) []string {
	var out []string
	cur := strings.Builder{}
	flush := func() {
		piece := strings.TrimSpace(cur.String())
		cur.Reset()
		if len(words(piece)) > 0 {
			out = append(out, piece)
		}
	}
	for _, r := range s {
		switch r {
		case '.', '!', '?', '\n':
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

// lcsLen returns the length of the longest common subsequence of a and b.
func lcsLen(a, b []string) int {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// promptText is the text a prompt-side metric reads: the contents of the
// prompt messages when there are any, otherwise the row input.
func promptText(in Input) string {
	if len(in.Messages) == 0 {
		return in.Input
	}
	parts := make([]string, 0, len(in.Messages))
	for _, m := range in.Messages {
		parts = append(parts, m.Content)
	}
	return strings.Join(parts, "\n")
}

// userText is the text a user-input metric reads: the row input plus the
// contents of the user messages.
func userText(in Input) string {
	parts := []string{in.Input}
	for _, m := range in.Messages {
		if m.Role == "user" {
			parts = append(parts, m.Content)
		}
	}
	return strings.Join(parts, "\n")
}

// clamp01 limits v to [0, 1].
func clamp01(v float64) float64 {
	switch {
	case v < 0:
		return 0
	case v > 1:
		return 1
	}
	return v
}

// blank reports whether s has no letters or digits.
func blank(s string) bool { return len(words(s)) == 0 }
