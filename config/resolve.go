package config

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
)

// field identifies one setting.
type field int

const (
	fAPIKey field = iota
	fJWT
	fConsoleURL
	fAPIURL
	fProject
	fProjectID
	fExtraHeaders
	fBackend
	fKeep
	fReport
	fShard
	fParallel
	fCI
	fEmulatorStructured
	fEmulatorPublish
	fEmulatorNoise
	numFields
)

// env returns the environment variable of f.
func (f field) env() string {
	switch f {
	case fAPIKey:
		return EnvAPIKey
	case fJWT:
		return EnvJWT
	case fConsoleURL:
		return EnvConsoleURL
	case fAPIURL:
		return EnvAPIURL
	case fProject:
		return EnvProject
	case fProjectID:
		return EnvProjectID
	case fExtraHeaders:
		return EnvExtraHeaders
	case fBackend:
		return EnvBackend
	case fKeep:
		return EnvKeep
	case fReport:
		return EnvReport
	case fShard:
		return EnvShard
	case fParallel:
		return EnvParallel
	case fCI:
		return EnvCI
	case fEmulatorStructured:
		return EnvEmulatorStructuredAggregates
	case fEmulatorPublish:
		return EnvEmulatorPublishAggregates
	case fEmulatorNoise:
		return EnvEmulatorJudgeNoise
	}
	panic("config: unknown field")
}

// alias returns the SPLUNK_AO_ environment variable of f, or "" when f has
// none. The variable of env wins over it when both are set.
func (f field) alias() string {
	switch f {
	case fAPIKey:
		return EnvSplunkAPIKey
	case fJWT:
		return EnvSplunkJWT
	case fConsoleURL:
		return EnvSplunkConsoleURL
	case fAPIURL:
		return EnvSplunkAPIURL
	case fProject:
		return EnvSplunkProject
	case fProjectID:
		return EnvSplunkProjectID
	}
	return ""
}

// goName returns the Config field name of f.
func (f field) goName() string {
	switch f {
	case fAPIKey:
		return "APIKey"
	case fJWT:
		return "JWT"
	case fConsoleURL:
		return "ConsoleURL"
	case fAPIURL:
		return "APIURL"
	case fProject:
		return "Project"
	case fProjectID:
		return "ProjectID"
	case fExtraHeaders:
		return "ExtraHeaders"
	case fBackend:
		return "Backend"
	case fKeep:
		return "Keep"
	case fReport:
		return "ReportPath"
	case fShard:
		return "Shard"
	case fParallel:
		return "Parallel"
	case fCI:
		return "CI"
	case fEmulatorStructured:
		return "EmulatorNoStructuredAggregates"
	case fEmulatorPublish:
		return "EmulatorPublishAggregates"
	case fEmulatorNoise:
		return "EmulatorJudgeNoise"
	}
	panic("config: unknown field")
}

// str returns a pointer to the string field f, or nil for fields of other types.
func (c *Config) str(f field) *string {
	switch f {
	case fAPIKey:
		return &c.APIKey
	case fJWT:
		return &c.JWT
	case fConsoleURL:
		return &c.ConsoleURL
	case fAPIURL:
		return &c.APIURL
	case fProject:
		return &c.Project
	case fProjectID:
		return &c.ProjectID
	case fReport:
		return &c.ReportPath
	}
	return nil
}

// sameField reports whether a and b hold the same value of f.
func sameField(a, b *Config, f field) bool {
	switch f {
	case fExtraHeaders:
		return maps.Equal(a.ExtraHeaders, b.ExtraHeaders)
	case fBackend:
		return a.Backend == b.Backend
	case fKeep:
		return a.Keep == b.Keep
	case fShard:
		return a.Shard == b.Shard
	case fParallel:
		return a.Parallel == b.Parallel
	case fCI:
		return a.CI == b.CI
	case fEmulatorStructured:
		return a.EmulatorNoStructuredAggregates == b.EmulatorNoStructuredAggregates
	case fEmulatorPublish:
		return a.EmulatorPublishAggregates == b.EmulatorPublishAggregates
	case fEmulatorNoise:
		return a.EmulatorJudgeNoise == b.EmulatorJudgeNoise
	}
	return *a.str(f) == *b.str(f)
}

// overrideSource is the Error.Source of values set by WithOverride.
const overrideSource = "WithOverride"

// origin records where a value came from; the zero origin is the default.
type origin struct {
	source string
	line   int
	field  string
}

func (o origin) err(msg string) *Error {
	return &Error{Source: o.source, Line: o.line, Field: o.field, Msg: msg}
}

type origins [numFields]origin

type errorList []error

func (l *errorList) add(err error) { *l = append(*l, err) }

func (l errorList) join() error { return errors.Join(l...) }

// set parses the text value raw of f from origin o into c. A blank value
// leaves c unchanged; an invalid one is reported and leaves c unchanged.
func set(c *Config, from *origins, errs *errorList, f field, raw string, o origin) {
	v := strings.TrimSpace(raw)
	if v == "" {
		return
	}
	switch f {
	case fConsoleURL, fAPIURL:
		u, msg := normalizeURL(v)
		if msg != "" {
			errs.add(o.err(msg))
			return
		}
		*c.str(f) = u
	case fBackend:
		b, err := ParseBackend(v)
		if err != nil {
			errs.add(o.err(err.Error()))
			return
		}
		c.Backend = b
	case fKeep, fEmulatorStructured:
		b, ok := parseBool(v)
		if !ok {
			errs.add(o.err(fmt.Sprintf("%q is not a boolean (expected true or false, 1 or 0, yes or no, on or off)", v)))
			return
		}
		if f == fKeep {
			c.Keep = b
		} else {
			c.EmulatorNoStructuredAggregates = !b
		}
	case fShard:
		sh, err := ParseShard(v)
		if err != nil {
			errs.add(o.err(err.Error()))
			return
		}
		c.Shard = sh
	case fParallel:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs.add(o.err(fmt.Sprintf("%q is not a positive whole number of experiments to run at once", v)))
			return
		}
		c.Parallel = n
	case fCI:
		c.CI = v != "0" && !strings.EqualFold(v, "false")
	case fEmulatorPublish:
		p, msg := parsePublishAggregates(v)
		if msg != "" {
			errs.add(o.err(msg))
			return
		}
		c.EmulatorPublishAggregates = p
	case fEmulatorNoise:
		n, msg := parseJudgeNoise(v)
		if msg != "" {
			errs.add(o.err(msg))
			return
		}
		c.EmulatorJudgeNoise = n
	case fExtraHeaders:
		h, msg := parseHeadersJSON(v)
		if msg != "" {
			errs.add(o.err(msg))
			return
		}
		c.ExtraHeaders = h
	default:
		*c.str(f) = v
	}
	from[f] = o
}

// parsePublishAggregates checks a GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES
// value: "" or one of the emulator's publishing rules, any case.
func parsePublishAggregates(v string) (string, string) {
	p := strings.ToLower(strings.TrimSpace(v))
	switch p {
	case "", EmulatorPublishIncremental, EmulatorPublishAtCompletion:
		return p, ""
	}
	return "", fmt.Sprintf("%q is not one of %s, %s", strings.TrimSpace(v), EmulatorPublishIncremental, EmulatorPublishAtCompletion)
}

// parseJudgeNoise checks a GALILEOTEST_EMULATOR_JUDGE_NOISE value: a
// number from 0 to 1.
func parseJudgeNoise(v string) (float64, string) {
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || !(n >= 0 && n <= 1) {
		return 0, fmt.Sprintf("%q is not a number from 0 to 1 (the judge noise: standard deviation of numeric scores, flip probability of boolean ones)", v)
	}
	return n, ""
}

// parseBool accepts 1/0, t/f, true/false, y/n, yes/no, on/off, any case.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "1", "t", "true", "y", "yes", "on":
		return true, true
	case "0", "f", "false", "n", "no", "off":
		return false, true
	}
	return false, false
}

// applyEnv reads every variable through lookup. Of a GALILEO_ variable and
// its SPLUNK_AO_ alias, the first that is set to a non-blank value is used,
// and only that one is validated; errors name it.
func applyEnv(lookup func(string) (string, bool), c *Config, from *origins, errs *errorList) {
	for f := range numFields {
		for _, name := range []string{f.env(), f.alias()} {
			if name == "" {
				continue
			}
			if v, ok := lookup(name); ok && strings.TrimSpace(v) != "" {
				set(c, from, errs, f, v, origin{source: name})
				break
			}
		}
	}
}

// applyOverride runs fn on a copy of c and marks every field it changed as
// coming from WithOverride.
func applyOverride(fn func(*Config), c *Config, from *origins) {
	before := *c
	before.ExtraHeaders = maps.Clone(c.ExtraHeaders)
	after := before
	after.ExtraHeaders = maps.Clone(c.ExtraHeaders)
	fn(&after)
	for f := range numFields {
		if !sameField(&before, &after, f) {
			from[f] = origin{source: overrideSource, field: f.goName()}
		}
	}
	*c = after
}

// finish trims, validates, applies defaults and derives the API URL from the
// console URL or the console URL from the API URL. Values
// from the file and the environment are already valid; only values set by
// WithOverride can fail here.
func finish(c *Config, from *origins, errs *errorList) {
	for f := range numFields {
		if p := c.str(f); p != nil {
			*p = strings.TrimSpace(*p)
		}
	}

	b, err := ParseBackend(string(c.Backend))
	if err != nil {
		errs.add(from[fBackend].err(err.Error()))
	} else {
		c.Backend = b
	}

	if c.Parallel < 0 {
		errs.add(from[fParallel].err(fmt.Sprintf("%d is not a positive whole number of experiments to run at once (0 means the default)", c.Parallel)))
		c.Parallel = 0
	}

	if err := c.Shard.Validate(); err != nil {
		errs.add(from[fShard].err(err.Error()))
		c.Shard = Shard{}
	}

	consoleOK, consoleSet, apiSet := true, c.ConsoleURL != "", c.APIURL != ""
	if consoleSet {
		if u, msg := normalizeURL(c.ConsoleURL); msg != "" {
			errs.add(from[fConsoleURL].err(msg))
			consoleOK = false
		} else {
			c.ConsoleURL = u
		}
	}

	switch {
	case apiSet:
		u, msg := normalizeURL(c.APIURL)
		if msg != "" {
			errs.add(from[fAPIURL].err(msg))
			break
		}
		c.APIURL = u
		if !consoleSet {
			// Never a wrong link: empty when the console is unknown.
			c.ConsoleURL = deriveConsoleURL(u)
		}
	case !consoleSet:
		c.ConsoleURL, c.APIURL = DefaultConsoleURL, DefaultAPIURL
	case consoleOK:
		c.APIURL = deriveAPIURL(c.ConsoleURL)
	}

	if c.APIKeyHeader == "" && c.APIKey != "" && from[fAPIKey].source == EnvSplunkAPIKey {
		c.APIKeyHeader = HeaderSplunkAPIKey
	}

	if from[fEmulatorPublish].source == overrideSource {
		if p, msg := parsePublishAggregates(c.EmulatorPublishAggregates); msg != "" {
			errs.add(from[fEmulatorPublish].err(msg))
		} else {
			c.EmulatorPublishAggregates = p
		}
	}

	if from[fEmulatorNoise].source == overrideSource && !(c.EmulatorJudgeNoise >= 0 && c.EmulatorJudgeNoise <= 1) {
		errs.add(from[fEmulatorNoise].err(fmt.Sprintf("%v is not a number from 0 to 1", c.EmulatorJudgeNoise)))
	}

	if from[fExtraHeaders].source == overrideSource {
		if msg := checkHeaders(c.ExtraHeaders); msg != "" {
			errs.add(from[fExtraHeaders].err(msg))
		}
	}
}
