package galileo

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// AddTag adds a tag (tag type "" means "generic"; "rag" is the other
// common type) and adds the tag the API returns to the cached
// [Experiment.Tags]; nothing is reloaded.
func (e *Experiment) AddTag(ctx context.Context, key, value, tagType string) error {
	r, err := e.snapshot()
	if err != nil {
		return err
	}
	tag, err := e.c.Experiments.AddTag(ctx, r.ProjectID, r.ID, RunTagCreateRequest{Key: key, Value: value, TagType: tagType})
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	tags := maps.Clone(e.resp.Tags)
	if tags == nil {
		tags = map[string][]RunTag{}
	}
	// A new slice: callers of Tags may hold the old one.
	tags[tag.TagType] = append(slices.Clip(tags[tag.TagType]), *tag)
	e.resp.Tags = tags
	return nil
}

// Tags returns the cached tags by tag type ("generic", "rag", ...).
func (e *Experiment) Tags() map[string][]RunTag {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.resp.Tags)
}

// Model returns the model alias of the experiment: the spec's Model, else
// the alias of the cached prompt run settings, else the cached prompt
// model; "" when none is known. No call is made.
func (e *Experiment) Model() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case strings.TrimSpace(e.spec.Model) != "":
		return strings.TrimSpace(e.spec.Model)
	case e.resp.PromptRunSettings != nil && e.resp.PromptRunSettings.ModelAlias != "":
		return e.resp.PromptRunSettings.ModelAlias
	case e.resp.PromptModel != nil:
		return *e.resp.PromptModel
	}
	return ""
}

// PromptModel returns the cached model alias the prompt ran with
// ("GPT-4o"), or "".
func (e *Experiment) PromptModel() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.resp.PromptModel == nil {
		return ""
	}
	return *e.resp.PromptModel
}

// promptRef returns the template id and name known to the handle: set with
// SetPrompt or the spec (either one replaces the cached experiment's
// prompt), else from the cached experiment.
func (e *Experiment) promptRef() (id, name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	id, name = e.promptID, e.promptName
	if id != "" || name != "" {
		return id, name // SetPrompt or the spec replace the cached prompt
	}
	if p := e.resp.Prompt; p != nil {
		if p.PromptTemplateID != nil {
			id = *p.PromptTemplateID
		}
		if p.Name != nil {
			name = *p.Name
		}
	}
	return id, name
}

// Prompt loads the experiment's prompt template (by id, else by name), or
// returns nil when the experiment has none. For playground experiments not
// yet run, set it first with [Experiment.SetPrompt].
func (e *Experiment) Prompt(ctx context.Context) (*PromptTemplate, error) {
	id, name := e.promptRef()
	switch {
	case id != "":
		return e.c.Prompts.Get(ctx, id)
	case name != "":
		return e.c.Prompts.GetByName(ctx, name)
	}
	return nil, nil
}

// PromptRef names a prompt template for [Experiment.SetPrompt], as the
// Python SDK's set_prompt(prompt_id=..., prompt_name=...) keywords do: a
// non-blank ID wins over Name. For a loaded template use
// [PromptTemplate.Ref].
type PromptRef struct {
	ID   string
	Name string
}

// Ref returns the template's id and name as a [PromptRef].
func (t *PromptTemplate) Ref() PromptRef { return PromptRef{ID: t.ID, Name: t.Name} }

// SetPrompt sets the prompt template the handle refers to, by id or by name
// (the id wins); the zero PromptRef clears it. It is local only: no call
// is made. [Experiment.Prompt] then loads that template.
func (e *Experiment) SetPrompt(p PromptRef) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.promptID, e.promptName = strings.TrimSpace(p.ID), strings.TrimSpace(p.Name)
}

// PromptTemplateSettings returns the settings stored on the prompt
// template's selected version, or nil when there is no template. The API
// does not apply them by itself: pass them as ExperimentSpec.PromptSettings
// to use them.
func (e *Experiment) PromptTemplateSettings(ctx context.Context) (*PromptRunSettings, error) {
	t, err := e.Prompt(ctx)
	if err != nil || t == nil {
		return nil, err
	}
	s := t.SelectedVersion.Settings
	return &s, nil
}

// Dataset loads the experiment's dataset, or returns nil when it has none.
func (e *Experiment) Dataset(ctx context.Context) (*Dataset, error) {
	e.mu.Lock()
	var id, name string
	if d := e.resp.Dataset; d != nil {
		if d.DatasetID != nil {
			id = *d.DatasetID
		}
		if d.Name != nil {
			name = *d.Name
		}
	}
	if id == "" && name == "" {
		id, name = strings.TrimSpace(e.spec.DatasetID), strings.TrimSpace(e.spec.DatasetName)
	}
	e.mu.Unlock()
	switch {
	case id != "":
		return e.c.Datasets.Get(ctx, id)
	case name != "":
		return e.c.Datasets.GetByName(ctx, name)
	}
	return nil, nil
}

// Project loads the experiment's project.
func (e *Experiment) Project(ctx context.Context) (*Project, error) {
	r, err := e.snapshot()
	if err != nil {
		return nil, err
	}
	return e.c.Projects.Get(ctx, r.ProjectID)
}

// PlaygroundName returns the name of the playground the experiment came
// from, or "".
func (e *Experiment) PlaygroundName() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p := e.resp.Playground; p != nil && p.Name != nil {
		return *p.Name
	}
	return ""
}
