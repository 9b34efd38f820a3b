package galileo

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/google/uuid"
)

// TracesService logs traces (POST /projects/{pid}/traces).
type TracesService struct{ c *Client }

// Ingest logs traces with their spans (POST /projects/{pid}/traces). Set
// exactly one of ExperimentID (to attach them to an experiment) and
// LogStreamID; send at least one trace.
//
// The request is sent as the API expects it without changing the caller's
// values: a trace or span without an ID gets a new random UUID, nil tags,
// user metadata and dataset metadata are sent as empty lists and objects,
// and an empty LoggingMethod is sent as "api_direct". Because every trace
// then has a client-side id, a retry after an ambiguous failure cannot log
// a trace twice, and Ingest is retried like a read.
func (s *TracesService) Ingest(ctx context.Context, projectID string, req LogTracesIngestRequest) (*LogTracesIngestResponse, error) {
	if err := requireIDs("Traces.Ingest", "project", projectID); err != nil {
		return nil, err
	}
	hasExp := req.ExperimentID != nil && *req.ExperimentID != ""
	hasStream := req.LogStreamID != nil && *req.LogStreamID != ""
	if hasExp == hasStream {
		return nil, errors.New("galileo: Traces.Ingest: set exactly one of ExperimentID and LogStreamID")
	}
	if len(req.Traces) == 0 {
		return nil, errors.New("galileo: Traces.Ingest: no traces: expected at least one")
	}
	if req.LoggingMethod == "" {
		req.LoggingMethod = "api_direct"
	}
	req.Traces = prepareSpans(req.Traces)
	var out LogTracesIngestResponse
	path := "/projects/" + url.PathEscape(projectID) + "/traces"
	if _, err := s.c.call(ctx, &request{method: http.MethodPost, path: path, body: req, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// prepareSpans returns a copy of spans (recursively) with ids and empty
// collections filled in.
func prepareSpans(spans []Span) []Span {
	if spans == nil {
		return nil
	}
	out := make([]Span, len(spans))
	for i, sp := range spans {
		if sp.ID == "" {
			sp.ID = uuid.NewString()
		}
		if sp.Tags == nil {
			sp.Tags = []string{}
		}
		if sp.UserMetadata == nil {
			sp.UserMetadata = map[string]string{}
		}
		if sp.DatasetMetadata == nil {
			sp.DatasetMetadata = map[string]string{}
		}
		sp.Spans = prepareSpans(sp.Spans)
		out[i] = sp
	}
	return out
}
