package galileo

import (
	"encoding/json"
	"time"
)

// This file holds the wire types of the Galileo v2 REST API that the client
// sends and receives. They follow the OpenAPI document in internal/apispec field by field
// (JSON names, nullability); the emulator reuses them. A pointer marks a field
// whose "unset" and zero value differ on the wire.

// TaskTypeExperiment is the task_type of every experiment (prompt and function runs).
const TaskTypeExperiment = 16

// ProjectTypeGenAI is the project type the SDKs create and filter on.
const ProjectTypeGenAI = "gen_ai"

// UserInfo is the creator of a resource.
type UserInfo struct {
	ID        string  `json:"id"`
	Email     string  `json:"email"`
	FirstName *string `json:"first_name"`
	LastName  *string `json:"last_name"`
}

// Healthcheck is the body of GET /healthcheck.
type Healthcheck struct {
	APIVersion string `json:"api_version"`
	Message    string `json:"message"`
	Version    string `json:"version"`
}

// Token is the body of a successful login.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type,omitempty"`
}

// CurrentUser is the body of GET /current_user.
type CurrentUser struct {
	ID        string  `json:"id"`
	Email     string  `json:"email"`
	FirstName *string `json:"first_name,omitempty"`
	LastName  *string `json:"last_name,omitempty"`
	Role      string  `json:"role"`
}

// Project is a Galileo project (ProjectDB).
type Project struct {
	ID            string    `json:"id"`
	Name          *string   `json:"name"`
	Type          *string   `json:"type"`
	CreatedBy     string    `json:"created_by"`
	CreatedByUser UserInfo  `json:"created_by_user"`
	Runs          []any     `json:"runs"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Permissions   []any     `json:"permissions"`
	Bookmark      bool      `json:"bookmark"`
	Description   *string   `json:"description"`
	Labels        []string  `json:"labels"`
}

// ProjectName returns the project's name, or "" when the server sent none.
func (p *Project) ProjectName() string {
	if p == nil || p.Name == nil {
		return ""
	}
	return *p.Name
}

// ProjectCreateRequest is the body of POST /projects.
type ProjectCreateRequest struct {
	Name                   string  `json:"name"`
	CreatedBy              *string `json:"created_by"`
	Type                   string  `json:"type,omitempty"`
	CreateExampleTemplates bool    `json:"create_example_templates"`
}

// ProjectCreateResponse is the body returned by POST /projects.
type ProjectCreateResponse struct {
	ID        string    `json:"id"`
	Name      *string   `json:"name"`
	Type      *string   `json:"type"`
	CreatedBy *string   `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// LogStream is a project's log stream (used by the JavaScript SDK's init).
type LogStream struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	ProjectID string    `json:"project_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	CreatedBy *string   `json:"created_by"`
}

// Page is the pagination envelope shared by list responses. Tokens are row
// offsets; NextStartingToken is nil on the last page.
type Page struct {
	StartingToken     int  `json:"starting_token"`
	Limit             int  `json:"limit"`
	Paginated         bool `json:"paginated"`
	NextStartingToken *int `json:"next_starting_token"`
}

// Filter is one filter of a list or search request. The API spells the
// column either as name (datasets, templates, scorers, experiments) or as
// column_id (records); set the one the route expects.
type Filter struct {
	Name          string `json:"name,omitempty"`
	ColumnID      string `json:"column_id,omitempty"`
	Operator      string `json:"operator"`
	Value         any    `json:"value"`
	CaseSensitive *bool  `json:"case_sensitive,omitempty"`
	Strict        *bool  `json:"strict,omitempty"`
	Type          string `json:"type,omitempty"`
}

// MarshalJSON encodes the filter with a time.Time (or *time.Time) Value
// truncated to microseconds (see wireTime).
func (f Filter) MarshalJSON() ([]byte, error) {
	type plain Filter // without this method
	p := plain(f)
	switch v := p.Value.(type) {
	case time.Time:
		p.Value = wireTime(v)
	case *time.Time:
		if v != nil {
			p.Value = wireTime(*v)
		}
	}
	return json.Marshal(p)
}

// Sort orders a list or search request.
type Sort struct {
	Name      string `json:"name,omitempty"`
	ColumnID  string `json:"column_id,omitempty"`
	Ascending bool   `json:"ascending"`
	SortType  string `json:"sort_type,omitempty"`
}

// ListParams is the body of the POST .../query and /scorers/list routes.
type ListParams struct {
	Filters []Filter `json:"filters,omitempty"`
	Sort    *Sort    `json:"sort,omitempty"`
}

// Dataset is a stored dataset (DatasetDB).
type Dataset struct {
	ID                  string    `json:"id"`
	Name                string    `json:"name"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
	ProjectCount        int       `json:"project_count"`
	NumRows             *int      `json:"num_rows"`
	ColumnNames         []string  `json:"column_names"`
	CreatedByUser       *UserInfo `json:"created_by_user"`
	CurrentVersionIndex int       `json:"current_version_index"`
	Draft               bool      `json:"draft"`
	Permissions         []any     `json:"permissions"`
}

// ListDatasetResponse is the body of POST /datasets/query and GET /datasets.
type ListDatasetResponse struct {
	Page
	Datasets []Dataset `json:"datasets"`
}

// DatasetRowMetadata is the server's bookkeeping for a dataset row.
type DatasetRowMetadata struct {
	CreatedInVersion int       `json:"created_in_version"`
	CreatedAt        time.Time `json:"created_at"`
	CreatedByUser    *UserInfo `json:"created_by_user"`
	UpdatedInVersion int       `json:"updated_in_version"`
	UpdatedAt        time.Time `json:"updated_at"`
	UpdatedByUser    *UserInfo `json:"updated_by_user"`
}

// DatasetRow is one row of dataset content. ValuesDict maps column names
// (input, output, generated_output, metadata, ...) to their values.
type DatasetRow struct {
	RowID      string              `json:"row_id"`
	Index      int                 `json:"index"`
	Values     []any               `json:"values"`
	ValuesDict map[string]any      `json:"values_dict"`
	Metadata   *DatasetRowMetadata `json:"metadata"`
}

// DatasetContent is one page of GET /datasets/{id}/content.
type DatasetContent struct {
	Page
	ColumnNames    []string     `json:"column_names"`
	WarningMessage *string      `json:"warning_message"`
	Rows           []DatasetRow `json:"rows"`
}

// DatasetEdit is one edit of PATCH /datasets/{id}/content.
type DatasetEdit struct {
	EditType string         `json:"edit_type"`
	Values   map[string]any `json:"values,omitempty"`
	RowID    string         `json:"row_id,omitempty"`
	Index    *int           `json:"index,omitempty"`
}

// UpdateDatasetContentRequest is the body of PATCH /datasets/{id}/content.
type UpdateDatasetContentRequest struct {
	Edits []DatasetEdit `json:"edits"`
}

// DatasetProjects is the body of GET /datasets/{id}/projects.
type DatasetProjects struct {
	Page
	Projects []DatasetProject `json:"projects"`
}

// DatasetProject is a project that uses a dataset.
type DatasetProject struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	CreatedByUser *UserInfo `json:"created_by_user"`
}

// Message is one chat message of a prompt template or an LLM span.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// PromptRunSettings are the model settings of a prompt run. Every field is
// sent, as the SDKs do: the runner needs a fully populated object.
type PromptRunSettings struct {
	Logprobs         bool            `json:"logprobs"`
	TopLogprobs      int             `json:"top_logprobs"`
	Echo             bool            `json:"echo"`
	N                int             `json:"n"`
	ReasoningEffort  string          `json:"reasoning_effort,omitempty"`
	Verbosity        string          `json:"verbosity,omitempty"`
	DeploymentName   *string         `json:"deployment_name"`
	ModelAlias       string          `json:"model_alias"`
	Temperature      *float64        `json:"temperature"`
	MaxTokens        int             `json:"max_tokens"`
	StopSequences    []string        `json:"stop_sequences"`
	TopP             float64         `json:"top_p"`
	TopK             int             `json:"top_k"`
	FrequencyPenalty float64         `json:"frequency_penalty"`
	PresencePenalty  float64         `json:"presence_penalty"`
	Tools            []any           `json:"tools"`
	ToolChoice       any             `json:"tool_choice"`
	ResponseFormat   json.RawMessage `json:"response_format,omitempty"`
}

// DefaultPromptSettings returns the settings the official SDKs send when a
// prompt template is run without explicit settings.
func DefaultPromptSettings() PromptRunSettings {
	t := 0.8
	return PromptRunSettings{
		Logprobs: true, TopLogprobs: 5, N: 1, ReasoningEffort: "medium", Verbosity: "medium",
		ModelAlias: "GPT-4o", Temperature: &t, MaxTokens: 256, TopP: 1, TopK: 40,
	}
}

// PromptTemplateVersion is one version of a prompt template
// (BasePromptTemplateVersionResponse). Template is either a string or a
// message list on the wire; Messages decodes it.
type PromptTemplateVersion struct {
	ID              string            `json:"id"`
	Version         int               `json:"version"`
	Template        json.RawMessage   `json:"template"`
	Raw             bool              `json:"raw"`
	Settings        PromptRunSettings `json:"settings"`
	OutputType      *string           `json:"output_type"`
	ModelChanged    bool              `json:"model_changed"`
	SettingsChanged bool              `json:"settings_changed"`
	ContentChanged  bool              `json:"content_changed"`
	LinesAdded      int               `json:"lines_added"`
	LinesEdited     int               `json:"lines_edited"`
	LinesRemoved    int               `json:"lines_removed"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	CreatedByUser   *UserInfo         `json:"created_by_user"`
}

// PromptTemplate is a stored prompt template (BasePromptTemplateResponse).
// SelectedVersionID is the id an experiment refers to.
type PromptTemplate struct {
	ID                   string                  `json:"id"`
	Name                 string                  `json:"name"`
	Template             string                  `json:"template"`
	SelectedVersion      PromptTemplateVersion   `json:"selected_version"`
	SelectedVersionID    string                  `json:"selected_version_id"`
	AllVersions          []PromptTemplateVersion `json:"all_versions"`
	AllAvailableVersions []int                   `json:"all_available_versions"`
	TotalVersions        int                     `json:"total_versions"`
	MaxVersion           int                     `json:"max_version"`
	CreatedAt            time.Time               `json:"created_at"`
	UpdatedAt            time.Time               `json:"updated_at"`
	CreatedByUser        *UserInfo               `json:"created_by_user"`
	Permissions          []any                   `json:"permissions"`
}

// CreatePromptTemplateRequest is the body of POST /templates.
type CreatePromptTemplateRequest struct {
	Name     string             `json:"name"`
	Template []Message          `json:"template"`
	Raw      bool               `json:"raw,omitempty"`
	Version  *int               `json:"version,omitempty"`
	Settings *PromptRunSettings `json:"settings,omitempty"`
	Hidden   bool               `json:"hidden,omitempty"`
}

// ListPromptTemplateResponse is the body of POST /templates/query.
type ListPromptTemplateResponse struct {
	Page
	Templates []PromptTemplate `json:"templates"`
}

// ScorerDefaults are a scorer's default judge settings.
type ScorerDefaults struct {
	ModelName          *string  `json:"model_name,omitempty"`
	NumJudges          *int     `json:"num_judges,omitempty"`
	Filters            []any    `json:"filters,omitempty"`
	ScoreableNodeTypes []string `json:"scoreable_node_types,omitempty"`
	CotEnabled         *bool    `json:"cot_enabled,omitempty"`
	OutputType         *string  `json:"output_type,omitempty"`
	InputType          *string  `json:"input_type,omitempty"`
}

// Scorer is one entry of POST /scorers/list (ScorerResponse).
type Scorer struct {
	ID                     string          `json:"id"`
	Name                   string          `json:"name"`
	Label                  *string         `json:"label"`
	ScorerType             string          `json:"scorer_type"`
	Tags                   []string        `json:"tags"`
	Defaults               *ScorerDefaults `json:"defaults,omitempty"`
	ModelType              *string         `json:"model_type,omitempty"`
	GroundTruth            *bool           `json:"ground_truth,omitempty"`
	OutputType             *string         `json:"output_type,omitempty"`
	InputType              *string         `json:"input_type,omitempty"`
	ScoreableNodeTypes     []string        `json:"scoreable_node_types,omitempty"`
	Description            *string         `json:"description,omitempty"`
	Deprecated             *bool           `json:"deprecated,omitempty"`
	RollUpMethod           *string         `json:"roll_up_method,omitempty"`
	MultimodalCapabilities []string        `json:"multimodal_capabilities,omitempty"`
	MetricName             *string         `json:"metric_name,omitempty"`
	IsGlobal               bool            `json:"is_global"`
	DefaultVersionID       *string         `json:"default_version_id,omitempty"`
	CreatedAt              *time.Time      `json:"created_at,omitempty"`
	UpdatedAt              *time.Time      `json:"updated_at,omitempty"`
}

// ScorerLabel returns the scorer's label, falling back to its name.
func (s *Scorer) ScorerLabel() string {
	if s.Label != nil && *s.Label != "" {
		return *s.Label
	}
	return s.Name
}

// Config turns the scorer into the ScorerConfig sent with an experiment or
// registered with a run's scorer settings, as the official Python SDK does
// (create_metric_configs in src/galileo/utils/metrics.py builds
// ScorerConfig.from_dict(scorer.to_dict())): the fields the scorer record
// and ScorerConfig share are copied as the server returned them. The
// scorer's Defaults are not lifted to the top level: model_name and
// num_judges are sent only when the caller sets them on the result, and
// the server otherwise applies the scorer's own defaults. Set
// ScorerVersion (see [ScorersService.Version] and [Scorer.ConfigVersion])
// to pin a version; without it the server uses the latest.
func (s *Scorer) Config() ScorerConfig {
	c := ScorerConfig{
		ID: s.ID, Name: &s.Name, ScorerType: s.ScorerType, ModelType: s.ModelType,
		OutputType: s.OutputType, InputType: s.InputType, RollUpMethod: s.RollUpMethod,
		ScoreableNodeTypes: s.ScoreableNodeTypes, MultimodalCapabilities: s.MultimodalCapabilities,
	}
	if s.Name == "" {
		c.Name = nil
	}
	return c
}

// ConfigVersion is [Scorer.Config] pinned to version v of the scorer, as
// the Python SDK's Metric(name=..., version=N) is: v becomes the config's
// scorer_version. A nil v is Config().
func (s *Scorer) ConfigVersion(v *ScorerVersion) ScorerConfig {
	c := s.Config()
	c.ScorerVersion = v
	return c
}

// ScorerVersion is one version of a scorer: the scorer_version of a
// ScorerConfig (BaseScorerVersionDB), as read from
// GET /scorers/{scorer_id}/version (BaseScorerVersionResponse, whose other
// fields are dropped).
type ScorerVersion struct {
	ID                 string   `json:"id"`
	Version            int      `json:"version"`
	ScorerID           string   `json:"scorer_id"`
	ModelName          *string  `json:"model_name,omitempty"`
	NumJudges          *int     `json:"num_judges,omitempty"`
	ScoreableNodeTypes []string `json:"scoreable_node_types,omitempty"`
	CotEnabled         *bool    `json:"cot_enabled,omitempty"`
	OutputType         *string  `json:"output_type,omitempty"`
	InputType          *string  `json:"input_type,omitempty"`
}

// ListScorersResponse is the body of POST /scorers/list.
type ListScorersResponse struct {
	Page
	Scorers []Scorer `json:"scorers"`
}

// ScorerConfig selects a scorer for an experiment.
type ScorerConfig struct {
	ID                 string   `json:"id"`
	Name               *string  `json:"name,omitempty"`
	ScorerType         string   `json:"scorer_type"`
	ModelName          *string  `json:"model_name,omitempty"`
	NumJudges          *int     `json:"num_judges,omitempty"`
	Filters            []any    `json:"filters,omitempty"`
	ScoreableNodeTypes []string `json:"scoreable_node_types,omitempty"`
	CotEnabled         *bool    `json:"cot_enabled,omitempty"`
	OutputType         *string  `json:"output_type,omitempty"`
	InputType          *string  `json:"input_type,omitempty"`
	ModelType          *string  `json:"model_type,omitempty"`
	RollUpMethod       *string  `json:"roll_up_method,omitempty"`
	// MultimodalCapabilities are the scorer's, as listed.
	MultimodalCapabilities []string `json:"multimodal_capabilities,omitempty"`
	// ScorerVersion pins the scorer version to use; nil: the latest.
	ScorerVersion *ScorerVersion `json:"scorer_version,omitempty"`
}

// RunScorerSettingsRequest is the body of POST .../runs/{run_id}/scorer-settings.
type RunScorerSettingsRequest struct {
	RunID          string         `json:"run_id"`
	Scorers        []ScorerConfig `json:"scorers"`
	SegmentFilters []any          `json:"segment_filters,omitempty"`
}

// RunScorerSettingsResponse is the body returned by the scorer-settings routes.
type RunScorerSettingsResponse struct {
	RunID          string         `json:"run_id"`
	Scorers        []ScorerConfig `json:"scorers"`
	SegmentFilters []any          `json:"segment_filters"`
}

// ExperimentDatasetRequest names the dataset version an experiment runs on.
type ExperimentDatasetRequest struct {
	DatasetID    string `json:"dataset_id"`
	VersionIndex int    `json:"version_index"`
}

// ExperimentCreateRequest is the body of POST /projects/{pid}/experiments.
type ExperimentCreateRequest struct {
	Name                    string                    `json:"name"`
	TaskType                int                       `json:"task_type"`
	Dataset                 *ExperimentDatasetRequest `json:"dataset,omitempty"`
	PromptTemplateVersionID *string                   `json:"prompt_template_version_id,omitempty"`
	PromptSettings          *PromptRunSettings        `json:"prompt_settings,omitempty"`
	Scorers                 []ScorerConfig            `json:"scorers,omitempty"`
	Trigger                 bool                      `json:"trigger,omitempty"`
	PlaygroundID            *string                   `json:"playground_id,omitempty"`
	PlaygroundPromptID      *string                   `json:"playground_prompt_id,omitempty"`
	ExperimentGroupID       *string                   `json:"experiment_group_id,omitempty"`
	ExperimentGroupName     *string                   `json:"experiment_group_name,omitempty"`
}

// ExperimentUpdateRequest is the body of PUT /projects/{pid}/experiments/{eid}.
type ExperimentUpdateRequest struct {
	Name                string  `json:"name"`
	TaskType            int     `json:"task_type"`
	ExperimentGroupID   *string `json:"experiment_group_id,omitempty"`
	ExperimentGroupName *string `json:"experiment_group_name,omitempty"`
}

// ExperimentDataset is the dataset an experiment ran on.
type ExperimentDataset struct {
	DatasetID    *string `json:"dataset_id"`
	VersionIndex *int    `json:"version_index"`
	Name         *string `json:"name"`
}

// ExperimentPrompt is the prompt template an experiment ran.
type ExperimentPrompt struct {
	PromptTemplateID *string `json:"prompt_template_id"`
	VersionIndex     *int    `json:"version_index"`
	Name             *string `json:"name"`
	Content          *string `json:"content"`
}

// ExperimentPlayground names the playground an experiment came from.
type ExperimentPlayground struct {
	PlaygroundID *string `json:"playground_id"`
	Name         *string `json:"name"`
}

// ExperimentPhaseStatus is the progress of one phase, from 0.0 to 1.0.
type ExperimentPhaseStatus struct {
	ProgressPercent float64 `json:"progress_percent"`
}

// ExperimentStatus is the server-side status of an experiment.
type ExperimentStatus struct {
	LogGeneration *ExperimentPhaseStatus `json:"log_generation,omitempty"`
}

// MetricAggregates are the server-side statistics of one metric over an
// experiment's rows. Every field is optional.
type MetricAggregates struct {
	Avg               *float64         `json:"avg,omitempty"`
	Sum               *float64         `json:"sum,omitempty"`
	Min               *float64         `json:"min,omitempty"`
	Max               *float64         `json:"max,omitempty"`
	Count             *int64           `json:"count,omitempty"`
	Pct               *float64         `json:"pct,omitempty"`
	P50               *float64         `json:"p50,omitempty"`
	P90               *float64         `json:"p90,omitempty"`
	P95               *float64         `json:"p95,omitempty"`
	P99               *float64         `json:"p99,omitempty"`
	ValueDistribution map[string]int64 `json:"value_distribution,omitempty"`
}

// RunTag is a tag on an experiment (RunTagDB).
type RunTag struct {
	ID        string    `json:"id"`
	Key       string    `json:"key"`
	Value     string    `json:"value"`
	TagType   string    `json:"tag_type"`
	ProjectID string    `json:"project_id"`
	RunID     string    `json:"run_id"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RunTagCreateRequest is the body of POST and PUT on experiment tags.
type RunTagCreateRequest struct {
	Key     string `json:"key"`
	Value   string `json:"value"`
	TagType string `json:"tag_type"`
}

// ExperimentResponse is an experiment as the API returns it.
type ExperimentResponse struct {
	ID                         string                      `json:"id"`
	ProjectID                  string                      `json:"project_id"`
	TaskType                   int                         `json:"task_type"`
	Name                       string                      `json:"name"`
	CreatedAt                  time.Time                   `json:"created_at"`
	UpdatedAt                  *time.Time                  `json:"updated_at"`
	CreatedBy                  *string                     `json:"created_by"`
	CreatedByUser              *UserInfo                   `json:"created_by_user"`
	NumSpans                   *int                        `json:"num_spans"`
	NumTraces                  *int                        `json:"num_traces"`
	NumSessions                *int                        `json:"num_sessions"`
	Dataset                    *ExperimentDataset          `json:"dataset"`
	AggregateMetrics           map[string]any              `json:"aggregate_metrics"`
	StructuredAggregateMetrics map[string]MetricAggregates `json:"structured_aggregate_metrics"`
	AggregateFeedback          map[string]any              `json:"aggregate_feedback,omitempty"`
	RatingAggregates           map[string]any              `json:"rating_aggregates,omitempty"`
	RankingScore               *float64                    `json:"ranking_score"`
	Rank                       *int                        `json:"rank"`
	Winner                     *bool                       `json:"winner"`
	PlaygroundID               *string                     `json:"playground_id"`
	Playground                 *ExperimentPlayground       `json:"playground"`
	PromptRunSettings          *PromptRunSettings          `json:"prompt_run_settings"`
	PromptModel                *string                     `json:"prompt_model"`
	Prompt                     *ExperimentPrompt           `json:"prompt"`
	Tags                       map[string][]RunTag         `json:"tags"`
	Status                     ExperimentStatus            `json:"status"`
	ExperimentGroupID          *string                     `json:"experiment_group_id"`
	ExperimentGroupName        *string                     `json:"experiment_group_name"`
	ExperimentGroupIsSystem    *bool                       `json:"experiment_group_is_system"`
}

// ListExperimentResponse is the body of the paginated and search experiment routes.
type ListExperimentResponse struct {
	Page
	Experiments []ExperimentResponse `json:"experiments"`
}

// ExperimentSearchRequest is the body of POST /projects/{pid}/experiments/search.
type ExperimentSearchRequest struct {
	StartingToken int      `json:"starting_token"`
	Limit         int      `json:"limit"`
	Filters       []Filter `json:"filters,omitempty"`
	Sort          *Sort    `json:"sort,omitempty"`
	IncludeCounts bool     `json:"include_counts,omitempty"`
}

// ColumnInfo describes a column of the experiments table or of records.
// Scorer-backed metric columns have ids "metrics/<scorer uuid>".
type ColumnInfo struct {
	ID              string   `json:"id"`
	Label           *string  `json:"label"`
	Category        string   `json:"category"`
	Description     *string  `json:"description,omitempty"`
	GroupLabel      *string  `json:"group_label,omitempty"`
	DataType        *string  `json:"data_type"`
	DataUnit        *string  `json:"data_unit,omitempty"`
	MultiValued     bool     `json:"multi_valued"`
	AllowedValues   []any    `json:"allowed_values,omitempty"`
	Sortable        bool     `json:"sortable"`
	Filterable      bool     `json:"filterable"`
	IsEmpty         bool     `json:"is_empty"`
	ApplicableTypes []string `json:"applicable_types,omitempty"`
	IsOptional      bool     `json:"is_optional"`
	RollUpMethod    *string  `json:"roll_up_method,omitempty"`
	MetricKeyAlias  *string  `json:"metric_key_alias,omitempty"`
	ScorerID        *string  `json:"scorer_id,omitempty"`
}

// ColumnsResponse is the body of the available_columns routes.
type ColumnsResponse struct {
	Columns []ColumnInfo `json:"columns"`
}

// AvailableColumnsRequest is the body of POST .../{traces|spans|sessions}/available_columns.
type AvailableColumnsRequest struct {
	LogStreamID  *string `json:"log_stream_id,omitempty"`
	ExperimentID *string `json:"experiment_id,omitempty"`
}

// Metrics are the measured values logged on a trace or span. Extra holds
// any further keys (client-side metrics) and is merged on the wire.
type Metrics struct {
	DurationNs         *int64 `json:"duration_ns"`
	NumInputTokens     *int64 `json:"num_input_tokens,omitempty"`
	NumOutputTokens    *int64 `json:"num_output_tokens,omitempty"`
	NumTotalTokens     *int64 `json:"num_total_tokens,omitempty"`
	TimeToFirstTokenNs *int64 `json:"time_to_first_token_ns,omitempty"`
}

// Span is a trace, or one of its spans, as sent to the ingest routes. Type is
// trace, workflow, llm, tool, retriever, agent or control. Input and Output
// hold a string, or for llm spans a message list and a message.
type Span struct {
	Type            string            `json:"type"`
	ID              string            `json:"id,omitempty"`
	Name            string            `json:"name"`
	CreatedAt       time.Time         `json:"created_at"`
	Input           any               `json:"input"`
	Output          any               `json:"output,omitempty"`
	UserMetadata    map[string]string `json:"user_metadata"`
	Tags            []string          `json:"tags"`
	StatusCode      *int              `json:"status_code,omitempty"`
	Metrics         Metrics           `json:"metrics"`
	ExternalID      *string           `json:"external_id,omitempty"`
	DatasetInput    *string           `json:"dataset_input,omitempty"`
	DatasetOutput   *string           `json:"dataset_output,omitempty"`
	DatasetMetadata map[string]string `json:"dataset_metadata"`
	SessionID       *string           `json:"session_id,omitempty"`
	TraceID         *string           `json:"trace_id,omitempty"`
	ParentID        *string           `json:"parent_id,omitempty"`
	StepNumber      *int              `json:"step_number,omitempty"`
	Model           *string           `json:"model,omitempty"`
	Temperature     *float64          `json:"temperature,omitempty"`
	FinishReason    *string           `json:"finish_reason,omitempty"`
	Spans           []Span            `json:"spans,omitempty"`
}

// MarshalJSON encodes the span, and its child spans, with CreatedAt
// truncated to microseconds: the API's timestamps, like those the Python
// SDK sends, have at most 6 fractional digits, while Go clocks have
// nanoseconds. The caller's value is not changed.
func (s Span) MarshalJSON() ([]byte, error) {
	type plain Span // without this method
	p := plain(s)
	p.CreatedAt = wireTime(p.CreatedAt)
	return json.Marshal(p)
}

// wireTime is t as the client sends it: truncated to microseconds (at
// most 6 fractional digits in JSON), the precision of the API and of the
// Python SDK's timestamps. Span and Filter values are sent this way.
func wireTime(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

// LogTracesIngestRequest is the body of POST /projects/{pid}/traces. Exactly
// one of LogStreamID and ExperimentID is set.
type LogTracesIngestRequest struct {
	LogStreamID       *string `json:"log_stream_id"`
	ExperimentID      *string `json:"experiment_id"`
	LoggingMethod     string  `json:"logging_method,omitempty"`
	ClientVersion     *string `json:"client_version,omitempty"`
	Reliable          bool    `json:"reliable"`
	SessionID         *string `json:"session_id,omitempty"`
	SessionExternalID *string `json:"session_external_id,omitempty"`
	Traces            []Span  `json:"traces"`
	IsComplete        bool    `json:"is_complete"`
	IncludeTraceIDs   bool    `json:"include_trace_ids,omitempty"`
}

// LogTracesIngestResponse is the body returned by trace ingest.
type LogTracesIngestResponse struct {
	ProjectID    string   `json:"project_id"`
	ProjectName  string   `json:"project_name"`
	ExperimentID *string  `json:"experiment_id"`
	LogStreamID  *string  `json:"log_stream_id"`
	SessionID    *string  `json:"session_id"`
	RecordsCount int      `json:"records_count"`
	TracesCount  int      `json:"traces_count"`
	SpansCount   int      `json:"spans_count"`
	TraceIDs     []string `json:"trace_ids,omitempty"`
}

// RecordType is the root type of a record query or export.
type RecordType string

// Record types.
const (
	RecordTrace   RecordType = "trace"
	RecordSpan    RecordType = "span"
	RecordSession RecordType = "session"
)

// LogRecordsQueryRequest is the body of POST /projects/{pid}/{traces|spans|sessions}/search.
type LogRecordsQueryRequest struct {
	StartingToken             int      `json:"starting_token"`
	Limit                     int      `json:"limit"`
	LogStreamID               *string  `json:"log_stream_id"`
	ExperimentID              *string  `json:"experiment_id"`
	Filters                   []Filter `json:"filters"`
	Sort                      *Sort    `json:"sort,omitempty"`
	TruncateFields            bool     `json:"truncate_fields"`
	IncludeCounts             bool     `json:"include_counts"`
	IncludeCodeMetricMetadata bool     `json:"include_code_metric_metadata"`
}

// MetricInfo is the scoring state of one metric on a record.
type MetricInfo struct {
	StatusType     string  `json:"status_type"`
	Value          any     `json:"value,omitempty"`
	Message        *string `json:"message,omitempty"`
	MetricKeyAlias *string `json:"metric_key_alias,omitempty"`
	ScorerType     *string `json:"scorer_type,omitempty"`
	Explanation    *string `json:"explanation,omitempty"`
}

// Record is one trace, span or session returned by search or export.
type Record struct {
	Type            string                `json:"type"`
	ID              string                `json:"id"`
	SessionID       string                `json:"session_id"`
	TraceID         *string               `json:"trace_id"`
	ParentID        *string               `json:"parent_id,omitempty"`
	ProjectID       string                `json:"project_id"`
	RunID           string                `json:"run_id"`
	Name            string                `json:"name"`
	Input           any                   `json:"input"`
	Output          any                   `json:"output"`
	CreatedAt       time.Time             `json:"created_at"`
	UpdatedAt       *time.Time            `json:"updated_at"`
	UserMetadata    map[string]string     `json:"user_metadata"`
	Tags            []string              `json:"tags"`
	StatusCode      *int                  `json:"status_code"`
	Metrics         map[string]any        `json:"metrics"`
	MetricInfo      map[string]MetricInfo `json:"metric_info"`
	DatasetInput    *string               `json:"dataset_input"`
	DatasetOutput   *string               `json:"dataset_output"`
	DatasetMetadata map[string]string     `json:"dataset_metadata"`
	IsComplete      bool                  `json:"is_complete"`
	HasChildren     *bool                 `json:"has_children"`
	NumSpans        *int                  `json:"num_spans,omitempty"`
	Model           *string               `json:"model,omitempty"`
	ErrorMessage    string                `json:"error_message,omitempty"`
}

// LogRecordsQueryResponse is the body returned by record search.
type LogRecordsQueryResponse struct {
	Page
	LastRowID *string  `json:"last_row_id"`
	Records   []Record `json:"records"`
}

// ExportFormat is the format of POST /projects/{pid}/export_records.
type ExportFormat string

// Export formats.
const (
	ExportJSONL     ExportFormat = "jsonl"
	ExportJSONLFlat ExportFormat = "jsonl_flat"
	ExportCSV       ExportFormat = "csv"
)

// LogRecordsExportRequest is the body of POST /projects/{pid}/export_records.
type LogRecordsExportRequest struct {
	RootType                  RecordType   `json:"root_type"`
	ColumnIDs                 []string     `json:"column_ids"`
	ExportFormat              ExportFormat `json:"export_format"`
	Redact                    bool         `json:"redact"`
	ExportComputedMetricsOnly bool         `json:"export_computed_metrics_only"`
	LogStreamID               *string      `json:"log_stream_id"`
	ExperimentID              *string      `json:"experiment_id"`
	Filters                   []Filter     `json:"filters"`
	Sort                      *Sort        `json:"sort,omitempty"`
	IncludeCodeMetricMetadata bool         `json:"include_code_metric_metadata"`
}

// CreateJobRequest is the body of POST /jobs (the legacy prompt-run flow).
type CreateJobRequest struct {
	JobName                 string             `json:"job_name"`
	ProjectID               string             `json:"project_id"`
	RunID                   string             `json:"run_id"`
	PromptTemplateVersionID *string            `json:"prompt_template_version_id,omitempty"`
	PromptSettings          *PromptRunSettings `json:"prompt_settings,omitempty"`
	DatasetID               *string            `json:"dataset_id,omitempty"`
	Scorers                 []ScorerConfig     `json:"scorers,omitempty"`
	TaskType                *int               `json:"task_type,omitempty"`
}

// CreateJobResponse is the body returned by POST /jobs.
type CreateJobResponse struct {
	CreateJobRequest
	JobID   *string `json:"job_id"`
	Message string  `json:"message"`
	Link    string  `json:"link"`
}

// Job is a server-side job (JobDB).
type Job struct {
	ID              string         `json:"id"`
	JobName         string         `json:"job_name"`
	ProjectID       string         `json:"project_id"`
	RunID           string         `json:"run_id"`
	Status          string         `json:"status"`
	Retries         int            `json:"retries"`
	RequestData     map[string]any `json:"request_data"`
	ErrorMessage    *string        `json:"error_message"`
	ProgressMessage *string        `json:"progress_message"`
	StepsCompleted  int            `json:"steps_completed"`
	StepsTotal      int            `json:"steps_total"`
	ProgressPercent float64        `json:"progress_percent"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	CompletedAt     *time.Time     `json:"completed_at"`
	FailedAt        *time.Time     `json:"failed_at"`
}

// ValidationError is one entry of a 422 body.
type ValidationError struct {
	Loc   []any          `json:"loc"`
	Msg   string         `json:"msg"`
	Type  string         `json:"type"`
	Input any            `json:"input,omitempty"`
	Ctx   map[string]any `json:"ctx,omitempty"`
}

// HTTPValidationError is the body of a 422 answer.
type HTTPValidationError struct {
	Detail []ValidationError `json:"detail"`
}

// StandardError is the structured error some API answers carry.
type StandardError struct {
	ErrorCode      int    `json:"error_code"`
	ErrorType      string `json:"error_type"`
	ErrorGroup     string `json:"error_group"`
	Severity       string `json:"severity"`
	Message        string `json:"message"`
	Retriable      bool   `json:"retriable"`
	Blocking       bool   `json:"blocking"`
	HTTPStatusCode int    `json:"http_status_code"`
}

// ErrorBody is the JSON of an error answer: detail is a string or a list
// of ValidationError; standard_error is optional.
type ErrorBody struct {
	Detail        json.RawMessage `json:"detail"`
	StandardError *StandardError  `json:"standard_error,omitempty"`
}
