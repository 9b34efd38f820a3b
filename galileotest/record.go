package galileotest

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

// LLMCall describes one model call made by a function under test, for
// RecordLLM.
type LLMCall struct {
	// Name is the span's name; "llm" when empty.
	Name string
	// Model is the model alias, e.g. "gpt-4o-mini". It prices the call for
	// the cost metric.
	Model string
	// Input is what was sent: a string (one user message), a
	// galileo.Message or a []galileo.Message.
	Input any
	// Output is the model's answer.
	Output string
	// InputTokens and OutputTokens are the call's token counts.
	InputTokens, OutputTokens int
	// Duration is how long the call took; it ended when RecordLLM is called.
	Duration time.Duration
	// Temperature is the sampling temperature used.
	Temperature float64
}

// recorder collects the child spans a function records for its row.
type recorder struct {
	mu    sync.Mutex
	spans []galileo.Span
}

type recorderKey struct{}

func withRecorder(ctx context.Context, rec *recorder) context.Context {
	return context.WithValue(ctx, recorderKey{}, rec)
}

func (r *recorder) add(s galileo.Span) {
	r.mu.Lock()
	r.spans = append(r.spans, s)
	r.mu.Unlock()
}

func (r *recorder) take() []galileo.Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.spans
	r.spans = nil
	return s
}

func recorderFrom(ctx context.Context) *recorder {
	if ctx == nil {
		return nil
	}
	rec, _ := ctx.Value(recorderKey{}).(*recorder)
	return rec
}

// RecordLLM records a model call as an llm span of the current row's
// trace, with its model, messages, token counts and duration, so that
// latency, token and cost metrics see it. It is safe to call from several
// goroutines, and does nothing when ctx does not come from the harness.
func RecordLLM(ctx context.Context, call LLMCall) {
	rec := recorderFrom(ctx)
	if rec == nil {
		return
	}
	name := call.Name
	if name == "" {
		name = "llm"
	}
	in, out := int64(call.InputTokens), int64(call.OutputTokens)
	total := in + out
	dur := call.Duration.Nanoseconds()
	temp := call.Temperature
	model := call.Model
	sp := galileo.Span{
		Type:      "llm",
		Name:      name,
		CreatedAt: time.Now().Add(-call.Duration).UTC(),
		Input:     llmMessages(call.Input),
		Output:    galileo.Message{Role: "assistant", Content: call.Output},
		Metrics: galileo.Metrics{
			DurationNs:      &dur,
			NumInputTokens:  &in,
			NumOutputTokens: &out,
			NumTotalTokens:  &total,
		},
		Temperature: &temp,
	}
	if model != "" {
		sp.Model = &model
	}
	rec.add(sp)
}

// llmMessages turns an LLMCall input into the message list of an llm span.
func llmMessages(in any) []galileo.Message {
	switch v := in.(type) {
	case nil:
		return []galileo.Message{}
	case string:
		return []galileo.Message{{Role: "user", Content: v}}
	case galileo.Message:
		return []galileo.Message{v}
	case []galileo.Message:
		return v
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return []galileo.Message{}
		}
		return []galileo.Message{{Role: "user", Content: string(b)}}
	}
}

// RecordTool records a tool call as a tool span of the current row's trace.
// A non-nil err marks the span failed (status 500, the error as output).
// It does nothing when ctx does not come from the harness.
func RecordTool(ctx context.Context, name, input, output string, dur time.Duration, err error) {
	rec := recorderFrom(ctx)
	if rec == nil {
		return
	}
	d := dur.Nanoseconds()
	sp := galileo.Span{
		Type:      "tool",
		Name:      name,
		CreatedAt: time.Now().Add(-dur).UTC(),
		Input:     input,
		Output:    output,
		Metrics:   galileo.Metrics{DurationNs: &d},
	}
	if err != nil {
		code := 500
		sp.StatusCode = &code
		sp.Output = err.Error()
	}
	rec.add(sp)
}

// Document is a retrieved document as a retriever span carries it.
type document struct {
	Content  string            `json:"content"`
	Metadata map[string]string `json:"metadata"`
}

// RecordRetriever records a retrieval as a retriever span of the current
// row's trace: the query and the documents found, which context metrics
// (context adherence, chunk relevance, ...) read. It does nothing when ctx
// does not come from the harness.
func RecordRetriever(ctx context.Context, query string, docs []string, dur time.Duration) {
	rec := recorderFrom(ctx)
	if rec == nil {
		return
	}
	d := dur.Nanoseconds()
	out := make([]document, len(docs))
	for i, doc := range docs {
		out[i] = document{Content: doc, Metadata: map[string]string{}}
	}
	rec.add(galileo.Span{
		Type:      "retriever",
		Name:      "retriever",
		CreatedAt: time.Now().Add(-dur).UTC(),
		Input:     query,
		Output:    out,
		Metrics:   galileo.Metrics{DurationNs: &d},
	})
}
