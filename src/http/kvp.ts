/** KVP parameters with lower-cased names (OGC KVP names are case-insensitive, R1). */
export type Kvp = Map<string, string>;

/** Parses a raw query string: names lower-cased, values decoded once ('+' is a space); a malformed escape keeps the raw text. */
export function parseKvp(rawQuery: string): Kvp {
  const out: Kvp = new Map();
  if (!rawQuery) return out;
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decode(eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const v = eq < 0 ? '' : decode(part.slice(eq + 1));
    if (!k) continue;
    // Repeated names: the first wins, as most OGC servers do.
    if (!out.has(k)) out.set(k, v);
  }
  return out;
}

function decode(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

/** Splits a comma list, trimming blanks; empty input gives []. */
export function commaList(v: string | undefined): string[] {
  if (v === undefined) return [];
  return v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}
