const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** First and last instants PostgreSQL's timestamptz takes in ISO form (years 0001-9999, UTC). */
export const MIN_INSTANT = -62_135_596_800_000; // 0001-01-01T00:00:00Z
export const MAX_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The one time parser of the server (SOS 2/1 filters, FES literals, the importer): strict ISO 8601
 * instant (calendar date, optional time, Z or offset) → epoch ms; null if malformed, impossible
 * (2024-02-30) or outside years 0001-9999 UTC, which PostgreSQL would refuse with a SQL error.
 */
export function parseIsoInstant(s: string, opts: { requireZone?: boolean } = {}): number | null {
  const m = ISO.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac, zone] = m;
  if (opts.requireZone && !zone && m[4] !== undefined) return null;
  const Y = +y, M = +mo, D = +d, H = +h, MI = +mi, S = +sec;
  if (M < 1 || M > 12 || D < 1 || D > daysInMonth(Y, M) || H > 23 || MI > 59 || S > 59) return null;
  let t = Date.UTC(Y, M - 1, D, H, MI, S, frac ? Math.floor(Number('0.' + frac) * 1000) : 0);
  if (Y < 100) t = new Date(t).setUTCFullYear(Y);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2), om = digits.length > 2 ? +digits.slice(2) : 0;
    if (oh > 23 || om > 59) return null;
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return t < MIN_INSTANT || t > MAX_INSTANT ? null : t;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Epoch ms → ISO 8601 UTC with seconds, milliseconds only when not zero (2024-01-01T00:00:00Z). */
export function isoUtc(t: number): string {
  const s = new Date(t).toISOString();
  return s.endsWith('.000Z') ? s.slice(0, 19) + 'Z' : s;
}
