package recur_test

import "testing"

func TestDescribe(t *testing.T) {
	for _, c := range []struct{ rule, want string }{
		{"FREQ=DAILY", "Every day"},
		{"FREQ=DAILY;INTERVAL=3", "Every 3 days"},
		{"FREQ=WEEKLY", "Every week"},
		{"FREQ=WEEKLY;INTERVAL=2", "Every 2 weeks"},
		{"FREQ=WEEKLY;BYDAY=FR", "Every week on Fri"},
		{"FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,MO", "Every 2 weeks on Mon, Thu"},
		{"FREQ=WEEKLY;BYDAY=SU,SA", "Every week on Sat, Sun"},
		{"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Every weekday"},
		{"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR", "Every 2 weeks on weekdays"},
		{"FREQ=MONTHLY;BYMONTHDAY=1", "Every month on the 1st"},
		{"FREQ=MONTHLY;BYMONTHDAY=2", "Every month on the 2nd"},
		{"FREQ=MONTHLY;BYMONTHDAY=3", "Every month on the 3rd"},
		{"FREQ=MONTHLY;BYMONTHDAY=11", "Every month on the 11th"},
		{"FREQ=MONTHLY;BYMONTHDAY=12", "Every month on the 12th"},
		{"FREQ=MONTHLY;BYMONTHDAY=13", "Every month on the 13th"},
		{"FREQ=MONTHLY;BYMONTHDAY=22", "Every month on the 22nd"},
		{"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=31", "Every 3 months on the 31st"},
		{"FREQ=MONTHLY;BYMONTHDAY=-1", "Every month on the last day"},
		{"FREQ=MONTHLY;BYDAY=-1FR", "Every month on the last Friday"},
		{"FREQ=MONTHLY;BYDAY=2TU", "Every month on the 2nd Tuesday"},
		{"FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "Every year on 24 Dec"},
		{"FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "Every 4 years on 29 Feb"},
		{"RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3", "Every 3 days after completion"},
		{"RRULE;X-REPEAT-FROM=COMPLETION:FREQ=MONTHLY", "Every month after completion"},
		{"FREQ=DAILY;UNTIL=20261224", "Every day until 24 Dec 2026"},
		{"FREQ=WEEKLY;BYDAY=MO,TH;COUNT=5", "Every week on Mon, Thu, 5 times"},
		{"FREQ=DAILY;COUNT=1", "Every day, once"},
		{"RRULE;X-REPEAT-FROM=COMPLETION:FREQ=WEEKLY;INTERVAL=2;UNTIL=20270105", "Every 2 weeks after completion until 5 Jan 2027"},
	} {
		if got := mustParse(t, c.rule).Describe(); got != c.want {
			t.Errorf("Describe(%s) = %q, want %q", c.rule, got, c.want)
		}
	}
}
