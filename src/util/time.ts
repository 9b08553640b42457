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
  const fast = canonicalUtc(s);
  if (fast !== undefined) return fast;
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

/**
 * The common form `YYYY-MM-DDTHH:MM:SS[.mmm]Z` read digit by digit (a bulk InsertResult or import holds
 * millions): the same instant parseIsoInstant's expression gives, a few times faster; undefined for any
 * other form (or a year before 100), which goes through the expression.
 */
function canonicalUtc(s: string): number | null | undefined {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 90 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  if (n === 24 && s.charCodeAt(19) !== 46) return undefined;
  const d = (i: number) => {
    const c = s.charCodeAt(i) - 48;
    return c >= 0 && c <= 9 ? c : NaN;
  };
  const Y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3), M = d(5) * 10 + d(6), D = d(8) * 10 + d(9);
  const H = d(11) * 10 + d(12), MI = d(14) * 10 + d(15), S = d(17) * 10 + d(18);
  const ms = n === 24 ? d(20) * 100 + d(21) * 10 + d(22) : 0;
  if (Number.isNaN(Y + M + D + H + MI + S + ms) || Y < 100) return undefined;
  if (M < 1 || M > 12 || D < 1 || D > daysInMonth(Y, M) || H > 23 || MI > 59 || S > 59) return null;
  const t = Date.UTC(Y, M - 1, D, H, MI, S, ms);
  return t < MIN_INSTANT || t > MAX_INSTANT ? null : t;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Epoch ms → ISO 8601 UTC with seconds, milliseconds only when not zero (2024-01-01T00:00:00Z). */
export function isoUtc(t: number): string {
  const s = new Date(t).toISOString();
  return s.endsWith('.000Z') ? s.slice(0, 19) + 'Z' : s;
}
