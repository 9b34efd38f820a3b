package config

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"strconv"
	"strings"
)

// redactedText replaces a secret in every printed form of a Config.
const redactedText = "set (redacted)"

// redacted returns a copy of c with every secret replaced by redactedText.
// Unset secrets stay empty, so the output still tells set from unset.
func (c Config) redacted() Config {
	r := c
	if r.APIKey != "" {
		r.APIKey = redactedText
	}
	if r.JWT != "" {
		r.JWT = redactedText
	}
	for _, u := range []*string{&r.APIURL, &r.ConsoleURL} {
		if *u == "" {
			continue
		}
		if parsed, err := url.Parse(*u); err == nil {
			*u = RedactedURL(parsed, nil)
		} else {
			*u = "(invalid URL, redacted)"
		}
	}
	if c.ExtraHeaders != nil {
		r.ExtraHeaders = maps.Clone(c.ExtraHeaders)
		for name := range r.ExtraHeaders {
			if IsSensitiveHeader(name) {
				r.ExtraHeaders[name] = redactedText
			}
		}
	}
	return r
}

// secretText shows a secret as "set (redacted)" or "unset".
func secretText(s string) string {
	if s == "" {
		return "unset"
	}
	return redactedText
}

// String returns a one-line summary with secrets shown as "set (redacted)"
// or "unset". The format is for people and may change.
func (c Config) String() string {
	var b strings.Builder
	r := c.redacted()
	fmt.Fprintf(&b, "config{backend=%s console_url=%q api_url=%q project=%q project_id=%q api_key=%s jwt=%s extra_headers={",
		c.Backend, r.ConsoleURL, r.APIURL, c.Project, c.ProjectID, secretText(c.APIKey), secretText(c.JWT))
	for i, name := range sortedKeys(c.ExtraHeaders) {
		if i > 0 {
			b.WriteString(", ")
		}
		v := strconv.Quote(c.ExtraHeaders[name])
		if IsSensitiveHeader(name) {
			v = redactedText
		}
		fmt.Fprintf(&b, "%s: %s", strconv.Quote(name), v)
	}
	fmt.Fprintf(&b, "} keep=%t report=%q", c.Keep, c.ReportPath)
	if !c.Shard.IsZero() {
		fmt.Fprintf(&b, " shard=%s", c.Shard)
	}
	fmt.Fprintf(&b, " ci=%t}", c.CI)
	return b.String()
}

// plainConfig has Config's fields without its methods.
type plainConfig Config

// GoString returns Go syntax for the configuration with secrets replaced by
// "set (redacted)"; it is what %#v prints.
func (c Config) GoString() string {
	s := fmt.Sprintf("%#v", plainConfig(c.redacted()))
	return strings.Replace(s, "config.plainConfig{", "config.Config{", 1)
}

// Format makes every fmt verb print the redacted form: %#v prints
// [Config.GoString], %q a quoted [Config.String], all others
// [Config.String].
func (c Config) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, c.GoString())
	case verb == 'q':
		_, _ = io.WriteString(f, strconv.Quote(c.String()))
	default:
		_, _ = io.WriteString(f, c.String())
	}
}

// jsonConfig is the JSON form of a Config; keys match the YAML file.
type jsonConfig struct {
	Backend      Backend           `json:"backend"`
	ConsoleURL   string            `json:"console_url"`
	APIURL       string            `json:"api_url"`
	Project      string            `json:"project,omitempty"`
	ProjectID    string            `json:"project_id,omitempty"`
	APIKey       string            `json:"api_key,omitempty"`
	JWT          string            `json:"jwt,omitempty"`
	ExtraHeaders map[string]string `json:"extra_headers,omitempty"`
	Keep         bool              `json:"keep"`
	ReportPath   string            `json:"report,omitempty"`
	Shard        string            `json:"shard,omitempty"`
	CI           bool              `json:"ci"`
}

// MarshalJSON encodes the configuration with the YAML file's key names and
// secrets replaced by "set (redacted)". It is meant for reports and logs;
// there is no way back.
func (c Config) MarshalJSON() ([]byte, error) {
	r := c.redacted()
	return json.Marshal(jsonConfig{
		Backend: r.Backend, ConsoleURL: r.ConsoleURL, APIURL: r.APIURL,
		Project: r.Project, ProjectID: r.ProjectID, APIKey: r.APIKey, JWT: r.JWT,
		ExtraHeaders: r.ExtraHeaders, Keep: r.Keep, ReportPath: r.ReportPath, Shard: r.Shard.String(), CI: r.CI,
	})
}

// LogValue implements [slog.LogValuer]: a group of the settings with
// secrets replaced by "set (redacted)" or "unset".
func (c Config) LogValue() slog.Value {
	r := c.redacted()
	headers := make([]slog.Attr, 0, len(r.ExtraHeaders))
	for _, name := range sortedKeys(r.ExtraHeaders) {
		headers = append(headers, slog.String(name, r.ExtraHeaders[name]))
	}
	attrs := []slog.Attr{
		slog.String("backend", string(r.Backend)),
		slog.String("console_url", r.ConsoleURL),
		slog.String("api_url", r.APIURL),
		slog.String("project", r.Project),
		slog.String("project_id", r.ProjectID),
		slog.String("api_key", secretText(c.APIKey)),
		slog.String("jwt", secretText(c.JWT)),
		slog.Attr{Key: "extra_headers", Value: slog.GroupValue(headers...)},
		slog.Bool("keep", r.Keep),
		slog.String("report", r.ReportPath),
	}
	if !r.Shard.IsZero() {
		attrs = append(attrs, slog.String("shard", r.Shard.String()))
	}
	return slog.GroupValue(append(attrs, slog.Bool("ci", r.CI))...)
}
