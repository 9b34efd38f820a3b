package apispec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaProblems renders a JSON Schema validation error as one line per
// failing location, such as
//
//	body (ExperimentCreateRequest) at "/task_type": 'anyOf' failed (got string, want integer)
//
// Values taken from the instance are left out where the library would echo
// them (format and pattern failures), so secrets in bodies do not leak into
// test logs.
func schemaProblems(prefix string, ve *jsonschema.ValidationError) []string {
	p := message.NewPrinter(language.English)
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if isWrapper(e.ErrorKind) {
			for _, c := range e.Causes {
				walk(c)
			}
			if len(e.Causes) == 0 {
				out = append(out, prefix+location(e.InstanceLocation)+": "+describeKind(p, e.ErrorKind))
			}
			return
		}
		line := prefix + location(e.InstanceLocation) + ": " + describeKind(p, e.ErrorKind)
		if len(e.Causes) > 0 {
			var subs []string
			for _, c := range e.Causes {
				subs = appendInline(p, subs, e.InstanceLocation, c)
			}
			line += " (" + strings.Join(subs, "; ") + ")"
		}
		out = append(out, line)
	}
	walk(ve)
	return out
}

// appendInline adds the leaf messages below e (relative to the location
// parent), skipping duplicates.
func appendInline(p *message.Printer, subs []string, parent []string, e *jsonschema.ValidationError) []string {
	if len(e.Causes) > 0 {
		// Only the leaves say what is wrong; inner nodes say which
		// combinator failed, which the outer line already does.
		for _, c := range e.Causes {
			subs = appendInline(p, subs, parent, c)
		}
		return subs
	}
	msg := describeKind(p, e.ErrorKind)
	if !slices.Equal(e.InstanceLocation, parent) {
		msg = "at " + strconv.Quote(pointer(e.InstanceLocation...)) + ": " + msg
	}
	if !slices.Contains(subs, msg) {
		subs = append(subs, msg)
	}
	return subs
}

func isWrapper(k jsonschema.ErrorKind) bool {
	switch k.(type) {
	case *kind.Schema, *kind.Group, *kind.Reference:
		return true
	}
	return false
}

// location renders an instance location as ` at "/a/b"`, or "" for the root.
func location(tokens []string) string {
	if len(tokens) == 0 {
		return ""
	}
	return " at " + strconv.Quote(pointer(tokens...))
}

// describeKind renders one failure without the offending value.
func describeKind(p *message.Printer, k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Format:
		return fmt.Sprintf("value is not a valid %q", k.Want)
	case *kind.Pattern:
		return fmt.Sprintf("value does not match pattern %q", k.Want)
	default:
		// The other kinds print the wanted values, counts or property
		// names only.
		return k.LocalizedString(p)
	}
}
