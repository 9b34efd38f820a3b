package emulator

import "net/http"

// routes registers every API route as a net/http.ServeMux pattern. Flags:
// flagOpen (no authentication), flagV2 (also served below /v2, as the trace
// family is). The method and path of a route, "GET /projects/{project_id}",
// is also its fault key (Server.Fault).
func (s *Server) routes() *router {
	r := newRouter(s.serveRoute)
	const (
		get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
	)
	// Auth.
	r.add(get, "/healthcheck", s.handleHealthcheck, flagOpen)
	r.add(post, "/login/api_key", s.handleLoginAPIKey, flagOpen)
	r.add(post, "/login", s.handleLogin, flagOpen)
	r.add(post, "/refresh_token", s.handleRefreshToken, flagOpen)
	r.add(get, "/current_user", s.handleCurrentUser)

	// Projects and log streams.
	r.add(get, "/projects", s.handleListProjects)
	r.add(post, "/projects", s.handleCreateProject)
	r.add(get, "/projects/all", s.handleAllProjects)
	r.add(post, "/projects/paginated", s.handlePaginatedProjects)
	r.add(get, "/projects/{project_id}", s.handleGetProject)
	r.add(put, "/projects/{project_id}", s.handleUpdateProject)
	r.add(del, "/projects/{project_id}", s.handleDeleteProject)
	r.add(get, "/projects/{project_id}/log_streams", s.handleListLogStreams, flagV2)
	r.add(post, "/projects/{project_id}/log_streams", s.handleCreateLogStream, flagV2)

	// Datasets.
	r.add(post, "/datasets", s.handleCreateDataset)
	r.add(get, "/datasets", s.handleListDatasets)
	r.add(post, "/datasets/query", s.handleQueryDatasets)
	r.add(get, "/datasets/{dataset_id}", s.handleGetDataset)
	r.add(patch, "/datasets/{dataset_id}", s.handleUpdateDataset)
	r.add(del, "/datasets/{dataset_id}", s.handleDeleteDataset)
	r.add(get, "/datasets/{dataset_id}/content", s.handleDatasetContent)
	r.add(patch, "/datasets/{dataset_id}/content", s.handlePatchDatasetContent)
	r.add(put, "/datasets/{dataset_id}/content", s.handleUpsertDatasetContent)
	r.add(get, "/datasets/{dataset_id}/projects", s.handleDatasetProjects)
	r.add(post, "/datasets/{dataset_id}/versions/query", s.handleDatasetVersions)
	r.add(get, "/datasets/{dataset_id}/versions/{version_index}/content", s.handleDatasetVersionContent)

	// Prompt templates.
	r.add(post, "/templates", s.handleCreateTemplate)
	r.add(post, "/templates/query", s.handleQueryTemplates)
	r.add(post, "/render_template", s.handleRenderTemplate)
	r.add(get, "/templates/{template_id}", s.handleGetTemplate)
	r.add(patch, "/templates/{template_id}", s.handleUpdateTemplate)
	r.add(del, "/templates/{template_id}", s.handleDeleteTemplate)
	r.add(post, "/templates/{template_id}/versions", s.handleCreateTemplateVersion)
	r.add(post, "/templates/{template_id}/versions/query", s.handleQueryTemplateVersions)
	r.add(get, "/templates/{template_id}/versions/{version}", s.handleGetTemplateVersion)
	r.add(put, "/templates/{template_id}/versions/{version}", s.handleSelectTemplateVersion)
	r.add(post, "/projects/{project_id}/templates", s.handleCreateProjectTemplate)
	r.add(get, "/projects/{project_id}/templates", s.handleProjectTemplates)
	r.add(get, "/projects/{project_id}/templates/versions", s.handleProjectTemplateVersionByName)
	r.add(get, "/projects/{project_id}/templates/{template_id}", s.handleGetTemplate)
	r.add(post, "/projects/{project_id}/templates/{template_id}/versions", s.handleCreateTemplateVersion)
	r.add(get, "/projects/{project_id}/templates/{template_id}/versions/{version}", s.handleGetTemplateVersion)
	r.add(put, "/projects/{project_id}/templates/{template_id}/versions/{version}", s.handleSelectTemplateVersion)

	// Scorers.
	r.add(post, "/scorers/list", s.handleListScorers)
	r.add(get, "/scorers/{scorer_id}", s.handleGetScorer)
	r.add(get, "/scorers/{scorer_id}/version", s.handleGetScorerVersion)

	// Experiments.
	r.add(get, "/projects/{project_id}/experiments", s.handleListExperiments)
	r.add(post, "/projects/{project_id}/experiments", s.handleCreateExperiment)
	r.add(get, "/projects/{project_id}/experiments/paginated", s.handlePaginatedExperiments)
	r.add(post, "/projects/{project_id}/experiments/search", s.handleSearchExperiments)
	r.add(post, "/projects/{project_id}/experiments/available_columns", s.handleExperimentColumns)
	r.add(post, "/projects/{project_id}/experiments/metrics", s.handleExperimentMetrics)
	r.add(get, "/projects/{project_id}/experiments/{experiment_id}", s.handleGetExperiment)
	r.add(put, "/projects/{project_id}/experiments/{experiment_id}", s.handleUpdateExperiment)
	r.add(del, "/projects/{project_id}/experiments/{experiment_id}", s.handleDeleteExperiment)
	r.add(post, "/projects/{project_id}/experiments/{experiment_id}/metrics", s.handleExperimentMetrics)
	r.add(get, "/projects/{project_id}/experiments/{experiment_id}/metric_settings", s.handleMetricSettings)
	r.add(patch, "/projects/{project_id}/experiments/{experiment_id}/metric_settings", s.handleMetricSettings)
	r.add(get, "/projects/{project_id}/experiments/{experiment_id}/tags", s.handleListTags)
	r.add(post, "/projects/{project_id}/experiments/{experiment_id}/tags", s.handleCreateTag)
	r.add(get, "/projects/{project_id}/experiments/{experiment_id}/tags/{tag_id}", s.handleGetTag)
	r.add(put, "/projects/{project_id}/experiments/{experiment_id}/tags/{tag_id}", s.handleUpdateTag)
	r.add(del, "/projects/{project_id}/experiments/{experiment_id}/tags/{tag_id}", s.handleDeleteTag)
	r.add(get, "/projects/{project_id}/runs/{run_id}/scorer-settings", s.handleScorerSettings)
	r.add(post, "/projects/{project_id}/runs/{run_id}/scorer-settings", s.handleScorerSettings)
	r.add(patch, "/projects/{project_id}/runs/{run_id}/scorer-settings", s.handleScorerSettings)
	r.add(get, "/projects/{project_id}/runs/{run_id}/jobs", s.handleRunJobs)

	// Jobs.
	r.add(post, "/jobs", s.handleCreateJob)
	r.add(get, "/jobs/{job_id}", s.handleGetJob)

	// Traces, spans, sessions (also below /v2).
	r.add(post, "/projects/{project_id}/traces", s.handleIngestTraces, flagV2)
	r.add(get, "/projects/{project_id}/traces/{trace_id}", s.handleGetTrace, flagV2)
	r.add(patch, "/projects/{project_id}/traces/{trace_id}", s.handlePatchTrace, flagV2)
	r.add(post, "/projects/{project_id}/traces/search", s.handleSearchTraces, flagV2)
	r.add(post, "/projects/{project_id}/traces/count", s.handleCountTraces, flagV2)
	r.add(post, "/projects/{project_id}/traces/available_columns", s.handleTraceColumns, flagV2)
	r.add(post, "/projects/{project_id}/spans", s.handleIngestSpans, flagV2)
	r.add(get, "/projects/{project_id}/spans/{span_id}", s.handleGetSpan, flagV2)
	r.add(patch, "/projects/{project_id}/spans/{span_id}", s.handlePatchSpan, flagV2)
	r.add(post, "/projects/{project_id}/spans/search", s.handleSearchSpans, flagV2)
	r.add(post, "/projects/{project_id}/spans/count", s.handleCountSpans, flagV2)
	r.add(post, "/projects/{project_id}/spans/available_columns", s.handleSpanColumns, flagV2)
	r.add(post, "/projects/{project_id}/sessions", s.handleCreateSession, flagV2)
	r.add(get, "/projects/{project_id}/sessions/{session_id}", s.handleGetSession, flagV2)
	r.add(post, "/projects/{project_id}/sessions/search", s.handleSearchSessions, flagV2)
	r.add(post, "/projects/{project_id}/sessions/count", s.handleCountSessions, flagV2)
	r.add(post, "/projects/{project_id}/sessions/available_columns", s.handleSessionColumns, flagV2)
	r.add(post, "/projects/{project_id}/export_records", s.handleExport, flagV2)
	r.add(post, "/projects/{project_id}/metrics/search", s.handleQueryMetrics, flagV2)
	return r
}
