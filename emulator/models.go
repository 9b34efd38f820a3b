package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/emulator/scoring"
	"github.com/galileo-community/galileo-go/galileo"
)

// ModelOutput is what a model answered for one row. Zero token counts are
// filled in with scoring.CountTokens.
type ModelOutput struct {
	Text         string
	InputTokens  int64
	OutputTokens int64
}

// ModelFunc is a model a prompt run can call: it receives the rendered
// messages of one row and the run's settings.
type ModelFunc func(ctx context.Context, messages []galileo.Message, settings galileo.PromptRunSettings) (ModelOutput, error)

// Built-in model names (matched case-insensitively against the run's
// model_alias).
const (
	// ModelEcho answers with the rendered text of the last message.
	ModelEcho = "echo"
	// ModelGroundTruth answers with the row's ground truth (its output
	// column): a perfect model.
	ModelGroundTruth = "ground-truth"
	// ModelUpper answers with the last message in upper case.
	ModelUpper = "upper"
	// ModelError fails every row (the row is logged with status 500).
	ModelError = "error"
	// DefaultModel answers for the Galileo service's own model aliases
	// (for example "GPT-4o", the SDKs' default; see [KnownModel]); the
	// fallback is logged once per alias.
	DefaultModel = ModelEcho
)

// serviceModels are model aliases the Galileo service offers through its
// standard integrations, normalized by modelKey. The emulator answers them
// with DefaultModel; dated versions ("gpt-4o-mini-2024-07-18") and the
// aliases of Server.RegisterModel count too.
var serviceModels = map[string]bool{
	"gpt-4o": true, "gpt-4o-mini": true, "gpt-4.1": true, "gpt-4.1-mini": true, "gpt-4.1-nano": true,
	"gpt-5": true, "gpt-5-mini": true, "gpt-5-nano": true, "gpt-5.1": true, "o1": true, "o3": true,
	"o3-mini": true, "o4-mini": true, "gpt-4": true, "gpt-4-turbo": true, "gpt-3.5-turbo": true,
	"claude-3.5-haiku": true, "claude-3.5-sonnet": true, "claude-3.7-sonnet": true, "claude-3-5-haiku": true,
	"claude-sonnet-4": true, "claude-opus-4": true, "claude-sonnet-4.5": true, "claude-haiku-4.5": true,
	"gemini-2.0-flash": true, "gemini-2.5-flash": true, "gemini-2.5-pro": true,
}

// modelKey normalizes an alias: lower case, anything up to the last '/'
// dropped, blanks as '-' ("GPT-4o mini" is "gpt-4o-mini").
func modelKey(alias string) string {
	m := strings.ToLower(strings.TrimSpace(alias))
	if i := strings.LastIndex(m, "/"); i >= 0 {
		m = m[i+1:]
	}
	return strings.Join(strings.Fields(m), "-")
}

// KnownModel reports whether a prompt run may use alias without a
// registered model: one of the emulator's own models ("echo",
// "ground-truth", "upper", "error", which exist only in the emulator), or
// a model alias of the Galileo service, answered with DefaultModel. A
// prompt run with any other alias is refused as the service refuses it, a
// 422 whose message is "Model alias '<alias>' not found" (as a validation
// error at body.prompt_settings.model_alias, the shape the OpenAPI
// document gives 422 answers). Models added with
// Server.RegisterModel are known too (see Server.knownModel).
func KnownModel(alias string) bool {
	switch key := modelKey(alias); key {
	case ModelEcho, ModelGroundTruth, ModelUpper, ModelError:
		return true
	default:
		if serviceModels[key] {
			return true
		}
		for k := range serviceModels {
			if rest, ok := strings.CutPrefix(key, k+"-"); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
				return true // a dated version
			}
		}
		return false
	}
}

// knownModel is KnownModel plus the registered models. Call with s.mu held.
func (s *Server) knownModel(alias string) bool {
	_, ok := s.models[strings.ToLower(strings.TrimSpace(alias))]
	return ok || KnownModel(alias)
}

// checkModel refuses a prompt run whose model alias neither the emulator
// nor the service knows, with the service's answer. Call with s.mu held.
func (s *Server) checkModel(settings *galileo.PromptRunSettings) error {
	alias := galileo.DefaultPromptSettings().ModelAlias
	if settings != nil && strings.TrimSpace(settings.ModelAlias) != "" {
		alias = settings.ModelAlias
	}
	if !s.knownModel(alias) {
		return invalid("value_error", fmt.Sprintf("Model alias '%s' not found", alias), "prompt_settings", "model_alias")
	}
	return nil
}

// Latency model of prompt runs: every generated row reports
// BaseLatency + PerTokenLatency × output tokens as its duration.
const (
	BaseLatency     = 300 * time.Millisecond
	PerTokenLatency = 2 * time.Millisecond
)

// RegisterModel makes fn available to prompt runs whose model_alias equals
// name (case-insensitively). It replaces a model of the same name, built-ins
// included.
func (s *Server) RegisterModel(name string, fn ModelFunc) error {
	if strings.TrimSpace(name) == "" || fn == nil {
		return errors.New("emulator: RegisterModel: expected a non-empty name and a non-nil function")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.models[strings.ToLower(name)] = fn
	return nil
}

func lastContent(msgs []galileo.Message) string {
	if len(msgs) == 0 {
		return ""
	}
	return msgs[len(msgs)-1].Content
}

// resolveModel finds the function for alias. Call with s.mu held for writing.
func (s *Server) resolveModel(alias string, row map[string]any) (ModelFunc, string) {
	key := strings.ToLower(strings.TrimSpace(alias))
	if fn, ok := s.models[key]; ok {
		return fn, alias
	}
	switch key {
	case ModelEcho:
		return echoModel, alias
	case ModelUpper:
		return func(_ context.Context, m []galileo.Message, _ galileo.PromptRunSettings) (ModelOutput, error) {
			return ModelOutput{Text: strings.ToUpper(lastContent(m))}, nil
		}, alias
	case ModelGroundTruth:
		gt := textOf(row["output"])
		if row["output"] == nil {
			gt = textOf(row["ground_truth"])
		}
		return func(context.Context, []galileo.Message, galileo.PromptRunSettings) (ModelOutput, error) {
			return ModelOutput{Text: gt}, nil
		}, alias
	case ModelError:
		return func(context.Context, []galileo.Message, galileo.PromptRunSettings) (ModelOutput, error) {
			return ModelOutput{}, errors.New("the emulator's error model failed this row")
		}, alias
	}
	s.noteFallback(alias)
	return echoModel, alias
}

func echoModel(_ context.Context, m []galileo.Message, _ galileo.PromptRunSettings) (ModelOutput, error) {
	return ModelOutput{Text: lastContent(m)}, nil
}

var templateVar = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// lookupVar resolves a template variable against a dataset row: a column
// ("input", "output", "metadata", ...), a dotted path into a column holding
// JSON ("input.question", "metadata.lang"), or a key of the JSON input or
// of the metadata ("question"). Unknown variables render as "".
func lookupVar(row map[string]any, name string) string {
	if v, ok := row[name]; ok {
		return textOf(v)
	}
	parts := strings.Split(name, ".")
	if len(parts) > 1 {
		if v, ok := row[parts[0]]; ok {
			if got, ok := dig(v, parts[1:]); ok {
				return textOf(got)
			}
		}
	}
	for _, col := range []string{"input", "metadata"} {
		if got, ok := dig(row[col], parts); ok {
			return textOf(got)
		}
	}
	return ""
}

// dig follows path into v, decoding JSON text on the way.
func dig(v any, path []string) (any, bool) {
	for _, p := range path {
		if s, ok := v.(string); ok {
			var decoded any
			if json.Unmarshal([]byte(s), &decoded) != nil {
				return nil, false
			}
			v = decoded
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[p]; !ok {
			return nil, false
		}
	}
	return v, true
}

// render substitutes {{ variable }} in text.
func render(text string, row map[string]any) string {
	return templateVar.ReplaceAllStringFunc(text, func(m string) string {
		return lookupVar(row, strings.TrimSpace(templateVar.FindStringSubmatch(m)[1]))
	})
}

// templateMessages reads a stored template as messages (a plain string is
// one user message).
func templateMessages(raw json.RawMessage) []galileo.Message {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return []galileo.Message{{Role: "user", Content: str}}
	}
	var list []map[string]any
	_ = json.Unmarshal(raw, &list)
	out := make([]galileo.Message, 0, len(list))
	for _, m := range list {
		out = append(out, galileo.Message{Role: fmt.Sprint(m["role"]), Content: textOf(m["content"])})
	}
	return out
}

// rowJob is everything needed to generate one row outside the lock.
type rowJob struct {
	kind     string // "template" or "generated_output"
	messages []galileo.Message
	settings galileo.PromptRunSettings
	model    ModelFunc
	alias    string
	output   string // generated_output flow
}

type rowResult struct {
	out ModelOutput
	err error
}

func (j *rowJob) run(ctx context.Context) (res rowResult) {
	if j.kind != "template" {
		return rowResult{out: ModelOutput{Text: j.output}}
	}
	defer func() {
		if v := recover(); v != nil {
			res = rowResult{err: fmt.Errorf("model %s panicked: %v", j.alias, v)}
		}
	}()
	out, err := j.model(ctx, j.messages, j.settings)
	return rowResult{out: out, err: err}
}

// prepareRow snapshots what generating row needs. Call with s.mu held for writing.
func (s *Server) prepareRow(e *experimentRec, row *rowRec) *rowJob {
	run := e.Run
	if run.Kind != "template" {
		return &rowJob{kind: run.Kind, output: textOf(row.Values["generated_output"])}
	}
	job := &rowJob{kind: "template"}
	if t := s.st.templateVer[run.TemplateVersionID]; t != nil {
		for _, v := range t.Versions {
			if v.ID == run.TemplateVersionID {
				for _, m := range templateMessages(v.Template) {
					job.messages = append(job.messages, galileo.Message{Role: m.Role, Content: render(m.Content, row.Values)})
				}
			}
		}
	}
	if run.Settings != nil {
		job.settings = *run.Settings
	} else {
		job.settings = galileo.DefaultPromptSettings()
	}
	job.model, job.alias = s.resolveModel(job.settings.ModelAlias, row.Values)
	return job
}

// rowTrace builds the trace a prompt run logs for one row.
func (s *Server) rowTrace(e *experimentRec, row *rowRec, job *rowJob, res rowResult) *node {
	now := s.now()
	input := textOf(row.Values["input"])
	t := &node{Type: "trace", ID: s.newID(), Name: e.Name, Input: input, CreatedAt: now, UpdatedAt: now, IsComplete: true, RowID: row.ID}
	if v, ok := row.Values["output"]; ok && v != nil {
		gt := textOf(v)
		t.DatasetOutput = &gt
	}
	t.DatasetInput = &input
	if md, ok := row.Values["metadata"]; ok && md != nil {
		t.DatasetMetadata = map[string]string{}
		switch m := md.(type) {
		case map[string]any:
			for k, v := range m {
				t.DatasetMetadata[k] = textOf(v)
			}
		case string:
			var mm map[string]any
			if json.Unmarshal([]byte(m), &mm) == nil {
				for k, v := range mm {
					t.DatasetMetadata[k] = textOf(v)
				}
			}
		}
	}
	if job.kind != "template" {
		t.Output = res.out.Text
		t.Metrics = map[string]any{"duration_ns": 0}
		stamp(t, e.ProjectID, e.ID, t.ID)
		return t
	}
	var prompt strings.Builder
	msgs := make([]any, 0, len(job.messages))
	for _, m := range job.messages {
		prompt.WriteString(m.Content)
		prompt.WriteString("\n")
		msgs = append(msgs, map[string]any{"role": m.Role, "content": m.Content})
	}
	out := res.out
	if out.InputTokens == 0 {
		out.InputTokens = scoring.CountTokens(prompt.String())
	}
	if out.OutputTokens == 0 {
		out.OutputTokens = scoring.CountTokens(out.Text)
	}
	dur := int64(BaseLatency + time.Duration(out.OutputTokens)*PerTokenLatency)
	model := job.alias
	llm := &node{Type: "llm", ID: s.newID(), Name: model, Input: msgs, CreatedAt: now, UpdatedAt: now, IsComplete: true,
		Model: &model, Temperature: job.settings.Temperature, ParentID: t.ID,
		Metrics: map[string]any{"duration_ns": dur, "num_input_tokens": out.InputTokens, "num_output_tokens": out.OutputTokens,
			"num_total_tokens": out.InputTokens + out.OutputTokens}}
	if res.err != nil {
		code := 500
		msg := res.err.Error()
		t.StatusCode, t.ErrorMessage, t.Output = &code, msg, ""
		llm.StatusCode, llm.ErrorMessage, llm.Output = &code, msg, map[string]any{"role": "assistant", "content": ""}
	} else {
		t.Output = out.Text
		llm.Output = map[string]any{"role": "assistant", "content": out.Text}
	}
	t.Metrics = map[string]any{"duration_ns": dur, "num_input_tokens": out.InputTokens, "num_output_tokens": out.OutputTokens,
		"num_total_tokens": out.InputTokens + out.OutputTokens}
	t.Spans = []*node{llm}
	stamp(t, e.ProjectID, e.ID, t.ID)
	return t
}
