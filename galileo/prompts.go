package galileo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// PromptsService handles global prompt templates (/templates).
type PromptsService struct{ c *Client }

// PromptCreateOptions are the optional settings of [PromptsService.Create].
type PromptCreateOptions struct {
	// ProjectID links the new template to a project.
	ProjectID string
}

// Get returns the prompt template with the given id (GET /templates/{id}).
func (s *PromptsService) Get(ctx context.Context, id string) (*PromptTemplate, error) {
	if strings.TrimSpace(id) == "" {
		return nil, errors.New("galileo: Prompts.Get: empty template id")
	}
	var t PromptTemplate
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: "/templates/" + url.PathEscape(id), idempotent: true}, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// GetByName returns the prompt template with exactly this name
// (POST /templates/query?limit=1). When there is none the error matches
// [ErrNotFound].
func (s *PromptsService) GetByName(ctx context.Context, name string) (*PromptTemplate, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("galileo: Prompts.GetByName: empty template name")
	}
	body := ListParams{Filters: []Filter{{Name: "name", Operator: "eq", Value: name, CaseSensitive: ptr(true)}}}
	var out ListPromptTemplateResponse
	req := &request{method: http.MethodPost, path: "/templates/query", query: pageQuery(0, 1), body: body, idempotent: true}
	if _, err := s.c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	if len(out.Templates) == 0 {
		return nil, fmt.Errorf("galileo: prompt template %q: %w", name, ErrNotFound)
	}
	return &out.Templates[0], nil
}

// GetVersion returns one version of a prompt template
// (GET /templates/{id}/versions/{version}).
func (s *PromptsService) GetVersion(ctx context.Context, id string, version int) (*PromptTemplateVersion, error) {
	if strings.TrimSpace(id) == "" {
		return nil, errors.New("galileo: Prompts.GetVersion: empty template id")
	}
	var v PromptTemplateVersion
	path := "/templates/" + url.PathEscape(id) + "/versions/" + strconv.Itoa(version)
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: path, idempotent: true}, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// Create creates a global prompt template from chat messages (POST
// /templates). Use {{ variable }} placeholders; {{input}} is a dataset row's
// input. settings may be nil; they are stored on the template version but,
// as the API works, not applied to experiments automatically (see
// [ExperimentSpec.PromptSettings]).
//
// Unlike the Python SDK, Create does not rename on a duplicate name. If the
// call fails in a way that leaves it unknown whether the template was
// created, the client looks the name up before retrying.
func (s *PromptsService) Create(ctx context.Context, name string, messages []Message, settings *PromptRunSettings, opts *PromptCreateOptions) (*PromptTemplate, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("galileo: Prompts.Create: empty template name")
	}
	if len(messages) == 0 {
		return nil, fmt.Errorf("galileo: Prompts.Create %q: no messages: expected at least one", name)
	}
	var q url.Values
	if opts != nil && strings.TrimSpace(opts.ProjectID) != "" {
		q = url.Values{"project_id": {strings.TrimSpace(opts.ProjectID)}}
	}
	var out PromptTemplate
	req := &request{
		method: http.MethodPost,
		path:   "/templates",
		query:  q,
		body:   CreatePromptTemplateRequest{Name: name, Template: messages, Settings: settings},
		onAmbiguous: foundBy(&out, func(ctx context.Context) (*PromptTemplate, error) {
			return s.GetByName(ctx, name)
		}, nil),
	}
	if _, err := s.c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Ensure returns the prompt template named name, creating it from messages,
// settings and opts when there is none (see [PromptsService.Create]). A
// template created by someone else between the lookup and the create (the
// server answers 409) is looked up again and returned. An existing template
// is returned as it is: its messages and settings are not compared with the
// ones given, so give content-derived names to templates that must match
// their content.
func (s *PromptsService) Ensure(ctx context.Context, name string, messages []Message, settings *PromptRunSettings, opts *PromptCreateOptions) (*PromptTemplate, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("galileo: Prompts.Ensure: empty template name")
	}
	return ensure(ctx,
		func(ctx context.Context) (*PromptTemplate, error) { return s.GetByName(ctx, name) },
		func(ctx context.Context) (*PromptTemplate, error) {
			return s.Create(ctx, name, messages, settings, opts)
		}, nil)
}

// ResolveVersion returns the version of the stored template named name
// that an experiment runs: its selected version when version is nil, else
// that version number (GET /templates/{id}/versions/{version}). The
// version's ID is an experiment's prompt_template_version_id.
//
// An unknown template is an error matching [ErrNotFound]; an unknown
// version is an [*UnknownPromptVersionError], which matches ErrNotFound too.
func (s *PromptsService) ResolveVersion(ctx context.Context, name string, version *int) (*PromptTemplateVersion, error) {
	t, err := s.GetByName(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.version(ctx, t, version)
}

// find returns a template by id, else by name (the id wins).
func (s *PromptsService) find(ctx context.Context, id, name string) (*PromptTemplate, error) {
	if id := strings.TrimSpace(id); id != "" {
		return s.Get(ctx, id)
	}
	return s.GetByName(ctx, strings.TrimSpace(name))
}

// version returns version of t, or t's selected version when version is
// nil (without a call).
func (s *PromptsService) version(ctx context.Context, t *PromptTemplate, version *int) (*PromptTemplateVersion, error) {
	if version == nil {
		v := t.SelectedVersion
		if t.SelectedVersionID != "" {
			v.ID = t.SelectedVersionID
		}
		return &v, nil
	}
	v, err := s.GetVersion(ctx, t.ID, *version)
	if errors.Is(err, ErrNotFound) {
		return nil, &UnknownPromptVersionError{Template: t.Name, TemplateID: t.ID, Version: *version, Available: t.AllAvailableVersions, Err: err}
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// UnknownPromptVersionError reports a version number a prompt template
// does not have, for example:
//
//	galileo: prompt template "qa" has no version 7 (versions: 0, 1, 2)
//
// It matches [ErrNotFound] and unwraps to the API's answer.
type UnknownPromptVersionError struct {
	Template   string // the template's name
	TemplateID string
	Version    int
	// Available lists the template's version numbers, as the template
	// reports them (all_available_versions); it may be empty.
	Available []int
	Err       error
}

// Error names the template, the version and the available versions.
func (e *UnknownPromptVersionError) Error() string {
	msg := fmt.Sprintf("galileo: prompt template %q has no version %d", e.Template, e.Version)
	if len(e.Available) == 0 {
		return msg
	}
	vs := make([]string, len(e.Available))
	for i, v := range e.Available {
		vs[i] = strconv.Itoa(v)
	}
	return msg + " (versions: " + strings.Join(vs, ", ") + ")"
}

// Is matches ErrNotFound.
func (e *UnknownPromptVersionError) Is(target error) bool { return target == ErrNotFound }

// Unwrap returns the API's answer.
func (e *UnknownPromptVersionError) Unwrap() error { return e.Err }
