// Locale-aware formatting of dates, numbers and money with Intl.
// Timestamps from the backend are RFC 3339 UTC; they are shown in the user's time zone unless
// one is given (tests pass "UTC" to be deterministic).

// Building a formatter costs far more than using one, and a page of a list formats hundreds
// of values: each formatter is built once for its locale and options.
function builtOnce<O, F>(build: (locale: string, options: O) => F): (locale: string, options: O) => F {
  const built = new Map<string, F>();
  return (locale, options) => {
    const key = `${locale} ${JSON.stringify(options)}`;
    let format = built.get(key);
    if (format === undefined) {
      format = build(locale, options);
      built.set(key, format);
    }
    return format;
  };
}

export const dateFormat = builtOnce((locale, options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, options));
export const numberFormat = builtOnce((locale, options: Intl.NumberFormatOptions) => new Intl.NumberFormat(locale, options));

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A calendar date such as "Mar 4, 2025" or "2025年3月4日". Unparseable input is returned as is. */
export function formatDate(iso: string, locale: string, timeZone?: string): string {
  const d = parse(iso);
  if (!d) return iso;
  return dateFormat(locale, { dateStyle: 'medium', timeZone }).format(d);
}

/** A date with hours and minutes, such as "Mar 4, 2025, 9:05 AM" or "2025年3月4日 09:05". */
export function formatDateTime(iso: string, locale: string, timeZone?: string): string {
  const d = parse(iso);
  if (!d) return iso;
  return dateFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d);
}

/** A whole number with the locale's grouping, e.g. "1,234". */
export function formatNumber(value: number, locale: string): string {
  return numberFormat(locale, {}).format(value);
}

/** How many minor units a currency has (CNY 2, JPY 0, KWD 3), as Intl knows it. */
export function currencyDigits(currency: string, locale = 'en'): number {
  return numberFormat(locale, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Money stored as integer minor units (fen, cents) shown in major units, e.g.
 * formatMoney(123456, "CNY", "zh-CN") → "¥1,234.56". The amount is handed to Intl as an exact
 * decimal string, so no floating-point rounding creeps in for large amounts.
 */
export function formatMoney(minorUnits: number, currency: string, locale: string): string {
  if (!Number.isSafeInteger(minorUnits)) {
    throw new RangeError(`minor units must be a safe integer, got ${minorUnits}`);
  }
  const nf = numberFormat(locale, { style: 'currency', currency });
  const digits = nf.resolvedOptions().maximumFractionDigits ?? 2;
  const negative = minorUnits < 0;
  const abs = String(Math.abs(minorUnits)).padStart(digits + 1, '0');
  const major = digits === 0 ? abs : `${abs.slice(0, abs.length - digits)}.${abs.slice(abs.length - digits)}`;
  // Intl.NumberFormat accepts decimal strings (ES2023); the cast covers older lib typings.
  return nf.format(((negative ? '-' : '') + major) as unknown as number);
}

// Timeline times and activity dates are local wall-clock values without a zone
// ("2025-03-04" or "2025-03-04T09:05:00"): they are shown as written, never shifted.
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

function parseLocal(text: string): { date: Date; timed: boolean } | null {
  const m = LOCAL.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), 0);
  // 2025-02-30 would roll over into March: such text is not a date.
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return null;
  return { date, timed: h !== undefined };
}

/** A local date such as "Mar 4, 2025" or "2025年3月4日", from "2025-03-04" (a time part is ignored). */
export function formatLocalDate(text: string, locale: string): string {
  const p = parseLocal(text);
  if (!p) return text;
  return dateFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(p.date);
}

/** A local date with its weekday, for day headings: "Sun, Jun 1, 2025" or "2025年6月1日周日". */
export function formatLocalDay(text: string, locale: string): string {
  const p = parseLocal(text);
  if (!p) return text;
  return dateFormat(locale, {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  }).format(p.date);
}

/** The time of a local date-time ("9:05 AM", "09:05"); empty for a date without a time. */
export function formatLocalTime(text: string, locale: string): string {
  const p = parseLocal(text);
  if (!p || !p.timed) return '';
  return dateFormat(locale, { timeStyle: 'short', timeZone: 'UTC' }).format(p.date);
}

/** A file size in bytes, kilobytes, megabytes or gigabytes (powers of 1000), e.g. "1.3 MB". */
export function formatBytes(bytes: number, locale: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return numberFormat(locale, {
    style: 'unit',
    unit: units[i],
    // "512 bytes" reads better than the short "512 byte".
    unitDisplay: i === 0 ? 'long' : 'short',
    maximumFractionDigits: i === 0 ? 0 : 1,
  }).format(value);
}

const MAJOR_UNITS = /^(?:(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?|\.(\d+))$/;

/**
 * An amount the user typed in major units (yuan, dollars) as integer minor units (fen,
 * cents), with exact decimal arithmetic: toMinorUnits("1234.5", "CNY") → 123450. Accepts
 * grouping commas ("1,234.50"), full-width digits, a leading sign and a leading currency
 * symbol. Returns null for text that is not such an amount or has more decimals than the
 * currency has minor units.
 */
export function toMinorUnits(text: string, currency: string): number | null {
  let s = text.normalize('NFKC').replace(/[\s_]/g, '');
  let negative = false;
  const sign = /^[-−]/;
  if (sign.test(s)) {
    negative = true;
    s = s.slice(1);
  }
  s = s.replace(/^[¥$€£]/, '');
  if (!negative && sign.test(s)) {
    negative = true;
    s = s.slice(1);
  }
  const m = MAJOR_UNITS.exec(s);
  if (!m) return null;
  const whole = (m[1] ?? '0').replace(/,/g, '');
  const fraction = m[2] ?? m[3] ?? '';
  let digits: number;
  try {
    digits = currencyDigits(currency);
  } catch {
    return null;
  }
  if (fraction.length > digits) return null;
  const minor = Number(whole + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor)) return null;
  return negative && minor !== 0 ? -minor : minor;
}

/** The symbol a locale writes for a currency, e.g. "¥" for CNY, "$" for USD. */
export function currencySymbol(currency: string, locale: string): string {
  try {
    const parts = numberFormat(locale, { style: 'currency', currency, currencyDisplay: 'narrowSymbol' }).formatToParts(0);
    return parts.find((p) => p.type === 'currency')?.value ?? currency;
  } catch {
    return currency;
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Today's local date as "YYYY-MM-DD", the value of a date input. */
export function localDateValue(now: Date = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The local time as "YYYY-MM-DDTHH:MM", the value of a datetime-local input. */
export function localDateTimeValue(now: Date = new Date()): string {
  return `${localDateValue(now)}T${pad(now.getHours())}:${pad(now.getMinutes())}`;
}
