package web

import (
	"testing"

	"todo/internal/task"
)

func TestZoneNamesLoad(t *testing.T) {
	seen := map[string]bool{}
	for _, name := range zoneNames {
		if seen[name] {
			t.Errorf("%s is listed twice", name)
		}
		seen[name] = true
		if _, err := task.LoadTimeZone(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(zoneNames) < 300 {
		t.Errorf("only %d zones", len(zoneNames))
	}
}
