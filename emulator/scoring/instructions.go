package scoring

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// instruction is one checkable instruction found in a prompt.
type instruction struct {
	what string
	ok   func(output string) bool
}

const (
	limitPrefix   = `\b(?:at most|no more than|fewer than|less than|under|up to|maximum of|within|in|using|with)\s+`
	phrasePattern = `(?:"([^"]{1,40})"|'([^']{1,40})'|([a-z0-9][a-z0-9_-]*))`
	numberPattern = `(\d+|one|two|three|four|five|six|seven|eight|nine|ten|a single)`
)

// The instruction detectors. Compiled regular expressions are safe for
// concurrent use and never modified.
var (
	reMaxWords     = regexp.MustCompile(limitPrefix + numberPattern + `\s+words?\b`)
	reMaxSentences = regexp.MustCompile(limitPrefix + numberPattern + `\s+sentences?\b`)
	reJSON         = regexp.MustCompile(`\b(?:in|as|with|return|output|respond with|reply with|valid)\s+(?:a\s+)?(?:valid\s+)?json\b|\bjson\s+(?:format|object|only|array)\b`)
	reLowercase    = regexp.MustCompile(`\blower\s*-?case\b`)
	reUppercase    = regexp.MustCompile(`\b(?:all caps|all capital letters|in capital letters|upper\s*-?case)\b`)
	reList         = regexp.MustCompile(`\bbullet(?:ed)?\s*(?:points?|list)\b|\bnumbered list\b|\bas a list\b`)
	reYesNo        = regexp.MustCompile(`\byes or no\b`)
	reForbid       = regexp.MustCompile(`\b(?:do not|don't|never|avoid)\s+(?:mention(?:ing)?|say(?:ing)?|us(?:e|ing)|includ(?:e|ing)|writ(?:e|ing))\s+(?:the\s+(?:word|phrase|term|name)\s+)?` + phrasePattern)
	reRequire      = regexp.MustCompile(`\b(?:include|mention|use)\s+the\s+(?:word|phrase|term)\s+` + phrasePattern)
	reStartWith    = regexp.MustCompile(`\b(?:start|begin)\s+(?:your\s+(?:answer|response|reply)\s+)?with\s+(?:"([^"]{1,40})"|'([^']{1,40})')`)
	reListItem     = regexp.MustCompile(`(?m)^\s*(?:[-*•]|\d+[.)])\s+\S`)
)

// parseNumber reads a digit string or a number word from one to ten ("a
// single" is 1).
func parseNumber(s string) int {
	switch s {
	case "a single", "one":
		return 1
	case "two":
		return 2
	case "three":
		return 3
	case "four":
		return 4
	case "five":
		return 5
	case "six":
		return 6
	case "seven":
		return 7
	case "eight":
		return 8
	case "nine":
		return 9
	case "ten":
		return 10
	}
	n, _ := strconv.Atoi(s)
	return n
}

// firstGroup returns the first non-empty submatch after the whole match.
func firstGroup(m []string) string {
	for _, g := range m[1:] {
		if g != "" {
			return strings.TrimSpace(g)
		}
	}
	return ""
}

// lowerFold lowercases s and turns typographic quotes into ASCII ones.
func lowerFold(s string) string {
	return strings.NewReplacer("\u2018", "'", "\u2019", "'", "\u201c", `"`, "\u201d", `"`).Replace(strings.ToLower(s))
}

// stripFences removes a surrounding Markdown code fence (```json … ```).
func stripFences(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "```") {
		return t
	}
	t = strings.TrimPrefix(t, "```")
	if i := strings.IndexByte(t, '\n'); i >= 0 {
		t = t[i+1:]
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(t), "```"))
}

// vagueWords are bare words after "do not use" that name no checkable phrase.
func vagueWord(w string) bool {
	switch w {
	case "a", "an", "the", "any", "your", "my", "more", "other", "it", "this", "that":
		return true
	}
	return false
}

// findInstructions returns the checkable instructions of a prompt text.
func findInstructions(prompt string) []instruction {
	text := lowerFold(prompt)
	var out []instruction
	for _, m := range reMaxWords.FindAllStringSubmatch(text, -1) {
		n := parseNumber(m[1])
		if n <= 0 {
			continue
		}
		out = append(out, instruction{m[0], func(o string) bool { return len(words(o)) <= n }})
	}
	for _, m := range reMaxSentences.FindAllStringSubmatch(text, -1) {
		n := parseNumber(m[1])
		if n <= 0 {
			continue
		}
		out = append(out, instruction{m[0], func(o string) bool { return len(sentences(o)) <= n }})
	}
	if m := reJSON.FindString(text); m != "" {
		out = append(out, instruction{m, func(o string) bool { return json.Valid([]byte(stripFences(o))) }})
	}
	if m := reLowercase.FindString(text); m != "" {
		out = append(out, instruction{m, func(o string) bool { return o == strings.ToLower(o) }})
	}
	if m := reUppercase.FindString(text); m != "" {
		out = append(out, instruction{m, func(o string) bool { return o == strings.ToUpper(o) }})
	}
	if m := reList.FindString(text); m != "" {
		out = append(out, instruction{m, func(o string) bool { return len(reListItem.FindAllString(o, -1)) >= 2 }})
	}
	if m := reYesNo.FindString(text); m != "" {
		out = append(out, instruction{m, func(o string) bool {
			ws := words(o)
			return len(ws) > 0 && (ws[0] == "yes" || ws[0] == "no")
		}})
	}
	for _, m := range reForbid.FindAllStringSubmatch(text, -1) {
		phrase := firstGroup(m)
		if phrase == "" || vagueWord(phrase) {
			continue
		}
		out = append(out, instruction{m[0], func(o string) bool { return !strings.Contains(lowerFold(o), phrase) }})
	}
	for _, loc := range reRequire.FindAllStringSubmatchIndex(text, -1) {
		before := text[max(0, loc[0]-8):loc[0]]
		if strings.Contains(before, "not ") || strings.Contains(before, "n't ") || strings.Contains(before, "never ") || strings.Contains(before, "avoid ") {
			continue
		}
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = text[loc[2*i]:loc[2*i+1]]
			}
		}
		phrase := firstGroup(m)
		if phrase == "" {
			continue
		}
		out = append(out, instruction{m[0], func(o string) bool { return strings.Contains(lowerFold(o), phrase) }})
	}
	for _, m := range reStartWith.FindAllStringSubmatch(text, -1) {
		phrase := firstGroup(m)
		out = append(out, instruction{m[0], func(o string) bool {
			return strings.HasPrefix(strings.TrimSpace(lowerFold(o)), phrase)
		}})
	}
	return out
}

// instructionText is the prompt text instructions are read from: system and
// user messages, or the row input when there are no messages.
func instructionText(in Input) string {
	if len(in.Messages) == 0 {
		return in.Input
	}
	var parts []string
	for _, m := range in.Messages {
		if m.Role == "system" || m.Role == "user" || m.Role == "developer" {
			parts = append(parts, m.Content)
		}
	}
	return strings.Join(parts, "\n")
}

// instructionAdherence: share of detected instructions the output satisfies;
// 1 when the prompt has none.
func instructionAdherence(in Input) (float64, bool, error) {
	if failed(in) {
		return value(0)
	}
	ins := findInstructions(instructionText(in))
	if len(ins) == 0 {
		return value(1)
	}
	n := 0
	for _, i := range ins {
		if i.ok(in.Output) {
			n++
		}
	}
	return value(float64(n) / float64(len(ins)))
}
