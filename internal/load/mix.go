package load

import (
	mathrand "math/rand/v2"
	"time"
)

// op is one kind of request of a workload.
type op int

const (
	opList   op = iota
	opSearch    // a list with words to find
	opNext      // the page after one that a list or search answered
	opCreate
	opGet
	opPatch
	opToggle
	opDelete
	numOps
)

var opNames = [numOps]string{"list", "search", "next", "create", "get", "patch", "toggle", "delete"}

func (o op) String() string { return opNames[o] }

// needsTask reports whether o acts on one of the user's existing tasks.
func (o op) needsTask() bool { return o >= opGet }

// isPage reports whether o answers with a page of tasks.
func (o op) isPage() bool { return o <= opNext }

// The APIs whose workload the tool sends.
const (
	APIv1 = "v1"
	APIv2 = "v2"
)

// workload is what the virtual users of one API send: the share of each operation, and the
// requests that make up each, drawn with the user's generator.
type workload struct {
	path string      // of the task API
	mix  [numOps]int // percent of the requests; 0 for an operation the workload does not send
	// The queries of a first page, and the bodies of a create and a patch.
	listQuery, searchQuery func(*mathrand.Rand) string
	createBody, patchBody  func(*mathrand.Rand) []byte
}

// newWorkload is the workload of an API that Config.Validate accepts; today dates the dues
// of v2.
func newWorkload(api string, today time.Time) *workload {
	if api == APIv2 {
		return v2Workload(today)
	}
	return v1Workload()
}

// v1Workload is the workload: the same mix as the database floor's pgbench weights,
// so that the two can be compared, and fixed requests like the floor's statements, so that
// every run does the same work.
func v1Workload() *workload {
	var (
		list   = func(*mathrand.Rand) string { return "limit=50" }
		create = []byte(`{"title":"Load test task","description":"Created by todo-load"}`)
		patch  = []byte(`{"title":"Patched by todo-load"}`)
	)
	return &workload{
		path: "/api/v1/tasks",
		mix: [numOps]int{
			opList:   40,
			opCreate: 25,
			opGet:    10,
			opPatch:  10,
			opToggle: 10,
			opDelete: 5,
		},
		listQuery:  list,
		createBody: func(*mathrand.Rand) []byte { return create },
		patchBody:  func(*mathrand.Rand) []byte { return patch },
	}
}

// ops are the operations the workload sends, in the order of the report.
func (w *workload) ops() []op {
	var out []op
	for o := range numOps {
		if w.mix[o] > 0 {
			out = append(out, o)
		}
	}
	return out
}

// opFor maps n, uniform in [0, 100), onto the mix.
func (w *workload) opFor(n int) op {
	for o, pct := range w.mix {
		if n < pct {
			return op(o)
		}
		n -= pct
	}
	panic("opFor: n out of [0, 100)")
}
