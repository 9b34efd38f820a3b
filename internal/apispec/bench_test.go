package apispec

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

const benchCreateBody = `{"name": "nightly-qa", "task_type": 16,
 "dataset": {"dataset_id": "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9", "version_index": 3},
 "prompt_settings": {"model_alias": "GPT-4o", "temperature": 0.2},
 "scorers": [{"id": "aed89cbc-5515-43c3-87ae-39c3c44c043e", "name": "correctness", "scorer_type": "preset"}],
 "trigger": true}`

const benchExperiment = `{"id": "5c9e2a7b-0f4d-4c1e-9b8a-3d2f1e0c9b8a", "project_id": "8b0d7c1e-1a51-4d0c-9a53-2f5ad6f9b0a1",
 "task_type": 16, "name": "nightly-qa", "created_at": "2026-07-30T18:38:55.042000+00:00",
 "structured_aggregate_metrics": {"cost": {"avg": 0.0012, "sum": 0.012, "count": 10}},
 "status": {"log_generation": {"progress_percent": 1.0}}}`

func benchRequest(b *testing.B, body string) *http.Request {
	r, err := http.NewRequest("POST", "http://127.0.0.1/projects/8b0d7c1e-1a51-4d0c-9a53-2f5ad6f9b0a1/experiments", bytes.NewReader([]byte(body)))
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	return r
}

// BenchmarkLoad measures parsing and checking the embedded document, which
// Load does once per process.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parseSpec(Document); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateRequest measures checking a create-experiment request
// (route, path parameter, JSON body) once its schema is compiled.
func BenchmarkValidateRequest(b *testing.B) {
	v, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(benchCreateBody)
	r := benchRequest(b, benchCreateBody)
	if err := v.ValidateRequest(r, body); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := v.ValidateRequest(r, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateResponse measures checking an ExperimentResponse.
func BenchmarkValidateResponse(b *testing.B) {
	v, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(benchExperiment)
	r := benchRequest(b, benchCreateBody)
	h := http.Header{"Content-Type": {"application/json"}}
	for b.Loop() {
		if err := v.ValidateResponse(r, 200, h, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateResponse_openapi3filter measures the same check done
// entirely by kin-openapi's filter, which compiles the body schema on every
// call; it is the reason bodies are checked with cached schemas instead.
func BenchmarkValidateResponse_openapi3filter(b *testing.B) {
	v, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	r := benchRequest(b, benchCreateBody)
	m, err := v.find(r)
	if err != nil {
		b.Fatal(err)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	for b.Loop() {
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: v.filterInput(r, m),
			Status:                 200,
			Header:                 h,
			Options:                v.spec.filterOpts,
		}
		in.SetBodyBytes([]byte(benchExperiment))
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
