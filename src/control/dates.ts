/**
 * Whole calendar days from `today` to `date` (negative: in the past). Date-only columns reach the control as a
 * Date at local midnight of that day, so both are compared by their local calendar day; counting through
 * Date.UTC keeps a daylight-saving change from turning a day into 23 or 25 hours.
 */
export function calendarDaysFrom(today: Date, date: Date): number {
  const day = (d: Date) => Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.round((day(date) - day(today)) / 86_400_000);
}

/** A date-only ISO string ("2026-03-01" or an instant) as a local-midnight Date; undefined when unreadable. */
export function parseIsoDate(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? undefined : d;
}
