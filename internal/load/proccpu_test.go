package load

import (
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	// A command name with a space and a parenthesis, as /proc shows it.
	line := "4242 (todo (x) y) S 17 4242 4242 0 -1 4194560 1000 0 0 0 250 75 12 3 20 0 8 0 100 1000000 2000 18446744073709551615"
	got, err := parseStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if want := (procStat{pid: 4242, ppid: 17, utime: 250, stime: 75, cutime: 12, cstime: 3}); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got.own() != 3250*time.Millisecond || got.reaped() != 150*time.Millisecond {
		t.Fatalf("own %s, reaped %s", got.own(), got.reaped())
	}
	for _, bad := range []string{"", "4242 todo S 1", "4242 (todo) S 17 1 2"} {
		if _, err := parseStat(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestListeningInodes(t *testing.T) {
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F40 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F41 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 333 1 0000000000000000 100 0 0 10 0
`
	inodes := map[string]bool{}
	if err := listeningInodes(strings.NewReader(table), 8000, inodes); err != nil {
		t.Fatal(err)
	}
	if len(inodes) != 1 || !inodes["111"] {
		t.Fatalf("got %v, want only the listening socket of port 8000 (inode 111)", inodes)
	}
}

// TestCPUProbe reads this very process through /proc: it listens, and burns some CPU.
func TestCPUProbe(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	p, err := newCPUProbe(ln.Addr().(*net.TCPAddr).Port, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.server != os.Getpid() {
		t.Fatalf("listener pid %d, want this process %d", p.server, os.Getpid())
	}
	before, _, err := p.sample()
	if err != nil {
		t.Fatal(err)
	}
	// Work until the kernel has counted more CPU time (a tick is 10 ms), or give up.
	for deadline := time.Now().Add(time.Minute); ; {
		after, _, err := p.sample()
		if err != nil {
			t.Fatal(err)
		}
		if after > before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("CPU time did not grow in a minute of work: %s", after)
		}
		spin()
	}
	if _, err := newCPUProbe(1, 0); err == nil {
		t.Fatal("a port no one listens on: found a process")
	}
}

var sink int

// spin does a little work that the compiler cannot remove.
func spin() {
	for i := range 1_000_000 {
		sink += i
	}
}
