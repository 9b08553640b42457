import { sharedStore } from '../../data/requestStore';
import type { Queryable } from '../../data/store';
import { onDataChange } from '../../ingest/changes';
import { AddressedDataset, datasetGroups } from './sql';

/*
 * The datasets InsertObservation writes to, by the offering codes that address them (datasetGroups),
 * kept between requests: a client sending one observation per request would otherwise look its datasets
 * up every time. Dropped on every change of the catalogue (a dataset, sensor or station written or
 * deleted), here or, through NOTIFY, on another replica. A dataset deleted elsewhere whose notification
 * has not arrived yet is still refused: the writer re-checks its datasets under their locks
 * (src/ingest/writer.ts).
 */

const caches = new WeakMap<Queryable, Map<string, AddressedDataset[]>>();

onDataChange((store, change) => {
  if (change.catalogue) caches.delete(sharedStore(store));
});

/** The datasets each offering addresses (as datasetGroups; an offering addressing none is absent), from the cache where known. */
export async function targetDatasets(db: Queryable, offerings: string[]): Promise<Map<string, AddressedDataset[]>> {
  const key = sharedStore(db);
  let cache = caches.get(key);
  if (!cache) caches.set(key, (cache = new Map()));
  const unique = [...new Set(offerings)];
  const missing = unique.filter((c) => !cache.has(c));
  const found = new Map<string, AddressedDataset[]>();
  for (const d of missing.length ? await datasetGroups(db, missing) : []) {
    const group = found.get(d.offering);
    if (group) group.push(d);
    else found.set(d.offering, [d]);
  }
  // Kept only if no change dropped the cache while the query ran (its answer may predate that change).
  if (caches.get(key) === cache) for (const [o, g] of found) cache.set(o, g);
  const out = new Map<string, AddressedDataset[]>();
  for (const o of unique) {
    const g = found.get(o) ?? cache.get(o);
    if (g) out.set(o, g);
  }
  return out;
}
