package load

import (
	"encoding/json"
	"fmt"
	mathrand "math/rand/v2"
	"net/url"
	"strings"
	"time"
)

// The v2 workload is a user of a task UI: mostly pages of a list, filtered, searched, sorted
// and scrolled through, and now and then a change to one task. Its tasks look like a person's:
// titles and descriptions of real words, so that searches find some, a spread of priorities,
// a few tags and dues (some none, some past).

// v2Titles are the titles of the tasks; each word's share of the tasks follows from it.
var v2Titles = []string{
	"Buy groceries for the week",
	"Call the dentist about the appointment",
	"Book a table at the café",
	"Pay the electricity bill",
	"Pay the phone bill",
	"Renew the car insurance",
	"Prepare the quarterly report",
	"Review the budget report",
	"Send the invoice to the client",
	"Prepare slides for the team meeting",
	"Write the weekly newsletter",
	"Plan the summer holiday",
	"Book flights to Lisbon",
	"Pick up the prescription",
	"Fix the kitchen tap",
	"Clean the garage",
	"Water the garden",
	"Return the library books",
	"Buy a birthday present for Anna",
	"Email the landlord about the heating",
	"Schedule the car service",
	"Read the contract before signing",
	"File the tax return",
	"Order new running shoes",
	"Update the project plan",
	"Practice the presentation",
	"Back up the laptop",
	"Cancel the gym membership",
	"Try the new pasta recipe",
	"Call mum on Sunday",
}

// v2Descriptions are drawn alike; a fifth are empty.
var v2Descriptions = []string{
	"",
	"",
	"Before the end of the week.",
	"Ask the team for their notes first.",
	"Check the last report for the numbers.",
	"Remember the receipt and the reference number.",
	"Only if there is time this week, otherwise next week.",
	"Prepare a short summary for the Monday meeting.",
	"The details are in the email from last week.",
	"Needs a call to confirm the time.",
}

// v2Searches are what users type: a common word (in about a third of the tasks), a less
// common one (1 in 6), rare ones (1 in 30, one of them written with an accent in the title), a
// prefix of a word being typed (1 in 4), and two words (1 in 15).
var v2Searches = []string{"week", "report", "dentist", "cafe", "pre", "pay bill"}

var (
	v2Tags = []string{"work", "home", "errands", "health", "money"}
	// v2Priorities weighs the draw: a third none, a third medium, a sixth low or high.
	v2Priorities = []string{"none", "none", "low", "medium", "medium", "high"}
	v2Sorts      = []string{"created", "updated", "due", "priority", "title"}
	// v2Orders: mostly the sort's own direction, sometimes reversed either way.
	v2Orders = []string{"", "", "order=asc", "order=desc"}
)

// v2PageSize is the web UI's page.
const v2PageSize = "limit=50"

// v2Workload is the UI's workload; today (in UTC, the users' zone) dates the dues.
func v2Workload(today time.Time) *workload {
	// Dues from a week ago to a month ahead.
	dates := make([]string, 37)
	for i := range dates {
		dates[i] = today.AddDate(0, 0, i-7).Format(time.DateOnly)
	}
	filters := []string{
		"", // all tasks
		"status=open",
		"status=open", // the usual view, drawn twice as often
		"status=completed",
		"status=open&priority=high",
		"priority=high&priority=medium",
		"tag=work",
		"status=open&tag=home",
		"tag=work&tag=money",
		"due=overdue",
		"due=today",
		"status=open&due=overdue&due=today",
		"due=upcoming",
		"due=none",
		"status=open&due=any",
		"due_after=" + dates[7] + "&due_before=" + dates[21],
	}
	due := func(rng *mathrand.Rand) *v2Due {
		switch n := rng.IntN(20); {
		case n < 7:
			return nil
		case n < 16:
			return &v2Due{Date: dates[rng.IntN(len(dates))]}
		default: // at a quarter hour of the working day
			minutes := 8*60 + 15*rng.IntN(48)
			return &v2Due{Date: dates[rng.IntN(len(dates))], Time: fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)}
		}
	}
	return &workload{
		path: "/api/v2/tasks",
		mix: [numOps]int{
			opList:   35,
			opSearch: 15,
			opNext:   10,
			opCreate: 10,
			opGet:    5,
			opPatch:  12,
			opToggle: 8,
			opDelete: 5,
		},
		listQuery: func(rng *mathrand.Rand) string {
			return query(pick(rng, filters), "sort="+pick(rng, v2Sorts), pick(rng, v2Orders), v2PageSize)
		},
		searchQuery: func(rng *mathrand.Rand) string {
			status := ""
			if rng.IntN(3) == 0 {
				status = "status=open"
			}
			return query("q="+url.QueryEscape(pick(rng, v2Searches)), status, "sort="+pick(rng, v2Sorts), pick(rng, v2Orders), v2PageSize)
		},
		createBody: func(rng *mathrand.Rand) []byte {
			return mustJSON(v2Draft{Title: pick(rng, v2Titles), Description: pick(rng, v2Descriptions),
				Priority: pick(rng, v2Priorities), Tags: v2TagsOf(rng), Due: due(rng)})
		},
		patchBody: func(rng *mathrand.Rand) []byte {
			var change map[string]any
			switch rng.IntN(5) {
			case 0:
				change = map[string]any{"title": pick(rng, v2Titles)}
			case 1:
				change = map[string]any{"description": pick(rng, v2Descriptions)}
			case 2:
				change = map[string]any{"priority": pick(rng, v2Priorities)}
			case 3:
				change = map[string]any{"tags": v2TagsOf(rng)}
			default:
				change = map[string]any{"due": due(rng)} // nil is null: the due is removed
			}
			return mustJSON(change)
		},
	}
}

// v2Draft is the body of a v2 create.
type v2Draft struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Priority    string   `json:"priority,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Due         *v2Due   `json:"due,omitempty"`
}

type v2Due struct {
	Date string `json:"date"`
	Time string `json:"time,omitempty"`
}

// v2TagsOf draws none (3 tasks in 10), one or two tags.
func v2TagsOf(rng *mathrand.Rand) []string {
	switch n := rng.IntN(20); {
	case n < 6:
		return []string{}
	case n < 15:
		return []string{pick(rng, v2Tags)}
	default:
		first := rng.IntN(len(v2Tags))
		return []string{v2Tags[first], v2Tags[(first+1+rng.IntN(len(v2Tags)-1))%len(v2Tags)]}
	}
}

func pick(rng *mathrand.Rand, from []string) string { return from[rng.IntN(len(from))] }

// query joins the parameters that are not empty.
func query(params ...string) string {
	var b strings.Builder
	for _, p := range params {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p)
	}
	return b.String()
}

// mustJSON encodes a body made of strings, which cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
