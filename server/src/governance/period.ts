/**
 * The instants indicators are computed at. Dates and months are the city's (Asia/Shanghai, UTC+8,
 * no daylight saving): a date names the whole day, so `as_of=2026-11-30` counts everything recorded
 * before 2026-12-01 00:00 in Shanghai. Every bound is exclusive at its end.
 */
const SHANGHAI_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** Start of a Shanghai calendar date (YYYY-MM-DD). */
export function dayStart(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - SHANGHAI_MS);
}

/** End of a Shanghai calendar date: the start of the next one. */
export function dayEnd(date: string): Date {
  return new Date(dayStart(date).getTime() + DAY_MS);
}

/** The Shanghai date of an instant. */
export function shanghaiDay(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_MS).toISOString().slice(0, 10);
}

/** A month (YYYY-MM) as the window [first day, first day of the next month). */
export function monthWindow(month: string): { from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: dayStart(`${month}-01`), to: dayStart(`${next}-01`) };
}

/** The month (YYYY-MM) before the one an instant falls in. */
export function previousMonth(instant: Date): string {
  const [y, m] = shanghaiDay(instant).split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** Whole days from one instant to a later one. */
export function daysBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / DAY_MS);
}
