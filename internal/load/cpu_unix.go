//go:build unix

package load

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) this process has used so far. On a machine
// shared with the server under load, it tells how much of the CPU the tool took for itself.
func processCPU() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
