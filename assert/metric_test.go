package assert

import "testing"

func TestCanonicalMetric(t *testing.T) {
	tests := []struct{ in, want string }{
		{"latency", "duration_ns"},
		{"Latency", "duration_ns"},
		{" LATENCY ", "duration_ns"},
		{"duration_ns", "duration_ns"},
		{"Duration_NS", "duration_ns"},
		{"cost", "cost"},
		{"Cost", "cost"},
		{"num_input_tokens", "num_input_tokens"},
		{"NUM_OUTPUT_TOKENS", "num_output_tokens"},
		{"num_total_tokens", "num_total_tokens"},
		{"correctness", "correctness"},
		{"Context Adherence", "Context Adherence"},
		{"  Correctness\t", "Correctness"},
		{"550e8400-e29b-41d4-a716-446655440000", "550e8400-e29b-41d4-a716-446655440000"},
		{"latency_ms", "latency_ms"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := CanonicalMetric(tt.in); got != tt.want {
			t.Errorf("CanonicalMetric(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsSystemMetric(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"cost", true},
		{"latency", true},
		{"duration_ns", true},
		{"num_input_tokens", true},
		{"num_output_tokens", true},
		{"Num_Total_Tokens", true},
		{"correctness", false},
		{"completeness", false},
		{"tokens", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsSystemMetric(tt.name); got != tt.want {
			t.Errorf("IsSystemMetric(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
