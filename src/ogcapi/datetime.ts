/**
 * The `datetime` parameter: an instant or an interval with open ends (`..` or nothing), turned into FES
 * comparisons on the collection's time property or properties, so it compiles like any WFS filter.
 */
import type { Filter, ValueRef } from '../fes/ast';
import { invalidParam } from '../ows/errors';
import { isoUtc, parseIsoInstant } from '../util/time';
import type { TimeProperty } from './collections';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** One bound as [first instant, first instant after it] (ms): a date covers its whole UTC day. */
function bound(text: string): [number, number] {
  const t = parseIsoInstant(text, { requireZone: true });
  if (t === null) throw invalidParam('datetime', `"${text.slice(0, 60)}" is not an RFC 3339 date-time (e.g. 2024-03-01T00:00:00Z) or date`);
  return DATE_ONLY.test(text) ? [t, t + DAY_MS] : [t, t];
}

/** A parsed `datetime`: inclusive start, exclusive-or-inclusive end as FES needs them (ms; undefined = open). */
export interface TimeRange {
  start?: number;
  /** Last instant included. */
  end?: number;
  /** True when `end` is exclusive (a date bound: the day after). */
  endExclusive: boolean;
}

/** Parses `datetime` (instant, `a/b`, `../b`, `a/..`, `a/`, `/b`); begin after end, or two open ends → 400. */
export function parseDatetime(value: string): TimeRange {
  const v = value.trim();
  if (v === '') throw invalidParam('datetime', 'datetime is empty');
  const parts = v.split('/');
  if (parts.length > 2) throw invalidParam('datetime', 'datetime is an instant or an interval start/end');
  if (parts.length === 1) {
    if (v === '..') throw invalidParam('datetime', '".." is only an interval end');
    const [a, b] = bound(v);
    return a === b ? { start: a, end: a, endExclusive: false } : { start: a, end: b, endExclusive: true };
  }
  const open = (s: string) => s === '' || s === '..';
  const [s, e] = parts.map((p) => p.trim());
  if (open(s) && open(e)) throw invalidParam('datetime', 'An interval needs at least one end');
  const start = open(s) ? undefined : bound(s)[0];
  const endB = open(e) ? undefined : bound(e);
  const endExclusive = endB !== undefined && endB[0] !== endB[1];
  const end = endB === undefined ? undefined : endExclusive ? endB[1] : endB[0];
  if (start !== undefined && end !== undefined && (endExclusive ? start >= end : start > end)) {
    throw invalidParam('datetime', `The interval begins (${s}) after it ends (${e})`);
  }
  return { start, end, endExclusive };
}

const ref = (path: string): ValueRef => ({ kind: 'ref', path });
const cmp = (op: 'PropertyIsGreaterThanOrEqualTo' | 'PropertyIsLessThanOrEqualTo' | 'PropertyIsLessThan', path: string, t: number): Filter => ({
  op,
  left: ref(path),
  right: { kind: 'literal', value: isoUtc(t) },
  matchCase: true,
  matchAction: 'Any',
});

/**
 * The range as filters on the collection's time: an instant property lies in the range (ends
 * included); an interval property [start, end] overlaps it. A feature without a time never matches.
 */
export function datetimeFilters(r: TimeRange, time: TimeProperty): Filter[] {
  const out: Filter[] = [];
  const from = time.kind === 'instant' ? time.property : time.end;
  const to = time.kind === 'instant' ? time.property : time.start;
  if (r.start !== undefined) out.push(cmp('PropertyIsGreaterThanOrEqualTo', from, r.start));
  if (r.end !== undefined) out.push(cmp(r.endExclusive ? 'PropertyIsLessThan' : 'PropertyIsLessThanOrEqualTo', to, r.end));
  return out;
}
