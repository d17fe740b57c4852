package load

// op is one kind of request of the workload.
type op int

const (
	opList op = iota
	opCreate
	opGet
	opPatch
	opToggle
	opDelete
	numOps
)

var opNames = [numOps]string{"list", "create", "get", "patch", "toggle", "delete"}

func (o op) String() string { return opNames[o] }

// mixPercent is the workload of the issue, in percent of requests: the same mix as the
// database floor's pgbench weights, so that the two can be compared.
var mixPercent = [numOps]int{
	opList:   40,
	opCreate: 25,
	opGet:    10,
	opPatch:  10,
	opToggle: 10,
	opDelete: 5,
}

// opFor maps n, uniform in [0, 100), onto the mix.
func opFor(n int) op {
	for o, pct := range mixPercent {
		if n < pct {
			return op(o)
		}
		n -= pct
	}
	panic("opFor: n out of [0, 100)")
}

// needsTask reports whether o acts on one of the user's existing tasks.
func (o op) needsTask() bool { return o != opList && o != opCreate }
