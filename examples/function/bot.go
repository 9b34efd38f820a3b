// Package function is an example of testing a Go function with the
// harness: Bot.Answer is the function under test, a tiny support bot that
// looks the question up in a knowledge base and asks a model to phrase the
// answer. The test registers it with galileotest.WithFunc, runs it over a
// dataset, and checks its quality, latency and cost.
//
// Run it with
//
//	go test ./examples/function
//
// The model here is a stand-in that answers from the knowledge base, so
// the example needs no model provider. The bot records each model call
// with galileotest.RecordLLM (model, messages, token counts, duration) and
// each lookup with galileotest.RecordRetriever, so that Galileo's cost,
// token and context metrics see them; outside a harness run those calls do
// nothing.
package function

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/galileotest"
)

// Bot answers support questions from a knowledge base.
type Bot struct {
	// Model is the model alias the bot calls, e.g. "gpt-4o-mini".
	Model string
	// Knowledge maps a topic keyword to the answer for it.
	Knowledge map[string]string
}

// ErrNoAnswer is returned for a question the knowledge base does not cover.
var ErrNoAnswer = errors.New("no answer in the knowledge base")

// Answer answers one question. It has the signature of galileotest.Func
// once wrapped (see the test).
func (b *Bot) Answer(ctx context.Context, question string) (string, error) {
	start := time.Now()
	var docs []string
	for key, doc := range b.Knowledge {
		if strings.Contains(strings.ToLower(question), key) {
			docs = append(docs, doc)
		}
	}
	galileotest.RecordRetriever(ctx, question, docs, time.Since(start))
	if len(docs) == 0 {
		return "", ErrNoAnswer
	}
	messages := []galileo.Message{
		{Role: "system", Content: "Answer with the documents only."},
		{Role: "user", Content: question + "\n\n" + strings.Join(docs, "\n")},
	}
	answer, in, out, took := b.complete(messages, docs)
	galileotest.RecordLLM(ctx, galileotest.LLMCall{
		Model: b.Model, Input: messages, Output: answer,
		InputTokens: in, OutputTokens: out, Duration: took, Temperature: 0,
	})
	return answer, nil
}

// complete stands in for a model call: it answers with the first document
// and reports token counts of the same order as a real model's.
func (b *Bot) complete(messages []galileo.Message, docs []string) (answer string, inTokens, outTokens int, took time.Duration) {
	start := time.Now()
	for _, m := range messages {
		inTokens += len(strings.Fields(m.Content))
	}
	answer = docs[0]
	outTokens = len(strings.Fields(answer))
	return answer, inTokens, outTokens, time.Since(start)
}
