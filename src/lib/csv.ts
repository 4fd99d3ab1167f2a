/**
 * One CSV cell (RFC 4180 quoting). A text that a spreadsheet would run as a formula (starting
 * with = + - @, or a tab or carriage return) is prefixed with an apostrophe, so an export
 * opened in Excel cannot execute what a partner sent.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(values: ReadonlyArray<string | number | null | undefined>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
