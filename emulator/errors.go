package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/galileo-community/galileo-go/galileo"
)

// apiError is an error answer in Galileo's shape: a string detail, or a
// FastAPI validation list, and optionally a standard_error block.
type apiError struct {
	status   int
	detail   string
	invalid  []galileo.ValidationError
	standard *galileo.StandardError
}

func (e *apiError) Error() string {
	if e.detail != "" {
		return e.detail
	}
	if len(e.invalid) > 0 {
		return e.invalid[0].Msg
	}
	return http.StatusText(e.status)
}

// errorf returns an error answer with a string detail.
func errorf(status int, format string, args ...any) *apiError {
	return &apiError{status: status, detail: fmt.Sprintf(format, args...)}
}

func notFound(kind, id string) *apiError {
	return errorf(http.StatusNotFound, "%s %s not found", kind, id)
}

// invalid returns a 422 with one FastAPI-shaped validation entry. loc is the
// location below "body" (or a full location when it starts with "query" or
// "path").
func invalid(typ, msg string, loc ...any) *apiError {
	full := loc
	if len(loc) == 0 || (loc[0] != "query" && loc[0] != "path" && loc[0] != "header") {
		full = append([]any{"body"}, loc...)
	}
	return &apiError{status: http.StatusUnprocessableEntity, invalid: []galileo.ValidationError{{Loc: full, Msg: msg, Type: typ}}}
}

func missing(loc ...any) *apiError { return invalid("missing", "Field required", loc...) }

// standardError returns an answer carrying a standard_error block. A 422
// keeps the FastAPI list shape of detail (with loc), as the API declares.
func standardError(status, code int, errType, msg string, loc ...any) *apiError {
	e := &apiError{status: status, detail: msg, standard: &galileo.StandardError{
		ErrorCode: code, ErrorType: errType, ErrorGroup: "experiment", Severity: "error",
		Message: msg, HTTPStatusCode: status,
	}}
	if status == http.StatusUnprocessableEntity {
		e.invalid = []galileo.ValidationError{{Loc: append([]any{"body"}, loc...), Msg: msg, Type: "value_error"}}
	}
	return e
}

// writeError renders err as Galileo does. Errors that are not *apiError
// become 500s with a generic detail.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = errorf(http.StatusInternalServerError, "internal error: %v", err)
	}
	body := map[string]any{}
	switch {
	case len(ae.invalid) > 0:
		body["detail"] = ae.invalid
	default:
		d := ae.detail
		if d == "" {
			d = http.StatusText(ae.status)
		}
		body["detail"] = d
	}
	if ae.standard != nil {
		body["standard_error"] = ae.standard
	}
	writeJSON(w, ae.status, body)
}

// writeJSON writes v as the JSON body of a status answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"detail":"internal error: encoding the answer"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// decodeJSON decodes a request body into v. An empty body decodes as {}
// when allowEmpty, else it is a 422 "Field required" on the body. Unknown
// fields are ignored, as on Galileo. Type mismatches and malformed JSON are
// 422 answers naming the location.
func decodeJSON(r *http.Request, v any, allowEmpty bool) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(mbe.Limit)
		}
		return errorf(http.StatusBadRequest, "reading the request body: %v", err)
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		if allowEmpty {
			return nil
		}
		return &apiError{status: http.StatusUnprocessableEntity, invalid: []galileo.ValidationError{{Loc: []any{"body"}, Msg: "Field required", Type: "missing"}}}
	}
	return unmarshalBody(b, v)
}

func unmarshalBody(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			loc := []any{"body"}
			if te.Field != "" {
				for _, p := range strings.Split(te.Field, ".") {
					loc = append(loc, p)
				}
			}
			return &apiError{status: http.StatusUnprocessableEntity, invalid: []galileo.ValidationError{{
				Loc: loc, Msg: fmt.Sprintf("Input should be a valid %s", jsonKind(te.Type.Kind().String())),
				Type: jsonKind(te.Type.Kind().String()) + "_type",
			}}}
		}
		var se *json.SyntaxError
		pos := int64(0)
		if errors.As(err, &se) {
			pos = se.Offset
		}
		return &apiError{status: http.StatusUnprocessableEntity, invalid: []galileo.ValidationError{{
			Loc: []any{"body", pos}, Msg: "JSON decode error", Type: "json_invalid",
			Ctx: map[string]any{"error": err.Error()},
		}}}
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "int"
	case "float32", "float64":
		return "number"
	case "bool":
		return "bool"
	case "slice", "array":
		return "list"
	case "map", "struct", "ptr":
		return "dict"
	}
	return goKind
}

func tooLarge(limit int64) *apiError {
	return errorf(http.StatusRequestEntityTooLarge, "Request body too large: the limit is %d bytes", limit)
}

// requiredName checks a required, non-blank "name" field of a request body
// and returns it trimmed, failing as FastAPI's validation does.
func requiredName(name *string) (string, error) {
	if name == nil {
		return "", missing("name")
	}
	n := strings.TrimSpace(*name)
	if n == "" {
		return "", invalid("string_too_short", "String should have at least 1 character", "name")
	}
	return n, nil
}
