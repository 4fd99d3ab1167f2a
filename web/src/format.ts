// Display helpers. Money arrives as exact decimal strings and is never turned into a float here.

/** "2.1" USD → "2.10 USD"; "0.000012" → "0.000012 USD": the exact amount, at least two decimals, all significant ones kept. */
export function moneyExact(decimal: string | null | undefined, currency?: string | null): string {
  if (decimal === null || decimal === undefined) return '—';
  const match = DECIMAL.exec(decimal.trim());
  if (match === null) return currency ? `${decimal} ${currency}` : decimal;
  const [, sign = '', whole = '0', fraction = ''] = match;
  return withCurrency(`${sign}${grouped(whole)}.${fraction.padEnd(2, '0')}`, currency);
}

/**
 * For reading: the amount rounded (half away from zero) to the currency's minor unit, "3.600012"
 * USD → "3.60 USD", 1234.5 JPY → "1,235 JPY". Done on the decimal text: never through a float.
 * `Money` shows the exact amount in its title.
 */
export function money(decimal: string | null | undefined, currency?: string | null): string {
  if (decimal === null || decimal === undefined) return '—';
  const match = DECIMAL.exec(decimal.trim());
  if (match === null) return currency ? `${decimal} ${currency}` : decimal;
  const [, sign = '', whole = '0', fraction = ''] = match;
  const digits = minorDigits(currency);
  const up = (fraction.charCodeAt(digits) || 48) >= 53; // the first dropped digit is 5 or more
  const units = (BigInt(whole + fraction.slice(0, digits).padEnd(digits, '0')) + (up ? 1n : 0n)).toString().padStart(digits + 1, '0');
  const cut = units.length - digits;
  const zero = /^0+$/.test(units);
  return withCurrency(`${zero ? '' : sign}${grouped(units.slice(0, cut))}${digits > 0 ? `.${units.slice(cut)}` : ''}`, currency);
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
const grouped = (whole: string) => whole.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const withCurrency = (text: string, currency?: string | null) => (currency ? `${text} ${currency}` : text);

/** Decimals of a currency's minor unit (USD 2, JPY 0, KWD 3); 2 for a code Intl does not know. */
function minorDigits(currency?: string | null): number {
  if (!currency) return 2;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Adds exact decimal strings (for totals of several buckets): integer micro-units in between. */
export function decimalToMicros(decimal: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(decimal.trim());
  if (match === null) return 0n;
  const [, sign, whole = '0', fraction = ''] = match;
  const micros = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
  return sign === '-' ? -micros : micros;
}

export function microsToDecimal(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const abs = micros < 0n ? -micros : micros;
  const fraction = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${sign}${abs / 1_000_000n}${fraction === '' ? '' : `.${fraction}`}`;
}

export function integer(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return n.toLocaleString('en-US');
}

const dateTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });

const dateOnly = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: '2-digit' });
const clockOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** The local date of a moment ("Dec 03, 2026"); null when unreadable. */
export function localDate(iso: string): string | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : dateOnly.format(date);
}

/** The local time of day of a moment ("11:55:52 AM"). */
export function localTimeOfDay(iso: string): string {
  return clockOnly.format(new Date(iso));
}

/** Local time for reading; the ISO text goes in a title. */
export function localTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function duration(seconds: number | null): string {
  if (seconds === null) return 'none due';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`;
}

export function percent(ratio: number | null): string {
  if (ratio === null) return '—';
  return `${(ratio * 100).toFixed(ratio === 1 || ratio === 0 ? 0 : 1)} %`;
}

/** `YYYY-MM-DDTHH:mm` in local time, as a datetime-local input holds it. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value (local time) → ISO-8601 for the API; undefined when empty or unreadable. */
export function fromLocalInput(value: string): string | undefined {
  if (value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function pretty(text: string | null): string {
  if (text === null) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** An outbound request as text: the request line, its headers, then the body (pretty when JSON). */
export function requestText(request: { method: string; url: string; headers: Record<string, string>; body: string | null }): string {
  const headers = Object.entries(request.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  return `${request.method} ${request.url}\n${headers}${request.body ? `\n\n${pretty(request.body)}` : ''}`;
}
