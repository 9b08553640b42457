import type { Store } from '../../data/store';
import { ChunkWriter } from '../chunkWriter';
import { CollectionInfo, FeatureEncoder, FeatureRow, featureTextKey } from './featureEncoder';
import type { Sink } from '../../ows/types';
import { closeRows, openRows, RowSource } from '../../query/featurePages';
import { pageText } from '../../query/pageCache';
import type { Sql } from '../../query/sqlParams';
import { RequestLabels, rowsStreamed } from '../../metrics/metrics';

/**
 * Writing a feature collection (WFS GetFeature, OGC API – Features items) from a page's rows: whole
 * when it is already in memory, else streamed from its cursor with bounded memory.
 */

/** Whose rows these are in reefgate_rows_streamed_total. */
const WFS_GETFEATURE: RequestLabels = { service: 'WFS', operation: 'GetFeature' };

/**
 * Feature text gathered before it is copied into the chunk writer: per feature only a string append,
 * and small enough that the writer's 64 KB chunks go out nearly full.
 */
const TEXT_SLICE = 8 * 1024;

/**
 * Streams a collection: the rows come from a server-side cursor a batch at a time and each chunk waits
 * for the socket (backpressure). Nothing is written before the first batch arrives, so a failing query
 * still becomes an ExceptionReport.
 */
export async function streamCollection(store: Store, sql: Sql | null, encoder: FeatureEncoder, info: CollectionInfo, sink: Sink, labels = WFS_GETFEATURE): Promise<void> {
  const src = sql ? await openRows(store, sql, sink.signal) : null;
  await streamRows(src, encoder, info, sink, labels);
}

/** The features of rows, separated. */
function featuresText(rows: FeatureRow[], encoder: FeatureEncoder, info: CollectionInfo): string {
  const sep = encoder.separator ?? '';
  const parts: string[] = [];
  for (let i = 0; i < rows.length; i++) parts.push((i ? sep : '') + encoder.feature(rows[i], info));
  return parts.join('');
}

/**
 * The whole document of a page that is already in memory (no open cursor): sent with a Content-Length
 * in one write. The features of a kept page (stations, datasets) are written once per layout and reused
 * with the page (pageText); head and tail are written for each answer (its timeStamp, counts, links).
 */
export function renderRows(src: RowSource | null, encoder: FeatureEncoder, info: CollectionInfo, labels = WFS_GETFEATURE): string {
  const rows = src?.first ?? [];
  rowsStreamed.inc(labels, rows.length);
  const key = featureTextKey(encoder, info);
  const features = key === undefined ? featuresText(rows, encoder, info) : pageText(rows, key, () => featuresText(rows, encoder, info));
  return encoder.begin(info) + features + encoder.end(info, rows[rows.length - 1]);
}

/**
 * Writes head, rows (first batch, then the rest of the cursor) and tail through the chunk writer the
 * series encoders use: pooled 64 KB chunks, backpressure, and a Content-Length when it all fits one chunk.
 */
export async function streamRows(src: RowSource | null, encoder: FeatureEncoder, info: CollectionInfo, sink: Sink, labels = WFS_GETFEATURE): Promise<void> {
  const w = new ChunkWriter(sink);
  let buf = encoder.begin(info);
  let n = 0;
  let last: FeatureRow | undefined;
  const sep = encoder.separator ?? '';
  const add = async (batch: FeatureRow[]) => {
    rowsStreamed.inc(labels, batch.length);
    for (const row of batch) {
      if (n++ > 0) buf += sep;
      buf += encoder.feature(row, info);
      last = row;
      if (buf.length >= TEXT_SLICE) {
        await w.write(buf);
        buf = '';
      }
    }
  };
  try {
    if (src) {
      await add(src.first);
      if (src.rest) {
        for (let r = await src.rest.next(); !r.done; r = await src.rest.next()) await add(r.value);
      }
    }
  } catch (err) {
    await closeRows(src).catch(() => undefined);
    throw err;
  }
  buf += encoder.end(info, last);
  await w.write(buf);
  await w.finish();
  w.close();
}
