package galileo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// TagTypeGeneric is the default tag type; the API also knows "rag".
const TagTypeGeneric = "generic"

// DeleteTagResponse is the body returned by DELETE .../tags/{tag_id}.
type DeleteTagResponse struct {
	Message string `json:"message"`
}

func tagsPath(projectID, experimentID string) string {
	return experimentPath(projectID, experimentID) + "/tags"
}

// ListTags returns the tags of an experiment
// (GET /projects/{pid}/experiments/{eid}/tags).
func (s *ExperimentsService) ListTags(ctx context.Context, projectID, experimentID string) ([]RunTag, error) {
	if err := requireIDs("Experiments.ListTags", "project", projectID, "experiment", experimentID); err != nil {
		return nil, err
	}
	var out []RunTag
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: tagsPath(projectID, experimentID), idempotent: true}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// AddTag adds a tag to an experiment (POST /projects/{pid}/experiments/{eid}/tags).
// An empty TagType is sent as [TagTypeGeneric].
//
// A failure that leaves it unknown whether the tag was stored (a cut
// connection, a 5xx, the attempt timeout) makes the client list the
// experiment's tags before re-sending the request, and return an identical
// tag (same key, value and type) if it finds one. When the call ends with
// the outcome still unknown (an error matching [ErrOutcomeUnknown], which
// includes a context that ended while the request was on its way), the
// client remembers it: the next AddTag of the same tag on the same
// experiment through this client lists the tags first, so that repeating
// the call does not add the tag twice if the first request was stored
// late. Two AddTag calls for the same tag running at the same moment may
// both add it.
func (s *ExperimentsService) AddTag(ctx context.Context, projectID, experimentID string, tag RunTagCreateRequest) (*RunTag, error) {
	if err := requireIDs("Experiments.AddTag", "project", projectID, "experiment", experimentID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(tag.Key) == "" {
		return nil, fmt.Errorf("galileo: Experiments.AddTag: empty tag key")
	}
	if tag.TagType == "" {
		tag.TagType = TagTypeGeneric
	}
	var out RunTag
	existing := func(ctx context.Context) (bool, error) {
		tags, err := s.ListTags(ctx, projectID, experimentID)
		if err != nil {
			return false, err
		}
		for _, t := range tags {
			if t.Key == tag.Key && t.Value == tag.Value && t.TagType == tag.TagType {
				out = t
				return true, nil
			}
		}
		return false, nil
	}
	key := unsureTag{projectID: projectID, experimentID: experimentID, tag: tag}
	if _, unsure := s.c.unsureTags.Load(key); unsure {
		found, err := existing(ctx)
		if err != nil {
			return nil, fmt.Errorf("galileo: Experiments.AddTag: looking for the tag an earlier call may have added: %w", err)
		}
		if found {
			s.c.unsureTags.Delete(key)
			return &out, nil
		}
	}
	req := &request{method: http.MethodPost, path: tagsPath(projectID, experimentID), body: tag, onAmbiguous: existing}
	if _, err := s.c.call(ctx, req, &out); err != nil {
		if errors.Is(err, ErrOutcomeUnknown) {
			s.c.unsureTags.Store(key, struct{}{})
		}
		return nil, err
	}
	s.c.unsureTags.Delete(key)
	return &out, nil
}

// unsureTag identifies a tag creation whose outcome stayed unknown.
type unsureTag struct {
	projectID, experimentID string
	tag                     RunTagCreateRequest
}

// GetTag returns one tag (GET .../tags/{tag_id}).
func (s *ExperimentsService) GetTag(ctx context.Context, projectID, experimentID, tagID string) (*RunTag, error) {
	if err := requireIDs("Experiments.GetTag", "project", projectID, "experiment", experimentID, "tag", tagID); err != nil {
		return nil, err
	}
	var out RunTag
	path := tagsPath(projectID, experimentID) + "/" + url.PathEscape(tagID)
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: path, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateTag replaces a tag's key, value and type (PUT .../tags/{tag_id}).
// An empty TagType is sent as [TagTypeGeneric].
func (s *ExperimentsService) UpdateTag(ctx context.Context, projectID, experimentID, tagID string, tag RunTagCreateRequest) (*RunTag, error) {
	if err := requireIDs("Experiments.UpdateTag", "project", projectID, "experiment", experimentID, "tag", tagID); err != nil {
		return nil, err
	}
	if tag.TagType == "" {
		tag.TagType = TagTypeGeneric
	}
	var out RunTag
	path := tagsPath(projectID, experimentID) + "/" + url.PathEscape(tagID)
	if _, err := s.c.call(ctx, &request{method: http.MethodPut, path: path, body: tag, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteTag deletes a tag (DELETE .../tags/{tag_id}).
func (s *ExperimentsService) DeleteTag(ctx context.Context, projectID, experimentID, tagID string) error {
	if err := requireIDs("Experiments.DeleteTag", "project", projectID, "experiment", experimentID, "tag", tagID); err != nil {
		return err
	}
	var out DeleteTagResponse
	path := tagsPath(projectID, experimentID) + "/" + url.PathEscape(tagID)
	_, err := s.c.call(ctx, &request{method: http.MethodDelete, path: path, idempotent: true}, &out)
	return err
}
