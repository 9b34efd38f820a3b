package galileotest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

// Ingest tuning: traces are sent in batches of ingestBatch (the official
// SDKs' batch size), or earlier when ingestFlushEvery passed since the last
// send, by up to ingestParallel requests at once, while the rows still run.
const (
	ingestBatch      = 128
	ingestParallel   = 4
	ingestFlushEvery = time.Second
)

// traceSink receives the traces of a function run. ingestSink sends them to
// the API; tests may use another.
type traceSink interface {
	Ingest(ctx context.Context, traces []galileo.Span) error
}

type ingestSink struct {
	c                       *galileo.Client
	projectID, experimentID string
}

func (s ingestSink) Ingest(ctx context.Context, traces []galileo.Span) error {
	eid := s.experimentID
	_, err := s.c.Traces.Ingest(ctx, s.projectID, galileo.LogTracesIngestRequest{
		ExperimentID: &eid,
		Traces:       traces,
		IsComplete:   true,
	})
	return err
}

// runStats is the outcome of running a function over the rows.
type runStats struct {
	rows      int
	errored   int
	rowErrors []report.RowError
	ingested  int
}

// runFunction calls fn for every row with at most concurrency calls at
// once, builds one trace per row and ingests the traces in batches while
// the rows run. A row whose function returns an error or panics is logged
// with status 500 and its error as output, and counted as errored. The
// run stops early only when ctx ends or an ingest request fails. rowDone,
// when set, is called (concurrently) after each row's function returned.
func runFunction(ctx context.Context, fn Func, fnName, traceName string, rows []fixtures.Row, concurrency int, sink traceSink, rowDone func()) (runStats, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	stats := runStats{rows: len(rows)}
	var statsMu sync.Mutex

	jobs := make(chan int)
	traces := make(chan galileo.Span, ingestBatch)
	batches := make(chan []galileo.Span, ingestParallel)

	// Senders.
	var senders sync.WaitGroup
	for range ingestParallel {
		senders.Go(func() {
			for b := range batches {
				if ctx.Err() != nil {
					continue // drain
				}
				if err := sink.Ingest(ctx, b); err != nil {
					cancel(fmt.Errorf("ingest %d traces: %w", len(b), err))
					continue
				}
				statsMu.Lock()
				stats.ingested += len(b)
				statsMu.Unlock()
			}
		})
	}

	// Batcher.
	batcherDone := make(chan struct{})
	go func() {
		defer close(batcherDone)
		defer close(batches)
		tick := time.NewTicker(ingestFlushEvery)
		defer tick.Stop()
		var pending []galileo.Span
		flush := func() {
			if len(pending) == 0 {
				return
			}
			select {
			case batches <- pending:
			case <-ctx.Done():
			}
			pending = nil
		}
		for {
			select {
			case t, ok := <-traces:
				if !ok {
					flush()
					return
				}
				pending = append(pending, t)
				if len(pending) >= ingestBatch {
					flush()
				}
			case <-tick.C:
				flush()
			}
		}
	}()

	// Workers.
	var workers sync.WaitGroup
	for range max(concurrency, 1) {
		workers.Go(func() {
			for i := range jobs {
				row := rows[i]
				rec := &recorder{}
				start := time.Now()
				out, err := callFunc(withRecorder(ctx, rec), fn, Row{Input: row.Input, GroundTruth: row.GroundTruth, Metadata: row.Metadata})
				dur := time.Since(start)
				if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
					continue // the run is stopping; the row is not a failure of the function
				}
				if err != nil {
					statsMu.Lock()
					stats.errored++
					if len(stats.rowErrors) < maxRowErrorsKept {
						stats.rowErrors = append(stats.rowErrors, report.RowError{Index: i, Input: shorten(row.Input, 80), Error: err.Error()})
					}
					statsMu.Unlock()
				}
				if rowDone != nil {
					rowDone()
				}
				tr := buildTrace(traceName, fnName, i, row, out, err, start, dur, rec.take())
				select {
				case traces <- tr:
				case <-ctx.Done():
				}
			}
		})
	}

dispatch:
	for i := range rows {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break dispatch
		}
	}
	close(jobs)
	workers.Wait()
	close(traces)
	<-batcherDone
	senders.Wait()

	if err := context.Cause(ctx); err != nil {
		return stats, err
	}
	return stats, nil
}

// callFunc calls fn, turning a panic into an error.
func callFunc(ctx context.Context, fn Func, row Row) (out string, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = "", fmt.Errorf("panic: %v", v)
		}
	}()
	return fn(ctx, row)
}

// buildTrace builds the trace of one row: the trace, one workflow span for
// the function, and the spans the function recorded inside it.
func buildTrace(traceName, fnName string, index int, row fixtures.Row, out string, err error, start time.Time, dur time.Duration, children []galileo.Span) galileo.Span {
	d := dur.Nanoseconds()
	var status *int
	if err != nil {
		code := 500
		status = &code
		out = err.Error()
	}
	in, gt := row.Input, row.GroundTruth
	meta := map[string]string{"row_index": strconv.Itoa(index), "function": fnName}
	workflow := galileo.Span{
		Type:            "workflow",
		Name:            fnName,
		CreatedAt:       start.UTC(),
		Input:           row.Input,
		Output:          out,
		StatusCode:      status,
		Metrics:         galileo.Metrics{DurationNs: &d},
		UserMetadata:    meta,
		DatasetMetadata: row.Metadata,
		Spans:           children,
	}
	tr := galileo.Span{
		Type:            "trace",
		Name:            traceName,
		CreatedAt:       start.UTC(),
		Input:           row.Input,
		Output:          out,
		StatusCode:      status,
		Metrics:         galileo.Metrics{DurationNs: &d},
		UserMetadata:    meta,
		DatasetInput:    &in,
		DatasetMetadata: row.Metadata,
		Spans:           []galileo.Span{workflow},
	}
	if gt != "" {
		tr.DatasetOutput = &gt
	}
	// The row's token counts, summed over its LLM calls.
	var tin, tout int64
	llm := false
	for _, c := range children {
		if c.Type == "llm" {
			llm = true
			if c.Metrics.NumInputTokens != nil {
				tin += *c.Metrics.NumInputTokens
			}
			if c.Metrics.NumOutputTokens != nil {
				tout += *c.Metrics.NumOutputTokens
			}
		}
	}
	if llm {
		total := tin + tout
		tr.Metrics.NumInputTokens, tr.Metrics.NumOutputTokens, tr.Metrics.NumTotalTokens = &tin, &tout, &total
	}
	return tr
}

// shorten cuts s to at most n runes, marking the cut with "…".
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
