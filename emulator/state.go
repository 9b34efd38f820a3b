package emulator

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

// The emulator keeps one user: every resource is created by it.
const (
	userID    = "e0000000-0000-4000-8000-000000000001"
	userEmail = "user@emulator.invalid"
)

func userInfo() *galileo.UserInfo {
	f, l := "Emulator", "User"
	return &galileo.UserInfo{ID: userID, Email: userEmail, FirstName: &f, LastName: &l}
}

// The persisted entities. Their exported fields are what the data directory
// stores and what Dump returns; everything derived (scores, aggregates,
// ranks, progress) is recomputed from them.

type projectRec struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	Description *string   `json:"description,omitempty"`
	Labels      []string  `json:"labels,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type logStreamRec struct {
	ID        string    `json:"id"`
	ProjectID string    `json:"project_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// Scorers and SegmentFilters are the run's scorer settings (POST
	// /projects/{pid}/runs/{run_id}/scorer-settings); nothing scores them.
	Scorers        []galileo.ScorerConfig `json:"scorers,omitempty"`
	SegmentFilters []any                  `json:"segment_filters,omitempty"`
}

type datasetRec struct {
	ID         string        `json:"id"`
	Name       string        `json:"name"`
	ProjectIDs []string      `json:"project_ids"`
	Draft      bool          `json:"draft"`
	CreatedAt  time.Time     `json:"created_at"`
	UpdatedAt  time.Time     `json:"updated_at"`
	ETag       string        `json:"etag"`
	Versions   []*datasetVer `json:"versions"`
}

type datasetVer struct {
	Index          int       `json:"index"`
	Columns        []string  `json:"columns"`
	Rows           []*rowRec `json:"rows"`
	CreatedAt      time.Time `json:"created_at"`
	RowsAdded      int       `json:"rows_added"`
	RowsRemoved    int       `json:"rows_removed"`
	RowsEdited     int       `json:"rows_edited"`
	ColumnsAdded   int       `json:"columns_added"`
	ColumnsRemoved int       `json:"columns_removed"`
	ColumnsRenamed int       `json:"columns_renamed"`
}

type rowRec struct {
	ID               string         `json:"id"`
	Values           map[string]any `json:"values"`
	CreatedInVersion int            `json:"created_in_version"`
	UpdatedInVersion int            `json:"updated_in_version"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
}

func (d *datasetRec) current() *datasetVer { return d.Versions[len(d.Versions)-1] }

type templateRec struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	ProjectIDs []string       `json:"project_ids"`
	Selected   int            `json:"selected"`
	Versions   []*templateVer `json:"versions"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
}

type templateVer struct {
	ID         string                    `json:"id"`
	Version    int                       `json:"version"`
	Template   json.RawMessage           `json:"template"` // a string or a message list
	Raw        bool                      `json:"raw"`
	Settings   galileo.PromptRunSettings `json:"settings"`
	OutputType *string                   `json:"output_type,omitempty"`
	CreatedAt  time.Time                 `json:"created_at"`
}

func (t *templateRec) version(v int) *templateVer {
	for _, tv := range t.Versions {
		if tv.Version == v {
			return tv
		}
	}
	return nil
}

func (t *templateRec) selected() *templateVer {
	if v := t.version(t.Selected); v != nil {
		return v
	}
	return t.Versions[len(t.Versions)-1]
}

// promptRun is the server-side generation an experiment was triggered with.
type promptRun struct {
	// Kind is "template" (render and call a model) or "generated_output"
	// (copy the dataset's generated_output column).
	Kind              string                     `json:"kind"`
	TemplateID        string                     `json:"template_id,omitempty"`
	TemplateVersionID string                     `json:"template_version_id,omitempty"`
	Settings          *galileo.PromptRunSettings `json:"settings,omitempty"`
	JobID             string                     `json:"job_id,omitempty"`
	StartedAt         time.Time                  `json:"started_at"`
}

type experimentRec struct {
	ID             string                 `json:"id"`
	ProjectID      string                 `json:"project_id"`
	Name           string                 `json:"name"`
	TaskType       int                    `json:"task_type"`
	CreatedAt      time.Time              `json:"created_at"`
	UpdatedAt      time.Time              `json:"updated_at"`
	DatasetID      string                 `json:"dataset_id,omitempty"`
	DatasetVersion int                    `json:"dataset_version,omitempty"`
	Scorers        []galileo.ScorerConfig `json:"scorers"`
	SegmentFilters []any                  `json:"segment_filters,omitempty"`
	Tags           []galileo.RunTag       `json:"tags"`
	GroupID        string                 `json:"group_id,omitempty"`
	GroupName      string                 `json:"group_name,omitempty"`
	GroupIsSystem  bool                   `json:"group_is_system,omitempty"`
	// Prompt is the template version the experiment names (also without a run).
	TemplateVersionID string                     `json:"template_version_id,omitempty"`
	PromptSettings    *galileo.PromptRunSettings `json:"prompt_settings,omitempty"`
	Run               *promptRun                 `json:"run,omitempty"`
}

type jobRec struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	ProjectID   string         `json:"project_id"`
	RunID       string         `json:"run_id"`
	RequestData map[string]any `json:"request_data"`
	CreatedAt   time.Time      `json:"created_at"`
}

// node is a stored trace or span (Type says which). Traces hold their
// spans as a tree.
type node struct {
	Type            string            `json:"type"`
	ID              string            `json:"id"`
	ProjectID       string            `json:"project_id"`
	RunID           string            `json:"run_id"`
	SessionID       string            `json:"session_id"`
	TraceID         string            `json:"trace_id,omitempty"`
	ParentID        string            `json:"parent_id,omitempty"`
	Name            string            `json:"name"`
	Input           any               `json:"input"`
	Output          any               `json:"output"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	UserMetadata    map[string]string `json:"user_metadata,omitempty"`
	Tags            []string          `json:"tags,omitempty"`
	StatusCode      *int              `json:"status_code,omitempty"`
	Metrics         map[string]any    `json:"metrics,omitempty"`
	ExternalID      *string           `json:"external_id,omitempty"`
	DatasetInput    *string           `json:"dataset_input,omitempty"`
	DatasetOutput   *string           `json:"dataset_output,omitempty"`
	DatasetMetadata map[string]string `json:"dataset_metadata,omitempty"`
	IsComplete      bool              `json:"is_complete"`
	StepNumber      *int              `json:"step_number,omitempty"`
	Model           *string           `json:"model,omitempty"`
	Temperature     *float64          `json:"temperature,omitempty"`
	FinishReason    *string           `json:"finish_reason,omitempty"`
	Tools           []any             `json:"tools,omitempty"`
	ErrorMessage    string            `json:"error_message,omitempty"`
	RowID           string            `json:"row_id,omitempty"` // dataset row a prompt run generated this trace from
	Spans           []*node           `json:"spans,omitempty"`

	// score is what the scoring computed for this trace, kept beside it
	// (nil until scored; a replaced trace is a new node, so it starts
	// unscored). Derived, never stored.
	score *traceScore
}

// walk calls fn for n and every span below it, parents first.
func (n *node) walk(fn func(*node)) {
	fn(n)
	for _, c := range n.Spans {
		c.walk(fn)
	}
}

func (n *node) countSpans() int {
	c := 0
	n.walk(func(*node) { c++ })
	return c - 1
}

// state is everything the emulator stores. It is guarded by Server.mu.
type state struct {
	Projects    map[string]*projectRec    `json:"projects"`
	LogStreams  map[string]*logStreamRec  `json:"log_streams"`
	Datasets    map[string]*datasetRec    `json:"datasets"`
	Templates   map[string]*templateRec   `json:"templates"`
	Experiments map[string]*experimentRec `json:"experiments"`
	Jobs        map[string]*jobRec        `json:"jobs"`
	Traces      map[string]*node          `json:"traces"`

	// Derived indexes, rebuilt as entities change.
	runTraces   map[string][]*node // run id -> traces in arrival order
	nodes       map[string]*node   // every span id (and trace id) -> node
	templateVer map[string]*templateRec
	runs        map[string]*runState // experiment id -> scoring state
	// seq numbers entity creation so equal timestamps still sort stably.
	seq      int64
	created  map[string]int64
	versions map[string]int // project id -> bumped when scores change (ranking cache)
	ranked   map[string]int // project id -> the version its ranks were computed at (guarded by Server.aggMu under a read lock)
}

func newState() *state {
	return &state{
		Projects:    map[string]*projectRec{},
		LogStreams:  map[string]*logStreamRec{},
		Datasets:    map[string]*datasetRec{},
		Templates:   map[string]*templateRec{},
		Experiments: map[string]*experimentRec{},
		Jobs:        map[string]*jobRec{},
		Traces:      map[string]*node{},
		runTraces:   map[string][]*node{},
		nodes:       map[string]*node{},
		templateVer: map[string]*templateRec{},
		runs:        map[string]*runState{},
		created:     map[string]int64{},
		versions:    map[string]int{},
		ranked:      map[string]int{},
	}
}

func (st *state) order(id string) int64 {
	if v, ok := st.created[id]; ok {
		return v
	}
	st.seq++
	st.created[id] = st.seq
	return st.seq
}

// ids returns the ids of the stored entities, template versions, traces
// and spans, for the id source to avoid after a replay.
func (st *state) ids() map[string]bool {
	ids := make(map[string]bool, len(st.created)+len(st.nodes)+len(st.templateVer))
	for id := range st.created {
		ids[id] = true
	}
	for id := range st.nodes {
		ids[id] = true
	}
	for id := range st.templateVer {
		ids[id] = true
	}
	return ids
}

func (st *state) putProject(p *projectRec)     { st.order(p.ID); st.Projects[p.ID] = p }
func (st *state) putLogStream(l *logStreamRec) { st.order(l.ID); st.LogStreams[l.ID] = l }
func (st *state) putDataset(d *datasetRec)     { st.order(d.ID); st.Datasets[d.ID] = d }
func (st *state) putJob(j *jobRec)             { st.order(j.ID); st.Jobs[j.ID] = j }

func (st *state) putTemplate(t *templateRec) {
	st.order(t.ID)
	if old := st.Templates[t.ID]; old != nil {
		for _, v := range old.Versions {
			delete(st.templateVer, v.ID)
		}
	}
	st.Templates[t.ID] = t
	for _, v := range t.Versions {
		st.templateVer[v.ID] = t
	}
}

func (st *state) deleteTemplate(id string) {
	if t := st.Templates[id]; t != nil {
		for _, v := range t.Versions {
			delete(st.templateVer, v.ID)
		}
	}
	delete(st.Templates, id)
}

func (st *state) putExperiment(e *experimentRec) {
	st.order(e.ID)
	st.Experiments[e.ID] = e
	if st.runs[e.ID] == nil {
		st.runs[e.ID] = newRunState()
	}
}

func (st *state) deleteRun(runID string) {
	for _, t := range st.runTraces[runID] {
		delete(st.Traces, t.ID)
		t.walk(func(n *node) { delete(st.nodes, n.ID) })
	}
	delete(st.runTraces, runID)
	delete(st.runs, runID)
}

func (st *state) deleteExperiment(id string) {
	if e := st.Experiments[id]; e != nil {
		st.versions[e.ProjectID]++
	}
	delete(st.Experiments, id)
	st.deleteRun(id)
	for jid, j := range st.Jobs {
		if j.RunID == id {
			delete(st.Jobs, jid)
		}
	}
}

func (st *state) deleteProject(id string) {
	for eid, e := range st.Experiments {
		if e.ProjectID == id {
			st.deleteExperiment(eid)
		}
	}
	for lid, l := range st.LogStreams {
		if l.ProjectID == id {
			st.deleteRun(lid)
			delete(st.LogStreams, lid)
		}
	}
	delete(st.Projects, id)
}

// putTrace stores a complete trace tree, replacing an earlier version with
// the same id in place (arrival order is kept).
func (st *state) putTrace(t *node) {
	old := st.Traces[t.ID]
	st.Traces[t.ID] = t
	if old != nil {
		old.walk(func(n *node) { delete(st.nodes, n.ID) })
		list := st.runTraces[t.RunID]
		for i, o := range list {
			if o == old {
				list[i] = t
				break
			}
		}
	} else {
		st.order(t.ID)
		st.runTraces[t.RunID] = append(st.runTraces[t.RunID], t)
	}
	t.walk(func(n *node) { st.nodes[n.ID] = n })
	if rs := st.runs[t.RunID]; rs != nil {
		if old != nil && old.score != nil {
			rs.aggs.stale = true // its scores leave the aggregates
		}
		if old != nil && old.IsComplete {
			rs.complete--
		}
		if t.IsComplete {
			rs.complete++
		}
		if t.RowID != "" {
			rs.generated[t.RowID] = true
		}
	}
}

// sortedIDs returns the keys of m in creation order.
func sortedIDs[T any](st *state, m map[string]T) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return st.created[ids[i]] < st.created[ids[j]] })
	return ids
}

func (d *datasetRec) listKeys() listKeys    { return listKeys{d.Name, d.CreatedAt, d.UpdatedAt} }
func (t *templateRec) listKeys() listKeys   { return listKeys{t.Name, t.CreatedAt, t.UpdatedAt} }
func (e *experimentRec) listKeys() listKeys { return listKeys{e.Name, e.CreatedAt, e.UpdatedAt} }
