"""Reads an iCalendar feed on stdin with python3-icalendar and prints what the Go test checks,
as JSON: the calendar's properties, each VEVENT and VTODO, the next occurrences of each RRULE
(expanded by python3-dateutil, from DTSTART's local time), and the UTC offset that each
VTIMEZONE gives at the instants named on the command line (RFC 3339, UTC)."""
import json
import sys
from datetime import date, datetime, timezone

import dateutil.rrule
import icalendar

OCCURRENCES = 6


def when(value):
    if value is None:
        return None
    dt = value.dt
    if isinstance(dt, datetime):
        out = {"utc": dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "local": dt.strftime("%Y-%m-%dT%H:%M:%S")}
        if "TZID" in value.params:
            out["tzid"] = str(value.params["TZID"])
        return out
    if isinstance(dt, date):
        return {"date": dt.isoformat()}
    return {"other": str(dt)}


def text(component, name):
    value = component.get(name)
    return None if value is None else str(value)


def occurrences(component):
    if "RRULE" not in component:
        return None
    start = component.get("DTSTART") or component.get("DUE")
    dt = start.dt
    if isinstance(dt, datetime):
        dt = dt.replace(tzinfo=None)
    else:
        dt = datetime(dt.year, dt.month, dt.day)
    rule = dateutil.rrule.rrulestr(component["RRULE"].to_ical().decode(), dtstart=dt)
    out = []
    for occurrence in rule:
        out.append(occurrence.strftime("%Y-%m-%dT%H:%M:%S"))
        if len(out) == OCCURRENCES:
            break
    return out


def main():
    cal = icalendar.Calendar.from_ical(sys.stdin.read())
    result = {"calendar": {name: text(cal, name) for name in
                           ("PRODID", "VERSION", "X-WR-CALNAME", "X-WR-TIMEZONE", "REFRESH-INTERVAL", "X-PUBLISHED-TTL")},
              "components": [], "timezones": {}}
    instants = [datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) for s in sys.argv[1:]]
    for component in cal.walk():
        if component.name == "VTIMEZONE":
            tz = component.to_tz()
            result["timezones"][str(component["TZID"])] = [
                int(i.astimezone(tz).utcoffset().total_seconds()) for i in instants]
        if component.name not in ("VEVENT", "VTODO"):
            continue
        categories = component.get("CATEGORIES")
        result["components"].append({
            "type": component.name,
            "uid": text(component, "UID"),
            "summary": text(component, "SUMMARY"),
            "description": text(component, "DESCRIPTION"),
            "dtstart": when(component.get("DTSTART")),
            "dtend": when(component.get("DTEND")),
            "due": when(component.get("DUE")),
            "duration": None if "DURATION" not in component else int(component.decoded("DURATION").total_seconds()),
            "dtstamp": when(component.get("DTSTAMP")),
            "last_modified": when(component.get("LAST-MODIFIED")),
            "completed": when(component.get("COMPLETED")),
            "status": text(component, "STATUS"),
            "priority": None if "PRIORITY" not in component else int(component["PRIORITY"]),
            "categories": None if categories is None else [str(c) for c in categories.cats],
            "rrule": None if "RRULE" not in component else component["RRULE"].to_ical().decode(),
            "occurrences": occurrences(component),
        })
    json.dump(result, sys.stdout, indent=1)


main()
