const digitsCache = new Map<string, number>();

/** Minor-unit exponent of an ISO 4217 currency (EUR 2, JPY 0, KWD 3), from the runtime's ICU data. */
export function currencyExponent(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** "12.50 EUR" from 1250 minor units: integer arithmetic only, so no float can round a cent away. */
export function formatMoney(minorUnits: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const value = BigInt(minorUnits);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const scale = 10n ** BigInt(exponent);
  const whole = (abs / scale).toString();
  const fraction = exponent > 0 ? `.${(abs % scale).toString().padStart(exponent, '0')}` : '';
  return `${negative ? '-' : ''}${whole}${fraction} ${currency}`;
}
