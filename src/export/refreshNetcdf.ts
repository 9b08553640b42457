import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';
import type { Store } from '../data/store';
import { readCatalogue } from '../query/catalogue';
import { netcdfFileName } from '../catalog/links';
import type { CatalogEntry } from './threddsCatalog';
import { ExportedFile, writeCatalogFile, writeDatasetFile } from './exportNetcdf';

/*
 * One pass of the live NetCDF export: rewrites the files of the datasets that changed, then catalog.xml
 * (always: it lists every dataset with its size, extent and modification date, and datasets come and go).
 */

/** Which datasets to rewrite: their ids, or 'stale' = every dataset whose file is missing or older than its last change. */
export type RefreshScope = ReadonlySet<number> | 'stale';

export interface RefreshResult {
  files: ExportedFile[];
  /** Datasets listed in catalog.xml. */
  listed: number;
}

/**
 * A file is stale when it was last written before the dataset's last change (updated_at, kept to the
 * second by the catalogue, hence the second of margin: a rewrite too many rather than one too few).
 */
function isStale(mtimeMs: number, updatedAt: string): boolean {
  return mtimeMs < Date.parse(updatedAt) + 1000;
}

/** Rewrites the files of the scope (and any missing one) in dir, then catalog.xml listing every dataset. */
export async function refreshNetcdf(store: Store, cfg: Config, dir: string, scope: RefreshScope, signal?: AbortSignal): Promise<RefreshResult> {
  await fs.promises.mkdir(dir, { recursive: true });
  // Read afresh (not the request cache, which the change has just dropped anyway).
  const infos = (await readCatalogue(store)).datasets;
  const created = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const files: ExportedFile[] = [];
  const entries: CatalogEntry[] = [];
  for (const info of infos) {
    signal?.throwIfAborted();
    const file = path.join(dir, netcdfFileName(info.code));
    const st = await fs.promises.stat(file).catch(() => undefined);
    if (st && !(scope === 'stale' ? isStale(st.mtimeMs, info.updatedAt) : scope.has(info.id))) {
      entries.push({ info, bytes: st.size });
      continue;
    }
    const f = await writeDatasetFile(store, cfg, dir, info, created, { signal });
    files.push(f);
    entries.push({ info, bytes: f.bytes });
  }
  await writeCatalogFile(cfg, dir, entries, cfg.threddsDataLocation);
  return { files, listed: entries.length };
}
