package recur_test

import (
	"fmt"
	"time"

	"todo/internal/recur"
	"todo/internal/task"
)

func Example() {
	rule, err := recur.Parse("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH")
	if err != nil {
		panic(err)
	}
	fmt.Println(rule.Describe())

	// Due on Monday 7 December 2026 at 09:00 in Berlin, done on time.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	due := task.DueAt(task.Date{Year: 2026, Month: time.December, Day: 7}, 9, 0, berlin)
	for done := 1; done <= 3; done++ {
		next, ok := rule.Next(due, done, due.At, berlin)
		if !ok {
			break
		}
		fmt.Println(next.At.In(berlin).Format("Mon 2 Jan 15:04"))
		due = next
	}

	// From completion: 3 days after the day it was done, whenever it was due.
	water, _ := recur.Parse("RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3")
	next, _ := water.Next(task.Due{Date: task.Date{Year: 2026, Month: time.December, Day: 1}}, 1,
		time.Date(2026, 12, 9, 18, 0, 0, 0, berlin), berlin)
	fmt.Println(water.Describe()+":", next.Date)
	// Output:
	// Every 2 weeks on Mon, Thu
	// Thu 10 Dec 09:00
	// Mon 21 Dec 09:00
	// Thu 24 Dec 09:00
	// Every 3 days after completion: 2026-12-12
}
