package apispec

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestSpec_Quirks pins the defects of the upstream document that Load
// tolerates. If the document is regenerated and this fails, review the new
// findings before extending the list (and the package documentation).
// It validates the document as Load parsed it (parsing it again would take
// seconds under -race).
func TestSpec_Quirks(t *testing.T) {
	t.Parallel()
	s, err := loadSpec()
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	doc := s.doc
	if got := doc.OpenAPI; got != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", got)
	}
	err = doc.Validate(context.Background(), openapi3.EnableMultiError())
	var me openapi3.MultiError
	if !errors.As(err, &me) {
		t.Fatalf("strict validation: got %v, want a MultiError of the known quirks", err)
	}
	var got []string
	for _, e := range me {
		var coded openapi3.CodedError
		if !errors.As(e, &coded) {
			t.Errorf("finding without a code: %v", e)
			continue
		}
		msg := e.Error()
		// Keep the location part, which precedes the first detail.
		for _, cut := range []string{": invalid default", ": invalid example", ": extra sibling fields"} {
			if i := strings.Index(msg, cut); i >= 0 {
				msg = msg[:i]
			}
		}
		got = append(got, coded.Code()+" "+msg)
	}
	slices.Sort(got)
	want := []string{
		`default-violates-schema invalid components: schema "ListDatasetParams"`,
		`default-violates-schema invalid components: schema "ListPromptTemplateParams"`,
		`default-violates-schema invalid components: schema "ProjectCollectionParams"`,
		`default-violates-schema invalid paths: invalid path /datasets/query: invalid operation POST`,
		`default-violates-schema invalid paths: invalid path /projects/paginated: invalid operation POST`,
		`default-violates-schema invalid paths: invalid path /templates/query: invalid operation POST`,
		`example-violates-schema invalid components: schema "LogRecordsQueryCountRequest"`,
		`example-violates-schema invalid paths: invalid path /projects/{project_id}/sessions/count: invalid operation POST`,
		`example-violates-schema invalid paths: invalid path /projects/{project_id}/spans/count: invalid operation POST`,
		`example-violates-schema invalid paths: invalid path /projects/{project_id}/traces/count: invalid operation POST`,
		`extra-sibling-fields invalid components: schema "UpdateDatasetContentRequest"`,
		`extra-sibling-fields invalid paths: invalid path /datasets/{dataset_id}/content: invalid operation PATCH`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("strict validation findings changed:\ngot:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
