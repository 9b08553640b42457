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

/** Streams a selection through one encoder kind (begin, series, end). */
export function seriesResponse(
  ctx: OwsContext,
  sel: SeriesSelection,
  contentType: string,
  make: (w: ChunkWriter) => DocumentSeriesEncoder,
  headers?: Record<string, string>,
): OwsResponse {
  return {
    kind: 'stream',
    contentType,
    // Every GetObservation (SOS 1.0 and 2.0) passes here: its one place for a file name.
    headers: { 'Content-Disposition': contentDisposition(observationFileName(sel, contentType)), ...headers },
    produce: async (sink) => {
      const w = new ChunkWriter(sink);
      const enc = make(w);
      await enc.begin();
      await streamSeries(ctx.store, sel, enc, sink.signal);
      await enc.end();
      w.close();
    },
  };
}
