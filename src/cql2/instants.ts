import { isoUtc, parseIsoInstant } from '../util/time';
import type { BoundNode, InstantNode } from './ast';
import type { Loc } from './errors';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// RFC 3339 date-time: a time and a zone are required (CQL2 writes timestamps in UTC, 'Z').
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** A DATE string (YYYY-MM-DD, a real day in years 0001-9999) as an instant node, or null. */
export function dateNode(text: string, at: Loc): InstantNode | null {
  return DATE.test(text) && parseIsoInstant(text) !== null ? { kind: 'date', date: text, at } : null;
}

/** A TIMESTAMP string (RFC 3339 date-time with a zone) as an instant node in ISO UTC, or null. Read to the millisecond. */
export function timestampNode(text: string, at: Loc): InstantNode | null {
  if (!TIMESTAMP.test(text)) return null;
  // util/time takes up to 9 fraction digits; longer fractions only add precision nobody stores.
  const t = parseIsoInstant(text.toUpperCase().replace(/(\.\d{9})\d+/, '$1'));
  return t === null ? null : { kind: 'timestamp', iso: isoUtc(t), at };
}

/** An INTERVAL end written as a string: '..' (open), a date or a timestamp; null when it is none of them. */
export function boundNode(text: string, at: Loc): BoundNode | null {
  if (text === '..') return { kind: 'open', at };
  return dateNode(text, at) ?? timestampNode(text, at);
}

/** First instant of an instant node: a date starts at 00:00:00Z of its day. */
export function instantBegin(n: InstantNode): string {
  return n.kind === 'timestamp' ? n.iso : `${n.date}T00:00:00Z`;
}

/** Last instant of an instant node: a date ends at 23:59:59.999Z of its day (times are read to the millisecond). */
export function instantEnd(n: InstantNode): string {
  return n.kind === 'timestamp' ? n.iso : `${n.date}T23:59:59.999Z`;
}
