package quickadd_test

import (
	"fmt"
	"time"

	"todo/internal/quickadd"
	"todo/internal/task"
)

func ExampleParse() {
	paris, _ := time.LoadLocation("Europe/Paris")
	prefs := task.Prefs{TimeZone: paris, WeekStart: time.Monday}
	now := time.Date(2026, 12, 9, 10, 0, 0, 0, paris)

	r := quickadd.Parse("Submit report #work !high fri at 9:30am", now, prefs)
	fmt.Println(r.Title, r.Tags, r.Priority, r.Due.At.In(paris).Format(time.DateTime))
	for _, tok := range r.Tokens {
		fmt.Printf("%s %q at %d\n", tok.Kind, tok.Text, tok.Start)
	}
	// Output:
	// Submit report [work] high 2026-12-11 09:30:00
	// tag "#work" at 14
	// priority "!high" at 20
	// date "fri" at 26
	// time "at 9:30am" at 30
}
