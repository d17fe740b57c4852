package quickadd_test

import (
	"testing"
	"time"

	"todo/internal/quickadd"
	"todo/internal/task"
)

func TestRecurrence(t *testing.T) {
	// wednesday is Wednesday 2026-12-09, 10:00 UTC; a rule's due is its first occurrence from today.
	repeat := func(title, due, rule string, tokens ...string) outcome {
		return outcome{title: title, due: due, repeat: rule, tokens: tokens}
	}
	runCases(t, wednesday, task.DefaultPrefs, []parseCase{
		{"Stretch every day", repeat("Stretch", "2026-12-09", "RRULE:FREQ=DAILY", "recurrence:every day")},
		{"Stretch EVERY DAY", repeat("Stretch", "2026-12-09", "RRULE:FREQ=DAILY", "recurrence:EVERY DAY")},
		{"Water every 3 days", repeat("Water", "2026-12-09", "RRULE:FREQ=DAILY;INTERVAL=3", "recurrence:every 3 days")},
		{"Water every 1 day", repeat("Water", "2026-12-09", "RRULE:FREQ=DAILY", "recurrence:every 1 day")},
		{"Water every other day", repeat("Water", "2026-12-09", "RRULE:FREQ=DAILY;INTERVAL=2", "recurrence:every other day")},
		{"Standup every weekday", repeat("Standup", "2026-12-09", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "recurrence:every weekday")},
		{"Standup every workday", repeat("Standup", "2026-12-09", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "recurrence:every workday")},
		// A weekly rule without days keeps the weekday it starts on.
		{"Call mom every week", repeat("Call mom", "2026-12-09", "RRULE:FREQ=WEEKLY;BYDAY=WE", "recurrence:every week")},
		{"Call mom every other week", repeat("Call mom", "2026-12-09", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "recurrence:every other week")},
		{"Gym every 2 weeks on mon, thu", repeat("Gym", "2026-12-10", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "recurrence:every 2 weeks on mon, thu")},
		{"Gym every week on friday", repeat("Gym", "2026-12-11", "RRULE:FREQ=WEEKLY;BYDAY=FR", "recurrence:every week on friday")},
		{"Gym every mon, thu", repeat("Gym", "2026-12-10", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH", "recurrence:every mon, thu")},
		{"Gym every mon,thu", repeat("Gym", "2026-12-10", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH", "recurrence:every mon,thu")},
		{"Gym every mon and thu", repeat("Gym", "2026-12-10", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH", "recurrence:every mon and thu")},
		{"Gym every monday, wednesday, and friday", repeat("Gym", "2026-12-09", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR", "recurrence:every monday, wednesday, and friday")},
		{"Gym every thu, mon, thu", repeat("Gym", "2026-12-10", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH", "recurrence:every thu, mon, thu")},
		{"Gym every other friday", repeat("Gym", "2026-12-11", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "recurrence:every other friday")},
		{"Gym every sun", repeat("Gym", "2026-12-13", "RRULE:FREQ=WEEKLY;BYDAY=SU", "recurrence:every sun")},
		// A comma after the last weekday stays in the title; so does a full stop.
		{"Gym every mon, then rest", repeat("Gym, then rest", "2026-12-14", "RRULE:FREQ=WEEKLY;BYDAY=MO", "recurrence:every mon")},
		{"Gym every mon, thu.", repeat("Gym.", "2026-12-10", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH", "recurrence:every mon, thu")},
		{"Rent every month on the 1st", repeat("Rent", "2027-01-01", "RRULE:FREQ=MONTHLY;BYMONTHDAY=1", "recurrence:every month on the 1st")},
		{"Rent every month on 1st", repeat("Rent", "2027-01-01", "RRULE:FREQ=MONTHLY;BYMONTHDAY=1", "recurrence:every month on 1st")},
		{"Rent every 1st", repeat("Rent", "2027-01-01", "RRULE:FREQ=MONTHLY;BYMONTHDAY=1", "recurrence:every 1st")},
		{"Pay every 15th", repeat("Pay", "2026-12-15", "RRULE:FREQ=MONTHLY;BYMONTHDAY=15", "recurrence:every 15th")},
		{"Rent every month on the 31st", repeat("Rent", "2026-12-31", "RRULE:FREQ=MONTHLY;BYMONTHDAY=31", "recurrence:every month on the 31st")},
		{"Budget every last day", repeat("Budget", "2026-12-31", "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1", "recurrence:every last day")},
		{"Budget every month on the last day", repeat("Budget", "2026-12-31", "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1", "recurrence:every month on the last day")},
		{"Review every last friday", repeat("Review", "2026-12-25", "RRULE:FREQ=MONTHLY;BYDAY=-1FR", "recurrence:every last friday")},
		{"Review every month on the last friday", repeat("Review", "2026-12-25", "RRULE:FREQ=MONTHLY;BYDAY=-1FR", "recurrence:every month on the last friday")},
		{"Report every 2nd tuesday", repeat("Report", "2027-01-12", "RRULE:FREQ=MONTHLY;BYDAY=2TU", "recurrence:every 2nd tuesday")},
		{"Report every first mon", repeat("Report", "2027-01-04", "RRULE:FREQ=MONTHLY;BYDAY=1MO", "recurrence:every first mon")},
		{"Report every 3 months on the 9th", repeat("Report", "2026-12-09", "RRULE:FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=9", "recurrence:every 3 months on the 9th")},
		// A monthly rule without a day keeps the day it starts on.
		{"Invoice every month", repeat("Invoice", "2026-12-09", "RRULE:FREQ=MONTHLY;BYMONTHDAY=9", "recurrence:every month")},
		{"Taxes every year", repeat("Taxes", "2026-12-09", "RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=9", "recurrence:every year")},
		{"Census every 10 years", repeat("Census", "2026-12-09", "RRULE:FREQ=YEARLY;INTERVAL=10;BYMONTH=12;BYMONTHDAY=9", "recurrence:every 10 years")},
		{"Birthday every 24 dec", repeat("Birthday", "2026-12-24", "RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "recurrence:every 24 dec")},
		{"Birthday every march 5th", repeat("Birthday", "2027-03-05", "RRULE:FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=5", "recurrence:every march 5th")},
		// 29 February falls on the 28th in common years.
		{"Leap every 29 feb", repeat("Leap", "2027-02-28", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "recurrence:every 29 feb")},
		// From completion.
		{"Water every! 3 days", repeat("Water", "2026-12-09", "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3", "recurrence:every! 3 days")},
		{"Water Every! Week", repeat("Water", "2026-12-09", "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=WEEKLY", "recurrence:Every! Week")},
		{"Haircut every! 2 months", repeat("Haircut", "2026-12-09", "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=MONTHLY;INTERVAL=2", "recurrence:every! 2 months")},
		{"Water every 3 days after completion", repeat("Water", "2026-12-09", "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3", "recurrence:every 3 days after completion")},
		{"Water every 3 days after completion.", repeat("Water.", "2026-12-09", "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3", "recurrence:every 3 days after completion")},
		{"Service every year after completion", repeat("Service", "2026-12-09", "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=YEARLY", "recurrence:every year after completion")},
		// "after completion" after a comma, or of a rule on chosen days, is text.
		{"Water every 3 days, after completion", repeat("Water, after completion", "2026-12-09", "RRULE:FREQ=DAILY;INTERVAL=3", "recurrence:every 3 days")},
		{"Water every! monday", outcome{title: "Water every!", due: "2026-12-14", tokens: []string{"date:monday"}}},
		{"Water every mon after completion", outcome{title: "Water every after completion", due: "2026-12-14", tokens: []string{"date:mon"}}},
		// The first rule counts; a later one is text.
		{"Run every day and every week", repeat("Run and every week", "2026-12-09", "RRULE:FREQ=DAILY", "recurrence:every day")},
		// Not rules.
		{"every time", text("every time")},
		{"Buy everyday things", text("Buy everyday things")},
		{"Create monthly report", text("Create monthly report")},
		{"Water every days", text("Water every days")},
		{"Water every 0 days", text("Water every 0 days")},
		{"Water every 1000 days", text("Water every 1000 days")},
		{"Water every, day", text("Water every, day")},
		{"Water every other", text("Water every other")},
		{"Water every 3", text("Water every 3")},
		{"Water every 3 apples", text("Water every 3 apples")},
		{"Meet every the 1st", text("Meet every the 1st")},
		{"Meet every month on", repeat("Meet on", "2026-12-09", "RRULE:FREQ=MONTHLY;BYMONTHDAY=9", "recurrence:every month")},
		{"Meet every month on the 32nd", repeat("Meet on the 32nd", "2026-12-09", "RRULE:FREQ=MONTHLY;BYMONTHDAY=9", "recurrence:every month")},
		{"Meet every 30 feb", text("Meet every 30 feb")},
		{"Meet every 5th friday", outcome{title: "Meet every 5th", due: "2026-12-11", tokens: []string{"date:friday"}}},
		{"Meet every! 24 dec", outcome{title: "Meet every!", due: "2026-12-24", tokens: []string{"date:24 dec"}}},
		{`Say \every day`, text("Say every day")},
		{"every day", text("every day")},
	})
}

func TestRecurrenceWithADateOrATime(t *testing.T) {
	repeat := func(title, due, rule string, tokens ...string) outcome {
		return outcome{title: title, due: due, repeat: rule, tokens: tokens}
	}
	runCases(t, wednesday, task.DefaultPrefs, []parseCase{
		// A date is where the rule starts: the first occurrence on or after it, and the day of
		// a rule that names none.
		{"Birthday every year 24 dec", repeat("Birthday", "2026-12-24", "RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "recurrence:every year", "date:24 dec")},
		{"Invoice every month 2027-01-31", repeat("Invoice", "2027-01-31", "RRULE:FREQ=MONTHLY;BYMONTHDAY=31", "recurrence:every month", "date:2027-01-31")},
		{"Gym fri every week", repeat("Gym", "2026-12-11", "RRULE:FREQ=WEEKLY;BYDAY=FR", "date:fri", "recurrence:every week")},
		{"Gym every monday fri", repeat("Gym", "2026-12-14", "RRULE:FREQ=WEEKLY;BYDAY=MO", "recurrence:every monday", "date:fri")},
		{"Water every! 3 days tomorrow", repeat("Water", "2026-12-10", "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3", "recurrence:every! 3 days", "date:tomorrow")},
		// A time alone is the first occurrence whose time has not passed (it is 10:00).
		{"Standup every weekday at 11", repeat("Standup", "2026-12-09T11:00:00Z", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "recurrence:every weekday", "time:at 11")},
		{"Standup every weekday at 9:30", repeat("Standup", "2026-12-10T09:30:00Z", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "recurrence:every weekday", "time:at 9:30")},
		{"Call every week at 9", repeat("Call", "2026-12-16T09:00:00Z", "RRULE:FREQ=WEEKLY;BYDAY=WE", "recurrence:every week", "time:at 9")},
		{"Gym every 2 weeks on mon, thu at 7", repeat("Gym", "2026-12-10T07:00:00Z", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "recurrence:every 2 weeks on mon, thu", "time:at 7")},
		{"Water every! 3 days at 8", repeat("Water", "2026-12-10T08:00:00Z", "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3", "recurrence:every! 3 days", "time:at 8")},
		// With a date, the time is on that date, even today when it has passed.
		{"Stretch every day today at 9", repeat("Stretch", "2026-12-09T09:00:00Z", "RRULE:FREQ=DAILY", "recurrence:every day", "date:today", "time:at 9")},
		{"Submit #work !high every last friday at 16:00", outcome{
			title: "Submit", tags: []string{"work"}, priority: task.PriorityHigh, due: "2026-12-25T16:00:00Z",
			repeat: "RRULE:FREQ=MONTHLY;BYDAY=-1FR",
			tokens: []string{"tag:#work", "priority:!high", "recurrence:every last friday", "time:at 16:00"},
		}},
	})
}

func TestRecurrenceAtTheEndOfAMonth(t *testing.T) {
	// Sunday 31 January 2027: "every month" is every month on the 31st.
	now := time.Date(2027, 1, 31, 8, 0, 0, 0, time.UTC)
	runCases(t, now, task.DefaultPrefs, []parseCase{
		{"Rent every month", outcome{title: "Rent", due: "2027-01-31", repeat: "RRULE:FREQ=MONTHLY;BYMONTHDAY=31", tokens: []string{"recurrence:every month"}}},
		{"Rent every month on the 30th", outcome{title: "Rent", due: "2027-02-28", repeat: "RRULE:FREQ=MONTHLY;BYMONTHDAY=30", tokens: []string{"recurrence:every month on the 30th"}}},
		{"Rent every! month", outcome{title: "Rent", due: "2027-01-31", repeat: "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=MONTHLY", tokens: []string{"recurrence:every! month"}}},
	})
}

func TestRecurrenceAtATimeThatDSTSkips(t *testing.T) {
	newYork := task.Prefs{TimeZone: zone(t, "America/New_York"), WeekStart: time.Sunday}
	// Noon on Saturday 13 March 2027: today's 2:30 has passed, and tomorrow's does not exist
	// (clocks go from 02:00 to 03:00); it moves forward to 03:30 EDT.
	now := time.Date(2027, 3, 13, 17, 0, 0, 0, time.UTC)
	runCases(t, now, newYork, []parseCase{
		{"Backup every day at 2:30", outcome{title: "Backup", due: "2027-03-14T07:30:00Z", repeat: "RRULE:FREQ=DAILY", tokens: []string{"recurrence:every day", "time:at 2:30"}}},
	})
}

func TestRecurrenceTokenOffsets(t *testing.T) {
	input := "Gym every 2 weeks on mon, thu at 7 #fit"
	r := quickadd.Parse(input, wednesday, task.DefaultPrefs)
	if len(r.Tokens) != 3 || r.Tokens[0] != (quickadd.Token{Kind: quickadd.Recurrence, Text: "every 2 weeks on mon, thu", Start: 4, End: 29}) {
		t.Errorf("tokens of %q: %+v", input, r.Tokens)
	}
	if r.Recurrence == nil || r.Recurrence.Describe() != "Every 2 weeks on Mon, Thu" {
		t.Errorf("recurrence of %q: %v", input, r.Recurrence)
	}
}
