//go:build !unix

package emulator

import (
	"runtime/metrics"
	"time"
)

// processCPU is the CPU time the process used so far (user and GC), as
// the runtime estimates it.
func processCPU() time.Duration {
	s := []metrics.Sample{{Name: "/cpu/classes/user:cpu-seconds"}, {Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	return time.Duration((s[0].Value.Float64() + s[1].Value.Float64()) * float64(time.Second))
}
