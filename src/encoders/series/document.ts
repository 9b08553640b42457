/**
 * One streamed series document, as SOS GetObservation and the EDR data queries both write it: the
 * encoder's opening, every selected series as the cursor reads it, the closing, then the last chunk.
 */
import type { Store } from '../../data/store';
import type { Sink } from '../../ows/types';
import { RowLimit, SeriesEncoder, SeriesSelection, streamSeries } from '../../query/observations';
import { ChunkWriter } from '../chunkWriter';

/** An encoder as a query drives it: the document start, the series, the document end. */
export type DocumentSeriesEncoder = SeriesEncoder & { begin(): Promise<void>; end(): Promise<void> };

/** Streams the selection into `sink` as one document of the encoder `make` builds on the sink's chunk writer; a `limit` refuses a larger answer before its first byte. */
export async function writeSeriesDocument(
  store: Store,
  sel: SeriesSelection,
  make: (w: ChunkWriter) => DocumentSeriesEncoder,
  sink: Sink,
  limit?: RowLimit,
): Promise<void> {
  const w = new ChunkWriter(sink);
  const enc = make(w);
  await enc.begin();
  await streamSeries(store, sel, enc, sink.signal, limit);
  await enc.end();
  w.close();
}
