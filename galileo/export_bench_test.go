package galileo

import (
	"bufio"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"testing"
)

// BenchmarkExportRecords streams exported records from a server that
// generates JSON Lines on the fly, and reports the peak heap in use of the
// whole test process (sampled after a GC every 50,000 records) as
// peak-heap-MiB, and that peak less the heap in use before the export (the
// parsed OpenAPI document of the contract check, mostly) as
// export-heap-MiB. Memory must stay flat whatever the record count: the
// benchmark fails when the peak exceeds 32 MiB.
//
//	go test ./galileo -run '^$' -bench BenchmarkExportRecords -benchtime 1x
func BenchmarkExportRecords(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run("records="+strconv.Itoa(n), func(b *testing.B) { benchmarkExport(b, n) })
	}
}

// exportLine writes record i the way the API exports a trace.
func exportLine(w *bufio.Writer, i int) {
	fmt.Fprintf(w, `{"type":"trace","id":"00000000-0000-4000-8000-%012d","session_id":"00000000-0000-4000-8000-%012d",`+
		`"name":"support-bot","input":"Question number %d: how do I reset my password?","output":"Use the reset link in the settings page (%d).",`+
		`"metrics":{"duration_ns":%d,"num_input_tokens":12,"num_output_tokens":9},"metric_info":{"correctness":{"status_type":"success","value":0.9}},`+
		`"user_metadata":{"row":"%d"},"tags":["nightly"],"dataset_metadata":{},"is_complete":true}`+"\n", i, i, i, i, 1_000_000+i, i)
}

const maxExportHeap = 32 << 20

func benchmarkExport(b *testing.B, records int) {
	f := newFakeAPI(b)
	f.handle("POST /projects/{project_id}/export_records", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriterSize(w, 32<<10)
		for i := range records {
			exportLine(bw, i)
		}
		_ = bw.Flush()
	})
	c := f.client()
	pid, eid := newID(), newID()
	var ms runtime.MemStats
	var peak uint64
	sample := func() {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for rec, err := range c.Records.Export(b.Context(), pid, LogRecordsExportRequest{ExperimentID: &eid}) {
			if err != nil {
				b.Fatal(err)
			}
			if rec["type"] != "trace" {
				b.Fatalf("record %d: type %v", n, rec["type"])
			}
			if n++; n%50_000 == 0 {
				sample()
			}
		}
		if n != records {
			b.Fatalf("exported %d records, want %d", n, records)
		}
	}
	sample()
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peak-min(base, peak))/(1<<20), "export-heap-MiB")
	b.ReportMetric(float64(records), "records/op")
	if peak > maxExportHeap {
		b.Errorf("peak heap in use %.1f MiB, want under %d MiB", float64(peak)/(1<<20), maxExportHeap>>20)
	}
}
