// Expand an iCalendar feed (stdin) with Mozilla's ical.js, as Thunderbird does.
// Prints JSON: {"zones": [TZIDs of the occurrences], "sessions": [[startUTC, endUTC, STATUS, SUMMARY], ...]}.
// Usage: node expand.mjs <path of ical.js's dist/ical.js> < feed.ics
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const ICAL = (await import(pathToFileURL(process.argv[2]).href)).default;

const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}
const events = calendar.getAllSubcomponents("vevent").map((vevent) => new ICAL.Event(vevent));
const masters = new Map();
for (const event of events.filter((e) => !e.isRecurrenceException())) {
  if (masters.has(event.uid)) throw new Error(`two masters for UID ${event.uid}`);
  masters.set(event.uid, event);
}
for (const exception of events.filter((e) => e.isRecurrenceException())) {
  masters.get(exception.uid).relateException(exception);
}
const zones = new Set();
const sessions = [];
const record = (item, start, end) => {
  zones.add(start.zone.tzid);
  sessions.push([start.toJSDate().toISOString(), end.toJSDate().toISOString(),
                 item.component.getFirstPropertyValue("status"), item.summary]);
};
for (const master of masters.values()) {
  if (!master.isRecurring()) {
    record(master, master.startDate, master.endDate);
    continue;
  }
  const iterator = master.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    const details = master.getOccurrenceDetails(next);
    record(details.item, details.startDate, details.endDate);
  }
}
process.stdout.write(JSON.stringify({ zones: [...zones], sessions }));
