/**
 * File names of data responses (issue 17): `Content-Disposition: inline; filename=…` built from what was
 * asked (dataset or station code, period, format), so three downloads are not `sos (1).csv`, `sos (2).csv`.
 * `inline` keeps browsers and machine clients showing/reading the body as before; "Save as" and the
 * portal's `<a download>` links use the name.
 */
import type { SeriesSelection } from '../query/observations';
import type { TimeFilter } from '../query/types';

/** File extension of a response media type (the part before any parameters). */
export function extensionOf(contentType: string): string {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'text/csv') return 'csv';
  if (type === 'application/json' || type === 'application/geo+json') return 'json';
  if (type === 'application/prs.coverage+json') return 'covjson';
  if (type === 'application/x-netcdf' || type === 'application/netcdf') return 'nc';
  if (type === 'text/html') return 'html';
  return 'xml';
}

/** `YYYY-MM-DD` of an instant. */
function day(t: number | string): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** The period of a request as `YYYY-MM-DD_YYYY-MM-DD` (or one word: `latest`, `first`), from its filters or else the data's own extent. */
export function periodOf(filters: TimeFilter[], extent?: { start: string | null; end: string | null }): string | undefined {
  for (const f of filters) {
    if (f.op === 'During') return `${day(f.start)}_${day(f.end)}`;
    if (f.op === 'TEquals') return day(f.at);
    if (f.op === 'latest' || f.op === 'first') return f.op;
  }
  if (filters.length === 0 && extent?.start && extent.end) return `${day(extent.start)}_${day(extent.end)}`;
  return undefined;
}

/** Text restricted to safe file-name characters (a header can't be broken by a code). */
function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 150) || 'data';
}

/**
 * `<subject>_<period>.<ext>`, restricted to safe file-name characters. Every data response names
 * itself, so the helpers are module functions: a closure made per call loses its optimised code at
 * each full collection and is compiled again (docs/benchmarks.md, eighth session).
 */
export function downloadName(subject: string, period: string | undefined, ext: string): string {
  return `${safeName(period ? `${subject}_${period}` : subject)}.${ext.replace(/[^a-z0-9]/g, '')}`;
}

/** The Content-Disposition header value for that name. */
export function contentDisposition(filename: string, type: 'inline' | 'attachment' = 'inline'): string {
  return `${type}; filename="${filename}"`;
}

/** The subject of a selection of datasets: the one dataset's code, the station's code when all share it, else the network's or "observations". */
export function subjectOf(items: { code: string; station: string; network: string }[]): string {
  if (items.length === 1) return items[0].code;
  if (items.length > 0 && items.every((i) => i.station === items[0].station)) return items[0].station;
  if (items.length > 0 && items.every((i) => i.network === items[0].network)) return items[0].network;
  return 'observations';
}

/** The file name of a series answer (SOS GetObservation, EDR data queries): dataset/station code, period, format. */
export function seriesFileName(sel: SeriesSelection, contentType: string): string {
  const one = sel.offerings.length === 1 ? sel.offerings[0] : undefined;
  return downloadName(subjectOf(sel.offerings), periodOf(sel.time, one ? { start: one.timeStart, end: one.timeEnd } : undefined), extensionOf(contentType));
}
