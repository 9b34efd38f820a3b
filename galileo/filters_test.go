package galileo

import (
	"encoding/json"
	"testing"
	"time"
)

// Each builder sends what the Python SDK's filter classes send.
func TestFilterBuilders(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		got  Filter
		want string
	}{
		{Text("input").Equals("hi"), `{"column_id":"input","operator":"eq","value":"hi","case_sensitive":true,"type":"text"}`},
		{Text("input").IgnoreCase().NotEquals("hi"), `{"column_id":"input","operator":"ne","value":"hi","case_sensitive":false,"type":"text"}`},
		{Text("status").Contains("error"), `{"column_id":"status","operator":"contains","value":"error","case_sensitive":true,"type":"text"}`},
		{Text("name").OneOf("Alice", "Bob"), `{"column_id":"name","operator":"one_of","value":["Alice","Bob"],"case_sensitive":true,"type":"text"}`},
		{Text("name").NotIn(), `{"column_id":"name","operator":"not_in","value":[],"case_sensitive":true,"type":"text"}`},
		{Number("score").Equals(5), `{"column_id":"score","operator":"eq","value":5,"type":"number"}`},
		{Number("score").NotEquals(5), `{"column_id":"score","operator":"ne","value":5,"type":"number"}`},
		{Number("score").GreaterThan(0.8), `{"column_id":"score","operator":"gt","value":0.8,"type":"number"}`},
		{Number("score").GreaterThanOrEqual(0.8), `{"column_id":"score","operator":"gte","value":0.8,"type":"number"}`},
		{Number("score").LessThan(1), `{"column_id":"score","operator":"lt","value":1,"type":"number"}`},
		{Number("score").LessThanOrEqual(1), `{"column_id":"score","operator":"lte","value":1,"type":"number"}`},
		{Number("count").Between(10, 100), `{"column_id":"count","operator":"between","value":[10,100],"type":"number"}`},
		{Date("created_at").Equals(at), `{"column_id":"created_at","operator":"eq","value":"2026-01-02T03:04:05Z","type":"date"}`},
		{Date("created_at").NotEquals(at), `{"column_id":"created_at","operator":"ne","value":"2026-01-02T03:04:05Z","type":"date"}`},
		{Date("created_at").Before(at), `{"column_id":"created_at","operator":"lt","value":"2026-01-02T03:04:05Z","type":"date"}`},
		{Date("created_at").After(at), `{"column_id":"created_at","operator":"gt","value":"2026-01-02T03:04:05Z","type":"date"}`},
		{Date("created_at").OnOrBefore(at), `{"column_id":"created_at","operator":"lte","value":"2026-01-02T03:04:05Z","type":"date"}`},
		{Date("created_at").OnOrAfter(at), `{"column_id":"created_at","operator":"gte","value":"2026-01-02T03:04:05Z","type":"date"}`},
		{Boolean("has_error").IsTrue(), `{"column_id":"has_error","operator":"eq","value":true,"type":"boolean"}`},
		{Boolean("has_error").IsFalse(), `{"column_id":"has_error","operator":"eq","value":false,"type":"boolean"}`},
		{Boolean("enabled").Equals(true), `{"column_id":"enabled","operator":"eq","value":true,"type":"boolean"}`},
	}
	for _, tc := range tests {
		b, err := json.Marshal(tc.got)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("got  %s\nwant %s", b, tc.want)
		}
	}
}
