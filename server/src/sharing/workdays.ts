/**
 * Working-day calendar (工作日历) for the sharing workflow's time limits.
 *
 * A working day is Monday–Friday, minus the official holidays (`holidays`), plus the weekend days
 * that are official working days (`workdays`, 调休上班). The holidays and 调休 days come from data:
 * one JSON file per year (`server/data/calendars/cn-YYYY.json`, the State Council's schedule,
 * published each November). Dropping a new year's file into the directory is all it takes —
 * `loadCalendarDir` reads every `cn-*.json`. A year with no file falls back to Monday–Friday and
 * says so through `coverage(year)`, `fallbackYearsUsed()` and the `onFallback` callback.
 *
 * Time zone: calendar dates are dates in Asia/Shanghai (UTC+08:00; China has had no daylight
 * saving time since 1991, so the offset is fixed). An instant (Date or ISO date-time string) is
 * first turned into its Shanghai date; a plain `YYYY-MM-DD` string is taken as that date.
 *
 * Counting rule (the start day does NOT count — as for periods in days under the Civil Code,
 * art. 201: 开始的当日不计入, 自下一日开始计算): a limit of n working days for a request made on day S
 * ends at 24:00 (Asia/Shanghai) of the n-th working day after S. Submitted on Thursday 2026-02-12
 * with a limit of 5: Fri 13 (1), Sat 14 调休 (2), 春节 15–23 off, Tue 24 (3), Wed 25 (4), Thu 26 (5):
 * the deadline is 2026-02-27T00:00:00+08:00, and the request is overdue from that instant on.
 * `workdaysBetween(a, b)` counts the working days after a's date up to and including b's date, so
 * `workdaysBetween(s, addWorkdaysToDate(s, n)) === n`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Where the shipped calendar files live (server/data/calendars). */
export const DEFAULT_CALENDAR_DIR = fileURLToPath(new URL('../../data/calendars/', import.meta.url));

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CalendarEntry {
  date: string;
  name: string;
}

export interface CalendarYear {
  year: number;
  source?: string;
  /** Days off (including the weekend days inside a holiday). */
  holidays: CalendarEntry[];
  /** Weekend days that are working days (调休上班). */
  workdays: CalendarEntry[];
}

export class CalendarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarError';
  }
}

const entrySchema = z.object({
  date: z.string().regex(DATE_RE, 'expected a date YYYY-MM-DD'),
  name: z.string().trim().min(1, 'expected a non-empty name'),
});

export const CalendarYearSchema = z.object({
  year: z.number().int().min(1900).max(2200),
  source: z.string().optional(),
  holidays: z.array(entrySchema),
  workdays: z.array(entrySchema),
});

// ---------------------------------------------------------------------------------------------
// Date helpers (dates as day numbers: days since 1970-01-01)

function dayNumber(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new CalendarError(`not a date YYYY-MM-DD: ${JSON.stringify(date)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const check = new Date(t);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new CalendarError(`not a real date: ${date}`);
  }
  return t / DAY_MS;
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

function yearOf(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** The Asia/Shanghai calendar date (YYYY-MM-DD) of an instant. */
export function shanghaiDate(instant: Date): string {
  const t = instant.getTime();
  if (Number.isNaN(t)) throw new CalendarError('invalid Date');
  return new Date(t + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** A date or instant: `YYYY-MM-DD` (a Shanghai calendar date), an ISO date-time string, or a Date. */
export type DateInput = string | Date;

function toDay(input: DateInput): number {
  if (input instanceof Date) return dayNumber(shanghaiDate(input));
  if (DATE_RE.test(input)) return dayNumber(input);
  const t = Date.parse(input);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(input) || Number.isNaN(t)) throw new CalendarError(`not a date or ISO date-time: ${JSON.stringify(input)}`);
  return dayNumber(shanghaiDate(new Date(t)));
}

/** The instant 00:00 Asia/Shanghai of a day. */
function startOfDay(day: number): Date {
  return new Date(day * DAY_MS - SHANGHAI_OFFSET_MS);
}

// ---------------------------------------------------------------------------------------------
// Parsing and validating year files

function describeEntry(data: unknown, path: PropertyKey[]): string {
  const [list, index] = path;
  if ((list === 'holidays' || list === 'workdays') && typeof index === 'number') {
    const entry = (data as Record<string, unknown[]>)[list]?.[index];
    return `${list}[${index}] ${JSON.stringify(entry)}`;
  }
  return path.length ? path.map(String).join('.') : '(file)';
}

/**
 * Validates one year's calendar data. Throws a CalendarError naming the file (`origin`) and the bad
 * entry. Rules: the schema above; every date real; dates in the file's year (or December of the
 * year before / January of the year after, where a schedule can reach); no date twice; no date
 * both a holiday and a working day; a 调休 working day must fall on a Saturday or Sunday.
 */
export function parseCalendarYear(data: unknown, origin = 'calendar'): CalendarYear {
  const parsed = CalendarYearSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CalendarError(`${origin}: ${describeEntry(data, issue.path)}: ${issue.message}`);
  }
  const cal = parsed.data as CalendarYear;
  const first = dayNumber(`${cal.year - 1}-12-01`);
  const last = dayNumber(`${cal.year + 1}-01-31`);
  const seen = new Map<string, string>();
  for (const list of ['holidays', 'workdays'] as const) {
    cal[list].forEach((entry, i) => {
      const where = `${origin}: ${list}[${i}] ${JSON.stringify(entry)}`;
      let day: number;
      try {
        day = dayNumber(entry.date);
      } catch (e) {
        throw new CalendarError(`${where}: ${(e as Error).message}`);
      }
      if (day < first || day > last) throw new CalendarError(`${where}: date is outside the year ${cal.year}`);
      const before = seen.get(entry.date);
      if (before) throw new CalendarError(`${where}: ${entry.date} is already listed in ${before}`);
      seen.set(entry.date, `${list}[${i}]`);
      if (list === 'workdays' && weekday(day) !== 0 && weekday(day) !== 6) {
        throw new CalendarError(`${where}: a 调休 working day must be a Saturday or Sunday, ${entry.date} is a weekday`);
      }
    });
  }
  return cal;
}

/** Reads and validates one calendar file. */
export function readCalendarFile(path: string): CalendarYear {
  const origin = basename(path);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CalendarError(`${origin}: cannot read calendar JSON: ${(e as Error).message}`);
  }
  const cal = parseCalendarYear(data, origin);
  const named = /(\d{4})/.exec(origin);
  if (named && Number(named[1]) !== cal.year) {
    throw new CalendarError(`${origin}: file name says ${named[1]} but the file is for year ${cal.year}`);
  }
  return cal;
}

// ---------------------------------------------------------------------------------------------
// The calendar

export interface CalendarCoverage {
  year: number;
  /** True when a calendar file for the year is loaded; false means Monday–Friday fallback. */
  covered: boolean;
  /** The file's `source` (the notice it transcribes), when covered. */
  source?: string;
}

export interface DayInfo {
  date: string;
  workday: boolean;
  /** weekday/weekend: ordinary day; holiday: official day off; adjusted-workday: 调休上班. */
  kind: 'weekday' | 'weekend' | 'holiday' | 'adjusted-workday';
  /** Holiday name (e.g. 春节) for holidays and adjusted working days. */
  name?: string;
  /** False when the year has no calendar file and Monday–Friday was assumed. */
  covered: boolean;
}

export interface WorkCalendarOptions {
  /** Called once per year the first time a date in a year without a calendar file is used. */
  onFallback?: (year: number) => void;
}

export class WorkCalendar {
  private readonly special = new Map<number, { workday: boolean; name: string }>();
  private readonly loaded = new Map<number, CalendarYear>();
  private readonly fallbackUsed = new Set<number>();
  private readonly onFallback?: (year: number) => void;

  constructor(years: readonly CalendarYear[] = [], options: WorkCalendarOptions = {}) {
    this.onFallback = options.onFallback;
    const origin = new Map<number, string>();
    for (const y of years) {
      const cal = parseCalendarYear(y, `calendar ${y.year}`);
      if (this.loaded.has(cal.year)) throw new CalendarError(`calendar for ${cal.year} is loaded twice`);
      this.loaded.set(cal.year, cal);
      for (const [list, workday] of [['holidays', false], ['workdays', true]] as const) {
        for (const e of cal[list]) {
          const day = dayNumber(e.date);
          const prev = this.special.get(day);
          if (prev && prev.workday !== workday) {
            throw new CalendarError(`${e.date} is a ${workday ? 'working day' : 'holiday'} in the ${cal.year} calendar but not in the ${origin.get(day)} calendar`);
          }
          this.special.set(day, { workday, name: e.name });
          origin.set(day, String(cal.year));
        }
      }
    }
  }

  /** Loads and validates calendar files (one per year). */
  static fromFiles(paths: readonly string[], options?: WorkCalendarOptions): WorkCalendar {
    return new WorkCalendar(paths.map(readCalendarFile), options);
  }

  /** Years with a loaded calendar file, ascending. */
  years(): number[] {
    return [...this.loaded.keys()].sort((a, b) => a - b);
  }

  coverage(year: number): CalendarCoverage {
    const cal = this.loaded.get(year);
    return cal ? { year, covered: true, source: cal.source } : { year, covered: false };
  }

  /** Years without a calendar file for which Monday–Friday has been assumed so far. */
  fallbackYearsUsed(): number[] {
    return [...this.fallbackUsed].sort((a, b) => a - b);
  }

  private info(day: number): DayInfo {
    const year = yearOf(day);
    const covered = this.loaded.has(year);
    if (!covered && !this.fallbackUsed.has(year)) {
      this.fallbackUsed.add(year);
      this.onFallback?.(year);
    }
    const date = dateOf(day);
    const s = this.special.get(day);
    if (s) return { date, workday: s.workday, kind: s.workday ? 'adjusted-workday' : 'holiday', name: s.name, covered };
    const wd = weekday(day);
    const workday = wd !== 0 && wd !== 6;
    return { date, workday, kind: workday ? 'weekday' : 'weekend', covered };
  }

  /** What kind of day a date is. */
  dayInfo(date: DateInput): DayInfo {
    return this.info(toDay(date));
  }

  isWorkday(date: DateInput): boolean {
    return this.info(toDay(date)).workday;
  }

  /** The date (YYYY-MM-DD) of the n-th working day after the start's date (n = 0: the start's date). */
  addWorkdaysToDate(start: DateInput, n: number): string {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a non-negative integer, got ${n}`);
    let day = toDay(start);
    for (let left = n; left > 0; ) {
      day++;
      if (this.info(day).workday) left--;
    }
    return dateOf(day);
  }

  /**
   * Deadline of a limit of n working days started at `start`: 24:00 Asia/Shanghai of the n-th working
   * day after the start's date (the start day itself does not count; n = 0 gives the end of the
   * start day). Overdue means `now >= deadline`.
   */
  addWorkdays(start: DateInput, n: number): Date {
    return startOfDay(dayNumber(this.addWorkdaysToDate(start, n)) + 1);
  }

  /** Whether a limit of n working days started at `start` has run out at `now`. */
  isOverdue(start: DateInput, n: number, now: Date = new Date()): boolean {
    return now.getTime() >= this.addWorkdays(start, n).getTime();
  }

  /**
   * Working days after a's date up to and including b's date; negative when b is before a;
   * 0 on the same date.
   */
  workdaysBetween(a: DateInput, b: DateInput): number {
    const from = toDay(a);
    const to = toDay(b);
    if (to < from) return -this.workdaysBetween(b, a);
    let count = 0;
    for (let day = from + 1; day <= to; day++) if (this.info(day).workday) count++;
    return count;
  }
}

/**
 * Loads every `cn-*.json` in a directory (default: the shipped `server/data/calendars`).
 * Files are validated; a malformed file throws a CalendarError naming the file and the entry.
 */
export function loadCalendarDir(dir: string = DEFAULT_CALENDAR_DIR, options?: WorkCalendarOptions): WorkCalendar {
  const files = readdirSync(dir)
    .filter((f) => /^cn-.*\.json$/.test(f))
    .sort();
  return WorkCalendar.fromFiles(
    files.map((f) => join(dir, f)),
    options,
  );
}
