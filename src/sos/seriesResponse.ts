import type { OwsContext, OwsResponse } from '../ows/types';
import { SeriesSelection, streamSeries } from '../query/observations';
import { ChunkWriter } from '../encoders/chunkWriter';
import type { DocumentSeriesEncoder } from './formats';

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
    headers,
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
