package load

import (
	"math"
	"slices"
	"testing"
)

func TestOpForSplitsAHundredAsTheMix(t *testing.T) {
	var got [numOps]int
	for n := range 100 {
		got[opFor(n)]++
	}
	want := [numOps]int{opList: 40, opCreate: 25, opGet: 10, opPatch: 10, opToggle: 10, opDelete: 5}
	if got != want {
		t.Errorf("requests per 100: got %v, want %v", got, want)
	}
}

// A user with tasks sends the mix; the draw must not favour any operation.
func TestUsersDrawTheMix(t *testing.T) {
	u := &virtualUser{rng: newRNG(), tasks: []string{"a", "b", "c"}}
	const draws = 200_000
	var got [numOps]int
	for range draws {
		req, index := u.next()
		got[req.op]++
		if req.op.needsTask() && (index < 0 || req.taskID != u.tasks[index]) {
			t.Fatalf("%s: task %q at index %d, want one of the user's tasks", req.op, req.taskID, index)
		}
	}
	for o := range numOps {
		share := float64(got[o]) / draws
		if want := float64(mixPercent[o]) / 100; math.Abs(share-want) > 0.005 {
			t.Errorf("%s: share %.4f, want %.2f", o, share, want)
		}
	}
}

func TestUserWithoutTasksCreates(t *testing.T) {
	u := &virtualUser{rng: newRNG()}
	for range 1000 {
		if req, _ := u.next(); req.op != opList && req.op != opCreate {
			t.Fatalf("a user without tasks sent %s", req.op)
		}
	}
}

func TestApplyKeepsTheUsersTasks(t *testing.T) {
	u := &virtualUser{tasks: []string{"a", "b", "c"}}
	u.apply(opCreate, -1, "d")
	u.apply(opDelete, 0, "")
	u.apply(opToggle, 1, "")
	if want := []string{"d", "b", "c"}; !slices.Equal(u.tasks, want) {
		t.Errorf("tasks: got %v, want %v", u.tasks, want)
	}
}
