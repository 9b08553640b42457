import { parseNumber } from '../../ingest/csv';
import { invalidParam } from '../../ows/errors';
import { parseIsoInstant } from '../../util/time';

/** An instant an observation carries (ISO 8601 with a time zone), as epoch ms; outside PostgreSQL's years 0001-9999 or malformed → InvalidParameterValue. */
export function instant(s: string, locator: string): number {
  const t = parseIsoInstant(s, { requireZone: true });
  if (t === null) throw invalidParam(locator, `"${s.slice(0, 60)}" is not an ISO 8601 instant with a time zone within years 0001-9999 (the range the database stores)`);
  return t;
}

/** A measured value: a decimal number (or empty / NaN for a missing one, stored as null). */
export function measure(s: string, locator: string): number | null {
  if (s === '' || s === 'NaN') return null;
  const n = parseNumber(s);
  if (n === null) throw invalidParam(locator, `"${s.slice(0, 60)}" is not a number: this offering takes OM_Measurement results (a decimal value)`);
  return n;
}

/** A quality flag: one digit 0-9 (OceanSITES/ARGO scale), 0 when absent. */
export function qcFlag(s: string | undefined, locator: string): number {
  if (s === undefined || s === '') return 0;
  if (!/^[0-9]$/.test(s)) throw invalidParam(locator, `quality flag must be one digit 0-9, found "${s.slice(0, 20)}"`);
  return Number(s);
}
