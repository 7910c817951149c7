/**
 * The sharing workflow's clock and working-day calendar. Every transition timestamp, deadline,
 * grant period and "is this grant live now" question reads `now()` from here, so tests (and a
 * replay) can pin time; production uses the system clock. The calendar is the shipped one
 * (server/data/calendars, see docs/calendar.md), loaded once.
 */
import type { Logger } from 'pino';
import { loadCalendarDir, type WorkCalendar } from './workdays.ts';

let clock: () => Date = () => new Date();
let calendar: WorkCalendar | null = null;
let warn: ((year: number) => void) | null = null;

/** The current instant for the sharing workflow. */
export function now(): Date {
  return clock();
}

/** Pins the clock (tests); `null` goes back to the system clock. */
export function setClock(fn: (() => Date) | null): void {
  clock = fn ?? (() => new Date());
}

/** The working-day calendar; a year without a calendar file is reported once to the log. */
export function workCalendar(log?: Logger): WorkCalendar {
  if (log && !warn) warn = (year) => log.warn({ year }, `no working-day calendar for ${year}: sharing deadlines assume Monday–Friday; add server/data/calendars/cn-${year}.json`);
  calendar ??= loadCalendarDir(undefined, { onFallback: (year) => warn?.(year) });
  return calendar;
}

/** Replaces the calendar (tests); `null` goes back to the shipped one. */
export function useCalendar(cal: WorkCalendar | null): void {
  calendar = cal;
}
