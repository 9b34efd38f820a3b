package scoring

import (
	"strconv"
	"strings"

	"github.com/galileo-community/galileo-go/galileo"
	"github.com/google/uuid"
)

// Input is what a scorer sees of one row (one trace of an experiment).
type Input struct {
	Input       string            // the row input as text (JSON text when structured)
	Output      string            // the generated output
	GroundTruth string            // the dataset's expected output ("" when none)
	Context     []string          // retrieved documents (retriever spans' outputs), if any
	Messages    []galileo.Message // prompt messages when the row came from a prompt run (may be nil)
	Metadata    map[string]string // row metadata; "k" and "expected_tools" are read by some metrics
	Model       string            // model of the LLM span(s), "" when none
	DurationNs  int64
	// InputTokens and OutputTokens are the row's token counts.
	InputTokens, OutputTokens int64
	Errored                   bool     // the row failed (function error / status_code >= 400)
	Tools                     []string // names of tool spans, in order
	// ToolErrors marks, parallel to Tools, the tool spans that failed. Nil (or
	// shorter than Tools) means the missing ones did not fail.
	ToolErrors []bool
}

// Kind says how a metric's values aggregate.
type Kind int

// The kinds of metric values.
const (
	Numeric     Kind = iota // any number; most built-ins are in [0, 1]
	Boolean                 // 0 or 1; value_distribution {"0": n, "1": m}
	Categorical             // a category index into Scorer.Categories
)

// String returns "numeric", "boolean" or "categorical".
func (k Kind) String() string {
	switch k {
	case Numeric:
		return "numeric"
	case Boolean:
		return "boolean"
	case Categorical:
		return "categorical"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Func computes a metric for one row. ok=false means "not applicable" (for
// example BLEU without ground truth): the row is recorded as not_applicable
// and left out of the aggregates. An error marks the metric errored for the
// row.
type Func func(in Input) (value float64, ok bool, err error)

// Scorer is one metric in the catalogue.
type Scorer struct {
	ID          string // stable UUID derived from the name, see [ScorerID]
	Name        string // scorer name, e.g. "correctness"
	Label       string // UI label, e.g. "Correctness"
	Alias       string // legacy metric_key_alias; aggregate_metrics key is "average_"+Alias
	ScorerType  string // "preset" for built-ins, "code" for user Go scorers
	ModelType   string // "llm", "slm", "code" or "" (pure formula)
	OutputType  string // OutputTypeEnum value: "percentage", "boolean", "categorical", or "" (null)
	Kind        Kind
	GroundTruth bool // needs ground truth
	// LowerIsBetter is set for metrics where a smaller value is the better
	// outcome (toxicity, PII, tool error rate, …). Ranking inverts them.
	LowerIsBetter bool
	// Categories names the values of a Categorical metric: value i is
	// Categories[i].
	Categories  []string
	Tags        []string
	Description string // one sentence; for judge approximations, the formula
	// JudgeModel and NumJudges are the defaults a real judge metric would
	// use; they are reported in Response().Defaults and do not change scores.
	JudgeModel string
	NumJudges  int
	Score      Func
}

// scorerNamespace returns the fixed namespace of scorer ids.
func scorerNamespace() uuid.UUID {
	return uuid.UUID{0x6b, 0x2f, 0x1c, 0x4e, 0x9a, 0x07, 0x5d, 0x21, 0x8c, 0x33, 0x0e, 0x51, 0x7f, 0xa2, 0x94, 0xd6}
}

// ScorerID returns the id of the scorer of the given type and name: the
// SHA-1 name-based UUID (as in version 5) of a fixed namespace and
// scorerType+"/"+name, stamped with version 4 because the API declares scorer
// ids as format uuid4. The same name always gives the same id.
func ScorerID(scorerType, name string) string {
	u := uuid.NewSHA1(scorerNamespace(), []byte(scorerType+"/"+name))
	u[6] = (u[6] & 0x0f) | 0x40
	return u.String()
}

// outputTypeOf returns the OutputTypeEnum value for a kind.
func outputTypeOf(k Kind) string {
	switch k {
	case Boolean:
		return "boolean"
	case Categorical:
		return "categorical"
	}
	return "percentage"
}

// rollUpOf returns the RollUpMethodDisplayOptions value for a kind.
func rollUpOf(k Kind) string {
	switch k {
	case Boolean:
		return "percentage_true"
	case Categorical:
		return "category_count"
	}
	return "average"
}

// Response returns the scorer as POST /scorers/list returns it
// (ScorerResponse). Judge metrics (model type llm) carry
// defaults{model_name, num_judges}.
func (s Scorer) Response() galileo.Scorer {
	r := galileo.Scorer{
		ID:           s.ID,
		Name:         s.Name,
		Label:        ptr(s.Label),
		ScorerType:   s.ScorerType,
		Tags:         append([]string{}, s.Tags...),
		GroundTruth:  ptr(s.GroundTruth),
		Description:  ptr(s.Description),
		Deprecated:   ptr(false),
		RollUpMethod: ptr(rollUpOf(s.Kind)),
		IsGlobal:     true,
	}
	if s.ModelType != "" {
		r.ModelType = ptr(s.ModelType)
	}
	if s.OutputType != "" {
		r.OutputType = ptr(s.OutputType)
	}
	if s.JudgeModel != "" {
		d := &galileo.ScorerDefaults{ModelName: ptr(s.JudgeModel)}
		if s.NumJudges > 0 {
			d.NumJudges = ptr(s.NumJudges)
		}
		r.Defaults = d
	}
	return r
}

// CategoryLabel returns the label of value v of a Categorical scorer, or the
// value formatted as a number when it names no category.
func (s Scorer) CategoryLabel(v float64) string {
	if i := int(v); float64(i) == v && i >= 0 && i < len(s.Categories) {
		return s.Categories[i]
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Aggregate is [Aggregate] for this scorer's kind; for a Categorical scorer
// the value_distribution is keyed by category label ("neutral": 3).
func (s Scorer) Aggregate(values []float64) galileo.MetricAggregates {
	agg := Aggregate(values, s.Kind)
	if s.Kind == Categorical && len(s.Categories) > 0 && agg.ValueDistribution != nil {
		byLabel := make(map[string]int64, len(agg.ValueDistribution))
		for k, n := range agg.ValueDistribution {
			label := k
			if v, err := strconv.ParseFloat(k, 64); err == nil {
				label = s.CategoryLabel(v)
			}
			byLabel[label] += n
		}
		agg.ValueDistribution = byLabel
	}
	return agg
}

// CodeScorer returns a user scorer backed by a Go function: scorer type and
// model type "code", label and alias equal to name, output type from kind,
// and an id from [ScorerID]("code", name), distinct from any built-in's.
func CodeScorer(name string, kind Kind, fn Func) Scorer {
	return Scorer{
		ID:          ScorerID("code", name),
		Name:        name,
		Label:       name,
		Alias:       name,
		ScorerType:  "code",
		ModelType:   "code",
		OutputType:  outputTypeOf(kind),
		Kind:        kind,
		Tags:        []string{"code"},
		Description: "User code metric " + name + ".",
		Score:       fn,
	}
}

// Lookup finds the scorer that key names. It tries, in order and over the
// whole catalogue each time: the id (case-insensitive, as UUIDs are), the
// label (exact), the name (exact), then the alias (exact).
func Lookup(catalogue []Scorer, key string) (Scorer, bool) {
	if key == "" {
		return Scorer{}, false
	}
	match := []func(Scorer) bool{
		func(s Scorer) bool { return strings.EqualFold(s.ID, key) },
		func(s Scorer) bool { return s.Label == key },
		func(s Scorer) bool { return s.Name == key },
		func(s Scorer) bool { return s.Alias == key },
	}
	for _, m := range match {
		for _, s := range catalogue {
			if m(s) {
				return s, true
			}
		}
	}
	return Scorer{}, false
}

// HigherIsBetter returns the ranking direction of every scorer of the
// catalogue, keyed by scorer id, for [RankInput].HigherIsBetter.
func HigherIsBetter(catalogue []Scorer) map[string]bool {
	m := make(map[string]bool, len(catalogue))
	for _, s := range catalogue {
		m[s.ID] = !s.LowerIsBetter
	}
	return m
}
