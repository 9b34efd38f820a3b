package scoring

import (
	"slices"
	"strconv"
	"strings"
)

// value and notApplicable are the two successful results of a Func.
func value(v float64) (float64, bool, error) { return v, true, nil }

func notApplicable() (float64, bool, error) { return 0, false, nil }

// failed reports whether the row has no usable output: it errored, or its
// output has no letter or digit. Quality metrics score such rows 0.
func failed(in Input) bool { return in.Errored || blank(in.Output) }

// correctness: with ground truth, 1 when the output contains the normalized
// ground truth or their token F1 is >= 0.5, else the token F1; without, 0.5
// plus half the share of output content words supported by input, prompt and
// context.
func correctness(in Input) (float64, bool, error) {
	if failed(in) {
		return value(0)
	}
	if !blank(in.GroundTruth) {
		if containsAnswer(in.Output, in.GroundTruth) {
			return value(1)
		}
		f1 := tokenF1(in.Output, in.GroundTruth)
		if f1 >= 0.5 {
			return value(1)
		}
		return value(f1)
	}
	evidence := append([]string{in.Input, promptText(in)}, in.Context...)
	sup, _ := coverage(contentSet(in.Output), wordSet(evidence...))
	return value(0.5 + 0.5*sup)
}

// completenessReference is the text whose content the output should cover.
func completenessReference(in Input) string {
	switch {
	case !blank(in.GroundTruth):
		return in.GroundTruth
	case len(in.Context) > 0:
		return strings.Join(in.Context, "\n")
	}
	return in.Input
}

// completeness: share of the reference's content words found in the output.
func completeness(in Input) (float64, bool, error) {
	ref := completenessReference(in)
	if blank(ref) {
		return notApplicable()
	}
	if failed(in) {
		return value(0)
	}
	cov, _ := coverage(contentSet(ref), wordSet(in.Output))
	return value(cov)
}

// groundTruthAdherence: 1 when the normalized output equals the normalized
// ground truth, else token F1; not applicable without ground truth.
func groundTruthAdherence(in Input) (float64, bool, error) {
	if blank(in.GroundTruth) {
		return notApplicable()
	}
	if failed(in) {
		return value(0)
	}
	a, b := normalizedTokens(in.Output), normalizedTokens(in.GroundTruth)
	if slices.Equal(a, b) {
		return value(1)
	}
	return value(multisetF1(a, b))
}

// contextAdherence: share of output content words found in the context, or
// in the input and prompt when there is no context.
func contextAdherence(in Input) (float64, bool, error) {
	if failed(in) {
		return value(0)
	}
	var src tokenSet
	if len(in.Context) > 0 {
		src = wordSet(in.Context...)
	} else {
		src = wordSet(in.Input, promptText(in))
	}
	cov, _ := coverage(contentSet(in.Output), src)
	return value(cov)
}

// contextRelevance: share of the input's content words found in the context.
func contextRelevance(in Input) (float64, bool, error) {
	if len(in.Context) == 0 {
		return notApplicable()
	}
	cov, ok := coverage(contentSet(in.Input), wordSet(in.Context...))
	if !ok {
		return notApplicable()
	}
	return value(cov)
}

// chunkRelevant returns, per retrieved chunk, whether it contains at least a
// third of the input's content words; ok is false without chunks or without
// input content.
func chunkRelevant(in Input) ([]bool, bool) {
	q := contentSet(in.Input)
	if len(in.Context) == 0 || len(q) == 0 {
		return nil, false
	}
	rel := make([]bool, len(in.Context))
	for i, c := range in.Context {
		cov, _ := coverage(q, wordSet(c))
		rel[i] = cov >= 1.0/3-1e-12
	}
	return rel, true
}

// chunkRelevance: share of retrieved chunks that are relevant.
func chunkRelevance(in Input) (float64, bool, error) {
	rel, ok := chunkRelevant(in)
	if !ok {
		return notApplicable()
	}
	n := 0
	for _, r := range rel {
		if r {
			n++
		}
	}
	return value(float64(n) / float64(len(rel)))
}

// contextPrecision: average precision of the chunk ranking: the mean, over
// the relevant chunks, of the share of relevant chunks among the first k
// where k is that chunk's position; 0 when none is relevant.
func contextPrecision(in Input) (float64, bool, error) {
	rel, ok := chunkRelevant(in)
	if !ok {
		return notApplicable()
	}
	hits, sum := 0, 0.0
	for i, r := range rel {
		if r {
			hits++
			sum += float64(hits) / float64(i+1)
		}
	}
	if hits == 0 {
		return value(0)
	}
	return value(sum / float64(hits))
}

// precisionAtK: share of relevant chunks among the first K, with K from
// metadata "k" (a positive integer, capped at the number of chunks) or all
// chunks.
func precisionAtK(in Input) (float64, bool, error) {
	rel, ok := chunkRelevant(in)
	if !ok {
		return notApplicable()
	}
	k := len(rel)
	if n, err := strconv.Atoi(strings.TrimSpace(in.Metadata["k"])); err == nil && n > 0 && n < k {
		k = n
	}
	hits := 0
	for _, r := range rel[:k] {
		if r {
			hits++
		}
	}
	return value(float64(hits) / float64(k))
}

// chunkAttributionUtilization: mean over chunks of the share of the chunk's
// content words that appear in the output.
func chunkAttributionUtilization(in Input) (float64, bool, error) {
	if len(in.Context) == 0 {
		return notApplicable()
	}
	if failed(in) {
		return value(0)
	}
	out := wordSet(in.Output)
	sum, n := 0.0, 0
	for _, c := range in.Context {
		if cov, ok := coverage(contentSet(c), out); ok {
			sum += cov
			n++
		}
	}
	if n == 0 {
		return notApplicable()
	}
	return value(sum / float64(n))
}

// reasoningCoherence: (1 + the number of sentences after the first that share
// a content word with the previous sentence or the input) / the number of
// sentences.
func reasoningCoherence(in Input) (float64, bool, error) {
	if failed(in) {
		return value(0)
	}
	ss := sentences(in.Output)
	if len(ss) == 0 {
		return value(0)
	}
	input := wordSet(in.Input, promptText(in))
	coherent := 1
	for i := 1; i < len(ss); i++ {
		prev := wordSet(ss[i-1])
		for w := range contentSet(ss[i]) {
			_, inPrev := prev[w]
			_, inInput := input[w]
			if inPrev || inInput {
				coherent++
				break
			}
		}
	}
	return value(float64(coherent) / float64(len(ss)))
}
