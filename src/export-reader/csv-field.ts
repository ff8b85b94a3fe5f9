const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = /"/g;

/** One CSV field per RFC 4180: quoted only when it holds a comma, a double quote or a line break; quotes doubled. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(QUOTE, '""')}"` : value;
}

/**
 * Text that a spreadsheet would run as a formula starts with one of these (OWASP, CSV Injection:
 * https://owasp.org/www-community/attacks/CSV_Injection): = + - @, tab, carriage return.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell made safe to open in Excel or Sheets, the OWASP way: a single quote in front, so the cell is shown
 * as text and never evaluated (then quoted per RFC 4180 as usual). Only for text columns: numbers we print
 * ourselves stay numbers ("-0.35" is a negative number to a spreadsheet, not a formula) so sums still work.
 */
export function csvText(value: string): string {
  return csvField(FORMULA_START.test(value) ? `'${value}` : value);
}

/** Reading back a cell csvText wrote: the quote it added is dropped, anything else is left as it is. */
export function fromCsvText(cell: string): string {
  return cell.length > 1 && cell[0] === "'" && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}
