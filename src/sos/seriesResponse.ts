import type { OwsContext, OwsResponse } from '../ows/types';
import type { RowLimit, SeriesSelection } from '../query/observations';
import type { ChunkWriter } from '../encoders/chunkWriter';
import { DocumentSeriesEncoder, writeSeriesDocument } from '../encoders/series/document';
import { contentDisposition, seriesFileName } from '../http/downloadName';
import type { TimeFilter } from '../query/types';

/** Whether a filter admits no instant from now on (so observations still to come cannot enter it). */
function closes(f: TimeFilter, now: number): boolean {
  if (f.op === 'During') return f.end < now;
  if (f.op === 'TEquals' || f.op === 'Before') return f.at < now;
  return false;
}

/**
 * A selection whose answer only a write to its datasets can change: one of its time filters (ANDed)
 * ends before now, and none is relative to the data (latest, first).
 */
export function closedWindow(sel: SeriesSelection, now = Date.now()): boolean {
  if (sel.time.some((f) => f.op === 'latest' || f.op === 'first')) return false;
  return sel.time.some((f) => closes(f, now));
}

/**
 * Streams a selection through one encoder kind (begin, series, end). A `limit` is enforced in the
 * stream before its first byte (so its refusal is still an ExceptionReport), and after the HTTP cache
 * step (a revalidated closed window costs no query at all).
 */
export function seriesResponse(
  ctx: OwsContext,
  sel: SeriesSelection,
  contentType: string,
  make: (w: ChunkWriter) => DocumentSeriesEncoder,
  headers?: Record<string, string>,
  limit?: RowLimit,
): OwsResponse {
  return {
    kind: 'stream',
    contentType,
    // Every GetObservation (SOS 1.0 and 2.0) passes here: its file name (issue 17), as the EDR's.
    headers: { 'Content-Disposition': contentDisposition(seriesFileName(sel, contentType)), ...headers },
    datasets: closedWindow(sel) ? sel.offerings.map((o) => o.code) : undefined,
    produce: async (sink) => {
      await writeSeriesDocument(ctx.store, sel, make, sink, limit);
    },
  };
}
