package apispec_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/galileo-community/galileo-go/internal/apispec"
)

func ExampleValidator_ValidateRequest() {
	v, err := apispec.Load(apispec.AllowRoutes(apispec.OffSpecRoutes()...))
	if err != nil {
		fmt.Println(err)
		return
	}
	body := `{"name": "nightly-qa", "task_type": "sixteen"}`
	r, _ := http.NewRequest("POST", "http://127.0.0.1:8088/projects/8b0d7c1e-1a51-4d0c-9a53-2f5ad6f9b0a1/experiments", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")

	var e *apispec.Error
	if err := v.ValidateRequest(r, []byte(body)); errors.As(err, &e) {
		fmt.Println(e.Route)
		fmt.Println(e.Problems[0])
	}

	r, _ = http.NewRequest("POST", "http://127.0.0.1:8088/v2/projects/8b0d7c1e-1a51-4d0c-9a53-2f5ad6f9b0a1/sessions/search", nil)
	fmt.Println(v.Route(r))
	r, _ = http.NewRequest("GET", "http://127.0.0.1:8088/unknown", nil)
	fmt.Println(errors.Is(v.ValidateRequest(r, nil), apispec.ErrUnknownRoute))
	// Output:
	// POST /projects/{project_id}/experiments
	// body (ExperimentCreateRequest) at "/task_type": 'anyOf' failed (got string, want integer)
	// POST /projects/{project_id}/sessions/search <nil>
	// true
}
