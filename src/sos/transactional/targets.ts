import { sharedStore } from '../../data/requestStore';
import type { Queryable } from '../../data/store';
import { onDataChange } from '../../ingest/changes';
import { datasetsByCode, TargetDataset } from './sql';

/*
 * The datasets InsertObservation writes to, by offering code, kept between requests: a client sending
 * one observation per request would otherwise look its dataset up every time. Dropped on every change
 * of the catalogue (a dataset, sensor or station written or deleted), here or, through NOTIFY, on another
 * replica. A dataset deleted elsewhere whose notification has not arrived yet is still refused: the
 * writer re-checks its datasets under their locks (src/ingest/writer.ts).
 */

const caches = new WeakMap<Queryable, Map<string, TargetDataset>>();

onDataChange((store, change) => {
  if (change.catalogue) caches.delete(sharedStore(store));
});

/** The datasets of the given offering codes that exist (as datasetsByCode: each once), from the cache where known. */
export async function targetDatasets(db: Queryable, codes: string[]): Promise<TargetDataset[]> {
  const key = sharedStore(db);
  let cache = caches.get(key);
  if (!cache) caches.set(key, (cache = new Map()));
  const unique = [...new Set(codes)];
  const missing = unique.filter((c) => !cache.has(c));
  const found = new Map((missing.length ? await datasetsByCode(db, missing) : []).map((d) => [d.code, d]));
  // Kept only if no change dropped the cache while the query ran (its answer may predate that change).
  if (caches.get(key) === cache) for (const d of found.values()) cache.set(d.code, d);
  return unique.flatMap((c) => {
    const d = found.get(c) ?? cache.get(c);
    return d ? [d] : [];
  });
}
