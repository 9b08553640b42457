/**
 * GET /datasets/{code}.csv[?from=&to=]: the portal's CSV download (station, dataset, parameter, unit,
 * time, value, qc), streamed from the series path like GetObservation, named like every other download.
 */
import type { Offering } from '../catalog/offerings';
import { ReadableCsvEncoder } from '../encoders/series/readableCsv';
import { CSV_CONTENT_TYPE } from '../encoders/series/csv';
import { invalidParam } from '../ows/errors';
import type { OwsContext, OwsResponse } from '../ows/types';
import type { TimeFilter } from '../query/types';
import { seriesResponse } from '../sos/seriesResponse';
import { MAX_INSTANT, MIN_INSTANT, parseIsoInstant } from '../util/time';

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** One bound of the period: a day (from its first instant, or to its last) or an ISO 8601 instant; bad text → 400. */
function bound(name: 'from' | 'to', v: unknown): number | undefined {
  if (v === undefined || v === '') return undefined;
  const s = typeof v === 'string' ? v : '';
  const t = parseIsoInstant(s);
  if (t === null) throw invalidParam(name, `${name} must be a day (YYYY-MM-DD) or an ISO 8601 instant`);
  return name === 'to' && DATE_ONLY.test(s) ? t + DAY_MS - 1 : t;
}

/**
 * The time filter of `from`/`to` (both days included); an open end is the dataset's own first or last
 * time, so the file name says the period really covered. Neither: the whole dataset (no filter).
 */
export function periodFilter(query: Record<string, unknown>, ds: Pick<Offering, 'timeStart' | 'timeEnd'>): TimeFilter[] {
  const from = bound('from', query.from);
  const to = bound('to', query.to);
  if (from === undefined && to === undefined) return [];
  if (from !== undefined && to !== undefined && from > to) throw invalidParam('to', 'to is before from');
  const start = from ?? (ds.timeStart ? Date.parse(ds.timeStart) : MIN_INSTANT);
  const end = to ?? (ds.timeEnd ? Date.parse(ds.timeEnd) : MAX_INSTANT);
  return [{ op: 'During', start, end }];
}

/** The response of a dataset's readable CSV over the period. */
export function readableCsvResponse(ctx: OwsContext, ds: Offering, query: Record<string, unknown>): OwsResponse {
  return seriesResponse(ctx, { offerings: [ds], time: periodFilter(query, ds) }, CSV_CONTENT_TYPE, (w) => new ReadableCsvEncoder(w));
}
