import { lookupTable } from '../util/lookup';
import type { XmlElement } from '../http/xml';
import { invalidParam, missingParam } from '../ows/errors';
import type { SosParams } from './params';
import { parseIsoInstant } from '../util/time';
import type { TimeFilter } from '../query/types';

const VALUE_REFS = new Set(['om:phenomenontime', 'phenomenontime', 'om:resulttime', 'resulttime', 'om:samplingtime', 'samplingtime']);
const OPS = lookupTable<'During' | 'TEquals' | 'After' | 'Before'>({ during: 'During', tequals: 'TEquals', after: 'After', before: 'Before' });

function instant(s: string, locator: string): number {
  const t = parseIsoInstant(s.trim());
  if (t === null) throw invalidParam(locator, `"${s}" is not an ISO 8601 time`);
  return t;
}

/** Parses "t", "t1/t2", "latest" or "first" into a filter of the given operator (or the natural one). */
function timeValue(text: string, op: 'During' | 'TEquals' | 'After' | 'Before' | undefined, locator: string): TimeFilter {
  const v = text.trim();
  if (v.toLowerCase() === 'latest' || v.toLowerCase() === 'first') {
    if (op && op !== 'TEquals') throw invalidParam(locator, `"${v}" can only be used with TEquals`);
    return { op: v.toLowerCase() as 'latest' | 'first' };
  }
  const slash = v.indexOf('/');
  if (slash >= 0) {
    if (op && op !== 'During') throw invalidParam(locator, `${op} takes a time instant, not a period`);
    const start = instant(v.slice(0, slash), locator);
    const end = instant(v.slice(slash + 1), locator);
    if (start > end) throw invalidParam(locator, 'The period begins after it ends');
    return { op: 'During', start, end };
  }
  if (op === 'During') throw invalidParam(locator, 'During takes a time period t1/t2');
  return { op: op ?? 'TEquals', at: instant(v, locator) };
}

/**
 * KVP temporal filter: `valueReference,time` with time an instant (TEquals), a period t1/t2 (During),
 * `latest` or `first`; vendor form `valueReference,After|Before|During|TEquals,time`.
 */
export function parseKvpTemporalFilter(raw: string, locator = 'temporalFilter'): TimeFilter {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.length < 2) throw invalidParam(locator, 'Expected valueReference,time (e.g. om:phenomenonTime,2024-01-01T00:00:00Z/2024-02-01T00:00:00Z)');
  const ref = parts[0];
  if (ref === '') throw missingParam('ValueReference', 'The temporal filter has no value reference');
  if (!VALUE_REFS.has(ref.toLowerCase())) throw invalidParam(locator, `Unsupported value reference "${ref}"; use om:phenomenonTime`);
  if (parts.length === 3) {
    const op = OPS[parts[1].toLowerCase()];
    if (!op) throw invalidParam(locator, `Unsupported temporal operator "${parts[1]}"; use During, TEquals, After or Before`);
    return timeValue(parts[2], op, locator);
  }
  if (parts.length !== 2) throw invalidParam(locator, 'Too many commas in the temporal filter');
  return timeValue(parts[1], undefined, locator);
}

/** SOS 1.0 KVP eventTime: an instant or a period t1/t2. */
export function parseEventTime(raw: string): TimeFilter {
  return timeValue(raw, undefined, 'eventTime');
}

function firstText(el: XmlElement, names: string[]): string | undefined {
  for (const c of el.children) {
    if (names.includes(c.local)) return c.text;
    const deeper = firstText(c, names);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

/** XML temporal filter: fes:During|TEquals|After|Before (or 1.0's ogc:TM_*) with a gml:TimePeriod or gml:TimeInstant. */
export function parseXmlTemporalFilter(container: XmlElement, locator = 'temporalFilter'): TimeFilter {
  const opEl = container.children[0];
  if (!opEl) throw missingParam(locator, 'The temporal filter is empty');
  const op = OPS[opEl.local.replace(/^TM_/, '').replace(/^Equals$/, 'TEquals').toLowerCase()];
  if (!op) throw invalidParam(locator, `Unsupported temporal operator "${opEl.local}"; use During, TEquals, After or Before`);
  const refEl = opEl.children.find((c) => c.local === 'ValueReference' || c.local === 'PropertyName');
  if (!refEl || refEl.text === '') throw missingParam('ValueReference', 'The temporal filter has no ValueReference');
  if (!VALUE_REFS.has(refEl.text.toLowerCase())) throw invalidParam(locator, `Unsupported value reference "${refEl.text}"; use om:phenomenonTime`);
  const period = opEl.children.find((c) => c.local === 'TimePeriod');
  if (period) {
    const begin = firstText(period, ['beginPosition']) ?? firstText(period.children.find((c) => c.local === 'begin') ?? period, ['timePosition']);
    const end = firstText(period, ['endPosition']) ?? firstText(period.children.find((c) => c.local === 'end') ?? period, ['timePosition']);
    if (!begin || !end) throw missingParam(locator, 'The time period needs a begin and an end');
    return timeValue(`${begin}/${end}`, op, locator);
  }
  const inst = opEl.children.find((c) => c.local === 'TimeInstant');
  const pos = inst ? firstText(inst, ['timePosition']) : undefined;
  if (!pos) throw missingParam(locator, 'The temporal filter needs a gml:TimePeriod or gml:TimeInstant');
  return timeValue(pos, op, locator);
}

/** The temporal filters of a 2.0 request (KVP: one; XML: any number, combined with AND). */
export function parseTemporalFilters(p: SosParams): TimeFilter[] {
  if (p.xml) return p.xml.children.filter((c) => c.local === 'temporalFilter').map((c) => parseXmlTemporalFilter(c));
  const raw = p.single('temporalFilter');
  if (raw === undefined) return [];
  if (raw.trim() === '') throw missingParam('temporalFilter', 'Parameter temporalFilter is empty');
  return [parseKvpTemporalFilter(raw)];
}
