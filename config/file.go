package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// fileKey maps a YAML key to its field.
func fileKey(key string) (field, bool) {
	switch key {
	case "api_key":
		return fAPIKey, true
	case "api_url":
		return fAPIURL, true
	case "console_url":
		return fConsoleURL, true
	case "project":
		return fProject, true
	case "project_id":
		return fProjectID, true
	case "extra_headers":
		return fExtraHeaders, true
	case "backend":
		return fBackend, true
	case "keep":
		return fKeep, true
	case "parallel":
		return fParallel, true
	case "report":
		return fReport, true
	}
	return 0, false
}

const knownKeys = "api_key, api_url, backend, console_url, extra_headers, keep, parallel, project, project_id, report"

// applyFile reads and applies the YAML file.
func (l *loader) applyFile(c *Config, from *origins, errs *errorList) {
	var (
		data []byte
		err  error
	)
	if l.fsys != nil {
		data, err = fs.ReadFile(l.fsys, l.path)
	} else {
		data, err = os.ReadFile(l.path)
	}
	if err != nil {
		cause := err
		var pe *fs.PathError
		if errors.As(err, &pe) {
			cause = pe.Err
		}
		errs.add(&Error{Source: l.path, Msg: "cannot read config file: " + cause.Error(), Err: err})
		return
	}
	for _, e := range applyYAML(l.path, data, c, from) {
		errs.add(e)
	}
}

// applyYAML decodes data strictly and applies it to c.
func applyYAML(path string, data []byte, c *Config, from *origins) []error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // empty file
		}
		return []error{yamlSyntaxError(path, err)}
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		if err != nil {
			return []error{yamlSyntaxError(path, err)}
		}
		return []error{&Error{Source: path, Line: next.Line, Msg: "a config file holds one YAML document, found a second"}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if isNull(root) {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return []error{&Error{Source: path, Line: root.Line,
			Msg: fmt.Sprintf("expected a mapping of settings (%s), got %s", knownKeys, nodeKind(root))}}
	}

	var errs errorList
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], resolveAlias(root.Content[i+1])
		if first, dup := seen[k.Value]; dup {
			errs.add(&Error{Source: path, Line: k.Line,
				Msg: fmt.Sprintf("duplicate key %q (first at line %d)", k.Value, first)})
			continue
		}
		seen[k.Value] = k.Line
		f, ok := fileKey(k.Value)
		if !ok || k.Kind != yaml.ScalarNode {
			errs.add(&Error{Source: path, Line: k.Line,
				Msg: fmt.Sprintf("unknown key %q (known keys: %s)", k.Value, knownKeys)})
			continue
		}
		o := origin{source: path, line: k.Line, field: k.Value}
		if isNull(v) {
			continue
		}
		if f == fExtraHeaders {
			if h, err := yamlHeaders(path, k.Value, v); err != nil {
				errs.add(err)
			} else {
				c.ExtraHeaders = h
				from[f] = o
			}
			continue
		}
		if v.Kind != yaml.ScalarNode {
			want := "a string"
			switch f {
			case fKeep:
				want = "a boolean"
			case fParallel:
				want = "a number"
			}
			errs.add(o.err(fmt.Sprintf("expected %s, got %s", want, nodeKind(v))))
			continue
		}
		set(c, from, &errs, f, v.Value, o)
	}
	return errs
}

// yamlHeaders decodes the extra_headers mapping.
func yamlHeaders(path, key string, v *yaml.Node) (map[string]string, error) {
	if v.Kind != yaml.MappingNode {
		return nil, &Error{Source: path, Line: v.Line, Field: key,
			Msg: fmt.Sprintf("expected a mapping of header names to string values, got %s", nodeKind(v))}
	}
	h := make(map[string]string, len(v.Content)/2)
	for i := 0; i+1 < len(v.Content); i += 2 {
		name, val := v.Content[i], resolveAlias(v.Content[i+1])
		if name.Kind != yaml.ScalarNode {
			return nil, &Error{Source: path, Line: name.Line, Field: key,
				Msg: fmt.Sprintf("expected a header name, got %s", nodeKind(name))}
		}
		if _, dup := h[name.Value]; dup {
			return nil, &Error{Source: path, Line: name.Line, Field: key,
				Msg: fmt.Sprintf("duplicate header %q", name.Value)}
		}
		if val.Kind != yaml.ScalarNode || isNull(val) {
			return nil, &Error{Source: path, Line: val.Line, Field: key,
				Msg: fmt.Sprintf("header %q: expected a string value, got %s", name.Value, nodeKind(val))}
		}
		if msg := checkHeaders(map[string]string{name.Value: val.Value}); msg != "" {
			return nil, &Error{Source: path, Line: name.Line, Field: key, Msg: msg}
		}
		h[name.Value] = val.Value
	}
	return h, nil
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func nodeKind(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "null"
	case n.Kind == yaml.ScalarNode:
		return "a scalar"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a sequence"
	}
	return "an unsupported node"
}

// yamlSyntaxError turns a yaml.v3 error into an *Error with the line number
// moved into Line.
func yamlSyntaxError(path string, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if line, convErr := strconv.Atoi(num); convErr == nil {
				return &Error{Source: path, Line: line, Msg: "invalid YAML: " + text, Err: err}
			}
		}
	}
	return &Error{Source: path, Msg: "invalid YAML: " + msg, Err: err}
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
