import type { OwsContext, OwsResponse } from '../ows/types';
import { SeriesSelection, streamSeries } from '../query/observations';
import { ChunkWriter } from '../encoders/chunkWriter';
import type { DocumentSeriesEncoder } from './formats';
import { contentDisposition, downloadName, extensionOf, periodOf, subjectOf } from '../http/downloadName';

/** The file name of a GetObservation response: dataset/station code, period, format (issue 17). */
export function observationFileName(sel: SeriesSelection, contentType: string): string {
  const one = sel.offerings.length === 1 ? sel.offerings[0] : undefined;
  return downloadName(subjectOf(sel.offerings), periodOf(sel.time, one ? { start: one.timeStart, end: one.timeEnd } : undefined), extensionOf(contentType));
}
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
 * Streams a selection through one encoder kind (begin, series, end). `check` runs first in the stream,
 * before its first byte (so its error is still an ExceptionReport), and after the HTTP cache step
 * (a revalidated closed window costs no query at all).
 */
export function seriesResponse(
  ctx: OwsContext,
  sel: SeriesSelection,
  contentType: string,
  make: (w: ChunkWriter) => DocumentSeriesEncoder,
  headers?: Record<string, string>,
  check?: () => Promise<void>,
): OwsResponse {
  return {
    kind: 'stream',
    contentType,
    // Every GetObservation (SOS 1.0 and 2.0) passes here: its one place for a file name.
    headers: { 'Content-Disposition': contentDisposition(observationFileName(sel, contentType)), ...headers },
    datasets: closedWindow(sel) ? sel.offerings.map((o) => o.code) : undefined,
    produce: async (sink) => {
      await check?.();
      const w = new ChunkWriter(sink);
      const enc = make(w);
      await enc.begin();
      await streamSeries(ctx.store, sel, enc, sink.signal);
      await enc.end();
      w.close();
    },
  };
}
