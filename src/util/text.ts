import { invalidParam } from '../ows/errors';

/**
 * NUL (PostgreSQL text cannot hold it: the driver fails with a SQL error) or a UTF-16 surrogate
 * without its partner (not a character at all; UTF-8 encoding would silently turn it into U+FFFD).
 */
const UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The one guard for client text that may reach SQL (KVP values, XML values, path segments, filter
 * literals): NUL or a lone surrogate is an InvalidParameterValue (400) naming the locator.
 */
export function assertSafeText(value: string, locator: string): string {
  if (UNSAFE.test(value)) {
    const what = value.includes('\u0000') ? 'a NUL character' : 'an unpaired UTF-16 surrogate';
    throw invalidParam(locator.slice(0, 100), `The value of ${locator.slice(0, 100)} contains ${what}`);
  }
  return value;
}
