package load

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The server's and the database's CPU time, read from Linux's /proc while the tool loads
// them on the same machine: what a request costs each of them, apart from the tool's own
// share (ClientCPUSec).

// userHZ is the unit of the CPU times in /proc/<pid>/stat: USER_HZ, 100 on every Linux
// architecture the app runs on.
const userHZ = 100

// procDir is where the process tables are read; tests point it at fixtures.
var procDir = "/proc"

// cpuProbe reads the CPU time used so far by the server (the process that listens on the
// URL's port) and, when DBPort is set, by the PostgreSQL cluster that listens on it: its
// postmaster with every backend, those still running and those it has reaped.
type cpuProbe struct {
	server, postmaster int
}

func newCPUProbe(serverPort, dbPort int) (*cpuProbe, error) {
	p := &cpuProbe{}
	var err error
	if p.server, err = listenerPID(serverPort); err != nil {
		return nil, fmt.Errorf("-cpu: the server on port %d: %w", serverPort, err)
	}
	if dbPort > 0 {
		if p.postmaster, err = listenerPID(dbPort); err != nil {
			return nil, fmt.Errorf("-cpu-db-port: the database on port %d: %w", dbPort, err)
		}
	}
	return p, nil
}

// sample is the CPU time used so far by the server and the database.
func (p *cpuProbe) sample() (server, db time.Duration, err error) {
	st, err := readStat(p.server)
	if err != nil {
		return 0, 0, err
	}
	server = st.own()
	if p.postmaster == 0 {
		return server, 0, nil
	}
	pm, err := readStat(p.postmaster)
	if err != nil {
		return 0, 0, err
	}
	db = pm.own() + pm.reaped()
	children, err := childrenOf(p.postmaster)
	if err != nil {
		return 0, 0, err
	}
	for _, c := range children {
		db += c.own()
	}
	return server, db, nil
}

// procStat holds the fields of /proc/<pid>/stat that the probe uses, in clock ticks.
type procStat struct {
	pid, ppid                    int
	utime, stime, cutime, cstime int64
}

func (s procStat) own() time.Duration    { return ticks(s.utime + s.stime) }
func (s procStat) reaped() time.Duration { return ticks(s.cutime + s.cstime) }

func ticks(n int64) time.Duration { return time.Duration(n) * time.Second / userHZ }

func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile(filepath.Join(procDir, strconv.Itoa(pid), "stat"))
	if err != nil {
		return procStat{}, err
	}
	return parseStat(string(b))
}

// parseStat reads a line of /proc/<pid>/stat. The command name, in parentheses, may hold
// spaces and parentheses itself: the fields start after the last ')'.
func parseStat(line string) (procStat, error) {
	open, end := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
	if open < 0 || end < open {
		return procStat{}, fmt.Errorf("unreadable stat line %q", line)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line[:open]))
	if err != nil {
		return procStat{}, fmt.Errorf("unreadable stat line %q", line)
	}
	// After the name: state (3), ppid (4), … utime (14), stime (15), cutime (16), cstime (17).
	f := strings.Fields(line[end+1:])
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("short stat line %q", line)
	}
	s := procStat{pid: pid}
	for i, dst := range []*int64{&s.utime, &s.stime, &s.cutime, &s.cstime} {
		if *dst, err = strconv.ParseInt(f[11+i], 10, 64); err != nil {
			return procStat{}, fmt.Errorf("stat field %d of %q: %w", 14+i, line, err)
		}
	}
	if s.ppid, err = strconv.Atoi(f[1]); err != nil {
		return procStat{}, fmt.Errorf("stat ppid of %q: %w", line, err)
	}
	return s, nil
}

// childrenOf lists the processes whose parent is pid.
func childrenOf(pid int) ([]procStat, error) {
	entries, err := os.ReadDir(procDir)
	if err != nil {
		return nil, err
	}
	var out []procStat
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := readStat(child)
		if err != nil {
			continue // exited meanwhile: the postmaster's reaped times have it
		}
		if st.ppid == pid {
			out = append(out, st)
		}
	}
	return out, nil
}

// listenerPID finds the process that listens on the TCP port (IPv4 or IPv6, any address):
// the socket's inode from /proc/net/tcp*, then the process holding that inode.
func listenerPID(port int) (int, error) {
	inodes := map[string]bool{}
	for _, name := range []string{"tcp", "tcp6"} {
		f, err := os.Open(filepath.Join(procDir, "net", name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, err
		}
		err = listeningInodes(f, port, inodes)
		f.Close()
		if err != nil {
			return 0, err
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("no process listens on port %d", port)
	}
	entries, err := os.ReadDir(procDir)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fds, err := os.ReadDir(filepath.Join(procDir, e.Name(), "fd"))
		if err != nil {
			continue // another user's process, or gone
		}
		for _, fd := range fds {
			target, err := os.Readlink(filepath.Join(procDir, e.Name(), "fd", fd.Name()))
			if err == nil && strings.HasPrefix(target, "socket:[") && inodes[strings.Trim(target[len("socket:"):], "[]")] {
				return pid, nil
			}
		}
	}
	return 0, fmt.Errorf("the socket listening on port %d belongs to no process this user can see", port)
}

// listeningInodes adds the inodes of the sockets in LISTEN state (0A) on port from a
// /proc/net/tcp table.
func listeningInodes(r io.Reader, port int, inodes map[string]bool) error {
	sc := bufio.NewScanner(r)
	sc.Scan() // the header
	want := fmt.Sprintf(":%04X", port)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 10 && strings.HasSuffix(f[1], want) && f[3] == "0A" {
			inodes[f[9]] = true
		}
	}
	return sc.Err()
}
