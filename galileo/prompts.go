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
