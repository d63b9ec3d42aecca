// Locale-aware formatting of dates, numbers and money with Intl.
// Timestamps from the backend are RFC 3339 UTC; they are shown in the user's time zone unless
// one is given (tests pass "UTC" to be deterministic).

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A calendar date such as "Mar 4, 2025" or "2025年3月4日". Unparseable input is returned as is. */
export function formatDate(iso: string, locale: string, timeZone?: string): string {
  const d = parse(iso);
  if (!d) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(d);
}

/** A date with hours and minutes, such as "Mar 4, 2025, 9:05 AM" or "2025年3月4日 09:05". */
export function formatDateTime(iso: string, locale: string, timeZone?: string): string {
  const d = parse(iso);
  if (!d) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d);
}

/** A whole number with the locale's grouping, e.g. "1,234". */
export function formatNumber(value: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** How many minor units a currency has (CNY 2, JPY 0, KWD 3), as Intl knows it. */
export function currencyDigits(currency: string, locale = 'en'): number {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
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
  const nf = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = nf.resolvedOptions().maximumFractionDigits ?? 2;
  const negative = minorUnits < 0;
  const abs = String(Math.abs(minorUnits)).padStart(digits + 1, '0');
  const major = digits === 0 ? abs : `${abs.slice(0, abs.length - digits)}.${abs.slice(abs.length - digits)}`;
  // Intl.NumberFormat accepts decimal strings (ES2023); the cast covers older lib typings.
  return nf.format(((negative ? '-' : '') + major) as unknown as number);
}
