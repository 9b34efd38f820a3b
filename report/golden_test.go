package report

import (
	"bytes"
	"testing"
)

func TestWriters_golden(t *testing.T) {
	tests := []struct {
		file   string
		format Format
	}{
		{"report.json.golden", FormatJSON},
		{"junit.xml.golden", FormatJUnit},
		{"summary.md.golden", FormatMarkdown},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.format, sampleReport(t)); err != nil {
				t.Fatalf("Write(%s): %v", tt.format, err)
			}
			golden(t, tt.file, buf.Bytes())

			// Deterministic: a second rendering is byte for byte the same.
			var again bytes.Buffer
			if err := Write(&again, tt.format, sampleReport(t)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Errorf("two renderings of the same report differ")
			}
		})
	}
}
