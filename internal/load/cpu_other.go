//go:build !unix

package load

import "time"

// processCPU is not measured here; the report then leaves out the tool's CPU time.
func processCPU() time.Duration { return 0 }
