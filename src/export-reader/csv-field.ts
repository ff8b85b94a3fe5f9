const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = /"/g;

/** One CSV field per RFC 4180: quoted only when it holds a comma, a double quote or a line break; quotes doubled. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(QUOTE, '""')}"` : value;
}
