package galileo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/galileo-community/galileo-go/galileo"
)

// exampleAPI stands in for the Galileo API so that the examples run
// anywhere: it serves the login exchange, the healthcheck and the current
// user, and answers 404 elsewhere.
func exampleAPI() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/healthcheck":
			_ = json.NewEncoder(w).Encode(galileo.Healthcheck{APIVersion: "v2", Message: "ok", Version: "1.0.0"})
		case "/login/api_key":
			_ = json.NewEncoder(w).Encode(galileo.Token{AccessToken: "example-token", TokenType: "bearer"})
		case "/current_user":
			if r.Header.Get("Authorization") != "Bearer example-token" {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"detail":"Not authenticated"}`))
				return
			}
			_ = json.NewEncoder(w).Encode(galileo.CurrentUser{ID: "u1", Email: "qa@example.com", Role: "user"})
		default:
			w.Header().Set("X-Request-Id", "req-42")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"detail":"Project not found"}`))
		}
	}))
}

func ExampleNewClient() {
	api := exampleAPI()
	defer api.Close()

	c, err := galileo.NewClient(
		galileo.WithBaseURL(api.URL), // omit for https://api.galileo.ai
		galileo.WithAPIKey("my-api-key"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	h, err := c.Healthcheck(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The first authenticated call logs in with the API key.
	u, err := c.CurrentUser(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.Message, u.Email)
	// Printing a client never shows its credentials.
	fmt.Println(strings.Contains(fmt.Sprintf("%+v", c), "my-api-key"))
	// Output:
	// ok qa@example.com
	// false
}

func ExampleNewClient_invalidURL() {
	_, err := galileo.NewClient(galileo.WithBaseURL("api.galileo.ai"))
	fmt.Println(err)
	// Output:
	// galileo: API URL "api.galileo.ai" has no scheme; expected an absolute http(s) URL such as https://api.galileo.ai
}

func ExampleAPIError() {
	api := exampleAPI()
	defer api.Close()
	c, err := galileo.NewClient(galileo.WithBaseURL(api.URL), galileo.WithAPIKey("my-api-key"))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.Projects.Get(context.Background(), "p-missing")
	fmt.Println(errors.Is(err, galileo.ErrNotFound))
	var apiErr *galileo.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Message, apiErr.RequestID)
	}
	// Output:
	// true
	// 404 Project not found req-42
}

func ExampleErrNoCredentials() {
	api := exampleAPI()
	defer api.Close()
	c, err := galileo.NewClient(galileo.WithBaseURL(api.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.CurrentUser(context.Background())
	fmt.Println(errors.Is(err, galileo.ErrNoCredentials))
	fmt.Println(err)
	// Output:
	// true
	// galileo: GET /current_user: no credentials: set GALILEO_API_KEY (WithAPIKey) or GALILEO_JWT_TOKEN (WithJWT)
}
