package scoring

import (
	"math"
	"slices"
	"strings"
)

// toolErrorShare returns the share of tool spans that failed, and false when
// the row has no tool spans.
func toolErrorShare(in Input) (float64, bool) {
	if len(in.Tools) == 0 {
		return 0, false
	}
	n := 0
	for i := range in.Tools {
		if i < len(in.ToolErrors) && in.ToolErrors[i] {
			n++
		}
	}
	return float64(n) / float64(len(in.Tools)), true
}

// expectedTools returns the tool names of metadata "expected_tools"
// (comma-separated), or nil.
func expectedTools(in Input) []string {
	var out []string
	for _, t := range strings.Split(in.Metadata["expected_tools"], ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// toolErrorRate: share of tool spans that failed.
func toolErrorRate(in Input) (float64, bool, error) {
	share, ok := toolErrorShare(in)
	if !ok {
		return notApplicable()
	}
	return value(share)
}

// toolSelectionQuality: Jaccard similarity of the called and the expected
// tool names; without expected tools, the share of tool calls that did not
// fail.
func toolSelectionQuality(in Input) (float64, bool, error) {
	want := expectedTools(in)
	if len(want) == 0 {
		share, ok := toolErrorShare(in)
		if !ok {
			return notApplicable()
		}
		return value(1 - share)
	}
	called := map[string]bool{}
	for _, t := range in.Tools {
		called[t] = true
	}
	union := map[string]bool{}
	inter := 0
	for _, t := range want {
		if !union[t] && called[t] {
			inter++
		}
		union[t] = true
	}
	for t := range called {
		union[t] = true
	}
	return value(float64(inter) / float64(len(union)))
}

// agentEfficiency: distinct names among the tool calls that did not fail,
// divided by the number of tool calls; 1 without tool calls; 0 for a failed
// row.
func agentEfficiency(in Input) (float64, bool, error) {
	if failed(in) {
		return value(0)
	}
	if len(in.Tools) == 0 {
		return value(1)
	}
	distinct := map[string]bool{}
	for i, t := range in.Tools {
		if i >= len(in.ToolErrors) || !in.ToolErrors[i] {
			distinct[t] = true
		}
	}
	return value(float64(len(distinct)) / float64(len(in.Tools)))
}

// agentFlow: with expected tools, the longest common subsequence of the
// called and expected tool sequences divided by the number of expected
// tools; without, the share of tool calls that did not fail (1 without tool
// calls); 0 for a failed row.
func agentFlow(in Input) (float64, bool, error) {
	if failed(in) {
		return value(0)
	}
	if want := expectedTools(in); len(want) > 0 {
		return value(float64(lcsLen(in.Tools, want)) / float64(len(want)))
	}
	share, _ := toolErrorShare(in)
	return value(1 - share)
}

// refusal reports whether the output declines or admits not knowing.
func refusal(s string) bool { return reRefusal.MatchString(lowerText(s)) }

// actionAdvancement: 0 for a failed row or a refusal, else the share of tool
// calls that did not fail (1 without tool calls).
func actionAdvancement(in Input) (float64, bool, error) {
	if failed(in) || refusal(in.Output) {
		return value(0)
	}
	share, _ := toolErrorShare(in)
	return value(1 - share)
}

// actionCompletion: action advancement, multiplied by correctness when there
// is ground truth.
func actionCompletion(in Input) (float64, bool, error) {
	adv, _, _ := actionAdvancement(in)
	if adv == 0 || blank(in.GroundTruth) {
		return value(adv)
	}
	c, _, _ := correctness(in)
	return value(adv * c)
}

// conversationQuality: 0 for a failed row, else the mean of three checks:
// the output is not a refusal, it is not toxic, and its tone is neither anger
// nor annoyance.
func conversationQuality(in Input) (float64, bool, error) {
	if failed(in) {
		return value(0)
	}
	t := toneCategories()[int(tone(in.Output))]
	checks := []bool{
		!refusal(in.Output),
		!reToxic.MatchString(lowerText(in.Output)),
		t != "anger" && t != "annoyance",
	}
	n := 0
	for _, c := range checks {
		if c {
			n++
		}
	}
	return value(float64(n) / float64(len(checks)))
}

// userIntentChange: 1 when the content words of the last user message share
// less than 20% (Jaccard) with those of the first; needs two user messages.
func userIntentChange(in Input) (float64, bool, error) {
	var users []string
	for _, m := range in.Messages {
		if m.Role == "user" && !blank(m.Content) {
			users = append(users, m.Content)
		}
	}
	if len(users) < 2 {
		return notApplicable()
	}
	a, b := contentSet(users[0]), contentSet(users[len(users)-1])
	inter := 0
	for w := range a {
		if _, ok := b[w]; ok {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	return flag(union > 0 && float64(inter)/float64(union) < 0.2)
}

// promptPerplexity: exp of the Shannon entropy (natural log) of the prompt's
// own lowercase word distribution; 1 for a prompt of one repeated word,
// growing with vocabulary variety.
func promptPerplexity(in Input) (float64, bool, error) {
	ws := words(promptText(in))
	if len(ws) == 0 {
		return notApplicable()
	}
	counts := map[string]int{}
	for _, w := range ws {
		counts[w]++
	}
	// Sum in sorted order of counts so the float result does not depend on
	// map iteration order.
	cs := make([]int, 0, len(counts))
	for _, c := range counts {
		cs = append(cs, c)
	}
	slices.Sort(cs)
	h, n := 0.0, float64(len(ws))
	for _, c := range cs {
		p := float64(c) / n
		h -= p * math.Log(p)
	}
	return value(math.Exp(h))
}
