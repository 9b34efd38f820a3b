package galileo

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// ExperimentsService handles experiments (/projects/{pid}/experiments) at the
// wire level. For the object-style workflow of the official Python SDK
// (create, run, status, metrics) use the [Experiment] handle from
// [ExperimentsService.New], [ExperimentsService.Open] and
// [ExperimentsService.OpenByID].
type ExperimentsService struct{ c *Client }

// ExperimentMetricsRequest is the body of POST .../experiments/{eid}/metrics
// and POST .../experiments/metrics. Filters are record filters (column_id
// and type set).
type ExperimentMetricsRequest struct {
	Filters []Filter `json:"filters"`
}

// BucketedMetric is one metric of an ExperimentMetricsResponse: a histogram
// of values and, for numeric metrics, the average.
type BucketedMetric struct {
	Name         string           `json:"name"`
	Buckets      map[string]int64 `json:"buckets"`
	Average      *float64         `json:"average"`
	RollUpMethod *string          `json:"roll_up_method"`
	DataType     *string          `json:"data_type"`
}

// ExperimentMetricsResponse is the body returned by the experiment metrics routes.
type ExperimentMetricsResponse struct {
	Metrics []BucketedMetric `json:"metrics"`
}

// MetricSettingsRequest is the body of PATCH .../experiments/{eid}/metric_settings.
// A nil field is left unchanged.
type MetricSettingsRequest struct {
	Scorers        []ScorerConfig `json:"scorers,omitempty"`
	SegmentFilters []any          `json:"segment_filters,omitempty"`
}

// MetricSettingsResponse is the body of the metric_settings routes.
type MetricSettingsResponse struct {
	Scorers        []ScorerConfig `json:"scorers"`
	SegmentFilters []any          `json:"segment_filters"`
}

// ColumnCollection is a list of columns, as returned by the
// available_columns routes. Scorer-backed metric columns have ids
// "metrics/<scorer uuid>".
type ColumnCollection []ColumnInfo

// Get returns the column with the given id, or nil.
func (cc ColumnCollection) Get(id string) *ColumnInfo {
	for i := range cc {
		if cc[i].ID == id {
			return &cc[i]
		}
	}
	return nil
}

// ByLabel returns the first column whose label is exactly label, or nil.
func (cc ColumnCollection) ByLabel(label string) *ColumnInfo {
	for i := range cc {
		if cc[i].Label != nil && *cc[i].Label == label {
			return &cc[i]
		}
	}
	return nil
}

// ByMetricKeyAlias returns the first column whose metric_key_alias (the
// legacy snake_case metric name) is exactly alias, or nil.
func (cc ColumnCollection) ByMetricKeyAlias(alias string) *ColumnInfo {
	for i := range cc {
		if cc[i].MetricKeyAlias != nil && *cc[i].MetricKeyAlias == alias {
			return &cc[i]
		}
	}
	return nil
}

// IDs returns the column ids in order.
func (cc ColumnCollection) IDs() []string {
	ids := make([]string, len(cc))
	for i, c := range cc {
		ids[i] = c.ID
	}
	return ids
}

func experimentsPath(projectID string) string {
	return "/projects/" + url.PathEscape(projectID) + "/experiments"
}

func experimentPath(projectID, experimentID string) string {
	return experimentsPath(projectID) + "/" + url.PathEscape(experimentID)
}

// CreateOption changes how [ExperimentsService.Create] behaves.
type CreateOption func(*createOptions)

type createOptions struct {
	noNameLookup bool
}

// WithoutNameLookup turns off the look-up by name that
// [ExperimentsService.Create] makes after a failure that leaves it unknown
// whether the experiment was created. Use it when the name is not yours
// alone, for example when other processes may create an experiment of the
// same name at the same time: the look-up could then return their
// experiment as if it were yours. With it, such a failure is not retried
// and the error matches [ErrOutcomeUnknown]; list the experiments to see
// whether the create happened.
func WithoutNameLookup() CreateOption {
	return func(o *createOptions) { o.noNameLookup = true }
}

// Create creates an experiment (POST /projects/{pid}/experiments). A zero
// TaskType is sent as [TaskTypeExperiment]. The server does not reject
// duplicate names, so give the experiment a name not yet used in the project
// (the [Experiment] handle checks this for you).
//
// If the call fails in a way that leaves it unknown whether the experiment
// was created (the connection broke after the request was sent, a 5xx, a
// 408), the client looks the name up before retrying and returns the
// experiment it finds, so a retry never creates a duplicate. When the name
// may also be used by someone else, pass [WithoutNameLookup]: such a failure
// then ends the call with an error matching [ErrOutcomeUnknown].
func (s *ExperimentsService) Create(ctx context.Context, projectID string, req ExperimentCreateRequest, opts ...CreateOption) (*ExperimentResponse, error) {
	if err := requireIDs("Experiments.Create", "project", projectID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.Name) == "" {
		return nil, errors.New("galileo: Experiments.Create: empty experiment name")
	}
	if req.TaskType == 0 {
		req.TaskType = TaskTypeExperiment
	}
	var o createOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	var out ExperimentResponse
	r := &request{method: http.MethodPost, path: experimentsPath(projectID), body: req}
	if !o.noNameLookup {
		r.onAmbiguous = foundBy(&out, func(ctx context.Context) (*ExperimentResponse, error) {
			return s.GetByName(ctx, projectID, req.Name)
		}, nil)
	}
	if _, err := s.c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get returns one experiment (GET /projects/{pid}/experiments/{eid}).
func (s *ExperimentsService) Get(ctx context.Context, projectID, experimentID string) (*ExperimentResponse, error) {
	if err := requireIDs("Experiments.Get", "project", projectID, "experiment", experimentID); err != nil {
		return nil, err
	}
	var out ExperimentResponse
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: experimentPath(projectID, experimentID), idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetByName returns the experiment with exactly this name (case-sensitive)
// in a project (POST .../experiments/search with a name filter). When there
// is none the error matches [ErrNotFound].
func (s *ExperimentsService) GetByName(ctx context.Context, projectID, name string) (*ExperimentResponse, error) {
	if err := requireIDs("Experiments.GetByName", "project", projectID); err != nil {
		return nil, err
	}
	if name == "" {
		return nil, errors.New("galileo: Experiments.GetByName: empty experiment name")
	}
	res, err := s.Search(ctx, projectID, ExperimentSearchRequest{
		Limit:   DefaultPageSize,
		Filters: []Filter{{Name: "name", Operator: "eq", Value: name, CaseSensitive: ptr(true)}},
	})
	if err != nil {
		return nil, err
	}
	for i := range res.Experiments {
		if res.Experiments[i].Name == name {
			return &res.Experiments[i], nil
		}
	}
	return nil, fmt.Errorf("galileo: experiment %q in project %s: %w", name, projectID, ErrNotFound)
}

// List returns every experiment of a project in one call
// (GET /projects/{pid}/experiments?include_counts=false). For large projects
// prefer [ExperimentsService.ListPages].
func (s *ExperimentsService) List(ctx context.Context, projectID string) ([]ExperimentResponse, error) {
	if err := requireIDs("Experiments.List", "project", projectID); err != nil {
		return nil, err
	}
	var out []ExperimentResponse
	q := url.Values{"include_counts": {"false"}}
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: experimentsPath(projectID), query: q, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ListPages iterates over every experiment of a project, one page at a time
// (GET /projects/{pid}/experiments/paginated).
func (s *ExperimentsService) ListPages(ctx context.Context, projectID string) iter.Seq2[ExperimentResponse, error] {
	return paginate(ctx, 0, func(ctx context.Context, start int) ([]ExperimentResponse, *int, error) {
		if err := requireIDs("Experiments.ListPages", "project", projectID); err != nil {
			return nil, nil, err
		}
		q := pageQuery(start, DefaultPageSize)
		q.Set("include_counts", "false")
		var page ListExperimentResponse
		if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: experimentsPath(projectID) + "/paginated", query: q, idempotent: true}, &page); err != nil {
			return nil, nil, err
		}
		return page.Experiments, page.NextStartingToken, nil
	})
}

// Search returns one page of experiments matching req
// (POST /projects/{pid}/experiments/search). A zero Limit asks for
// DefaultPageSize experiments. Filters name the column with Name (name, id,
// created_by, created_at, updated_at, experiment_group_id,
// experiment_group_name).
func (s *ExperimentsService) Search(ctx context.Context, projectID string, req ExperimentSearchRequest) (*ListExperimentResponse, error) {
	if err := requireIDs("Experiments.Search", "project", projectID); err != nil {
		return nil, err
	}
	if req.Limit == 0 {
		req.Limit = DefaultPageSize
	}
	var out ListExperimentResponse
	if _, err := s.c.call(ctx, &request{method: http.MethodPost, path: experimentsPath(projectID) + "/search", body: req, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Update renames an experiment or moves it to another group
// (PUT /projects/{pid}/experiments/{eid}). A zero TaskType is sent as
// [TaskTypeExperiment].
func (s *ExperimentsService) Update(ctx context.Context, projectID, experimentID string, req ExperimentUpdateRequest) (*ExperimentResponse, error) {
	if err := requireIDs("Experiments.Update", "project", projectID, "experiment", experimentID); err != nil {
		return nil, err
	}
	if req.TaskType == 0 {
		req.TaskType = TaskTypeExperiment
	}
	var out ExperimentResponse
	if _, err := s.c.call(ctx, &request{method: http.MethodPut, path: experimentPath(projectID, experimentID), body: req, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete deletes an experiment with its traces and metrics
// (DELETE /projects/{pid}/experiments/{eid}, answered with 204).
func (s *ExperimentsService) Delete(ctx context.Context, projectID, experimentID string) error {
	if err := requireIDs("Experiments.Delete", "project", projectID, "experiment", experimentID); err != nil {
		return err
	}
	_, err := s.c.call(ctx, &request{method: http.MethodDelete, path: experimentPath(projectID, experimentID), idempotent: true}, nil)
	return err
}

// AvailableColumns returns the columns of a project's experiments table
// (POST /projects/{pid}/experiments/available_columns, sent without a body).
// Metric columns map scorer UUIDs ("metrics/<uuid>") to labels and legacy
// metric names.
func (s *ExperimentsService) AvailableColumns(ctx context.Context, projectID string) (ColumnCollection, error) {
	if err := requireIDs("Experiments.AvailableColumns", "project", projectID); err != nil {
		return nil, err
	}
	var out ColumnsResponse
	if _, err := s.c.call(ctx, &request{method: http.MethodPost, path: experimentsPath(projectID) + "/available_columns", idempotent: true}, &out); err != nil {
		return nil, err
	}
	return ColumnCollection(out.Columns), nil
}

// Metrics returns bucketed metrics of one experiment's records matching
// filters (POST /projects/{pid}/experiments/{eid}/metrics).
func (s *ExperimentsService) Metrics(ctx context.Context, projectID, experimentID string, filters []Filter) (*ExperimentMetricsResponse, error) {
	if err := requireIDs("Experiments.Metrics", "project", projectID, "experiment", experimentID); err != nil {
		return nil, err
	}
	return s.metrics(ctx, experimentPath(projectID, experimentID)+"/metrics", filters)
}

// ProjectMetrics returns bucketed metrics over every experiment of a
// project (POST /projects/{pid}/experiments/metrics).
func (s *ExperimentsService) ProjectMetrics(ctx context.Context, projectID string, filters []Filter) (*ExperimentMetricsResponse, error) {
	if err := requireIDs("Experiments.ProjectMetrics", "project", projectID); err != nil {
		return nil, err
	}
	return s.metrics(ctx, experimentsPath(projectID)+"/metrics", filters)
}

func (s *ExperimentsService) metrics(ctx context.Context, path string, filters []Filter) (*ExperimentMetricsResponse, error) {
	if filters == nil {
		filters = []Filter{}
	}
	var out ExperimentMetricsResponse
	if _, err := s.c.call(ctx, &request{method: http.MethodPost, path: path, body: ExperimentMetricsRequest{Filters: filters}, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// MetricSettings returns the scorers configured on an experiment
// (GET /projects/{pid}/experiments/{eid}/metric_settings).
func (s *ExperimentsService) MetricSettings(ctx context.Context, projectID, experimentID string) (*MetricSettingsResponse, error) {
	if err := requireIDs("Experiments.MetricSettings", "project", projectID, "experiment", experimentID); err != nil {
		return nil, err
	}
	var out MetricSettingsResponse
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: experimentPath(projectID, experimentID) + "/metric_settings", idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateMetricSettings re-configures which scorers run on an experiment
// (PATCH /projects/{pid}/experiments/{eid}/metric_settings).
func (s *ExperimentsService) UpdateMetricSettings(ctx context.Context, projectID, experimentID string, req MetricSettingsRequest) (*MetricSettingsResponse, error) {
	if err := requireIDs("Experiments.UpdateMetricSettings", "project", projectID, "experiment", experimentID); err != nil {
		return nil, err
	}
	var out MetricSettingsResponse
	r := &request{method: http.MethodPatch, path: experimentPath(projectID, experimentID) + "/metric_settings", body: req, idempotent: true}
	if _, err := s.c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// consoleLink returns the console deep link of an experiment, or "" when the
// client has no console URL.
func (c *Client) consoleLink(projectID, experimentID string) string {
	if c.consoleURL == "" || projectID == "" || experimentID == "" {
		return ""
	}
	return c.consoleURL + "/project/" + url.PathEscape(projectID) + "/experiments/" + url.PathEscape(experimentID)
}
