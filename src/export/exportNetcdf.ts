import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';
import type { Store } from '../data/store';
import { readCatalogue } from '../query/catalogue';
import type { Dataset } from '../catalog/model';
import { metadataUrl, netcdfFileName } from '../catalog/links';
import { NetcdfWriter } from './netcdf3';
import { seriesRows } from '../query/observations';
import { oceanSitesLayout, QC_FILL, unixSecondsToDays1950, VALUE_FILL } from './oceansites';
import { CatalogEntry, DEFAULT_THREDDS_LOCATION, threddsCatalog } from './threddsCatalog';

export interface ExportOptions {
  /** Only these dataset codes (default: all). */
  datasets?: string[];
  /** datasetRoot location inside the THREDDS server (default: THREDDS_DATA_LOCATION's default). */
  threddsLocation?: string;
  batchSize?: number;
  signal?: AbortSignal;
  onFile?: (f: ExportedFile) => void;
}

export interface ExportedFile {
  code: string;
  file: string;
  records: number;
  bytes: number;
}

export interface ExportSummary {
  files: ExportedFile[];
  catalog: string;
}

/**
 * Writes one OceanSITES NetCDF file per dataset into dir and a THREDDS catalog.xml listing them.
 * Each file is written to a temporary name and renamed, so THREDDS never serves a half-written file.
 */
export async function exportNetcdf(store: Store, cfg: Config, dir: string, opts: ExportOptions = {}): Promise<ExportSummary> {
  await fs.promises.mkdir(dir, { recursive: true });
  // Read afresh (not the request cache): an export follows the import that preceded it.
  let infos = (await readCatalogue(store)).datasets;
  if (opts.datasets) {
    const wanted = new Set(opts.datasets);
    const unknown = opts.datasets.filter((c) => !infos.some((i) => i.code === c));
    if (unknown.length) throw new Error(`unknown dataset code(s): ${unknown.join(', ')}`);
    infos = infos.filter((i) => wanted.has(i.code));
  }
  const created = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const files: ExportedFile[] = [];
  const entries: CatalogEntry[] = [];
  for (const info of infos) {
    const f = await writeDatasetFile(store, cfg, dir, info, created, opts);
    files.push(f);
    entries.push({ info, bytes: f.bytes });
    opts.onFile?.(f);
  }
  const catalog = await writeCatalogFile(cfg, dir, entries, opts.threddsLocation);
  return { files, catalog };
}

/** Writes dir/catalog.xml listing the entries, replacing the previous one atomically; returns its path. */
export async function writeCatalogFile(cfg: Config, dir: string, entries: CatalogEntry[], threddsLocation?: string): Promise<string> {
  const catalog = path.join(dir, 'catalog.xml');
  const xml = threddsCatalog(entries, {
    title: cfg.serviceTitle,
    location: threddsLocation ?? DEFAULT_THREDDS_LOCATION,
    metadataUrl: cfg.publicUrl ? (code) => metadataUrl(cfg.publicUrl!, code) : undefined,
  });
  const tmp = tempName(catalog);
  try {
    const fh = await fs.promises.open(tmp, 'w');
    try {
      await fh.writeFile(xml);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, catalog);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
  return catalog;
}

/**
 * A temporary name beside file (same directory, so rename is atomic), unique per writer: two gateways
 * or a CLI export writing the same directory never write into each other's temporary file.
 */
function tempName(file: string): string {
  return `${file}.${randomBytes(4).toString('hex')}.tmp`;
}

/** Flushes a directory's entries (the renames) to disk; best effort where directories cannot be opened (Windows). */
async function syncDir(dir: string): Promise<void> {
  const fh = await fs.promises.open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close();
}

/** Streams one dataset's observations into its NetCDF file. */
export async function writeDatasetFile(store: Store, cfg: Config, dir: string, info: Dataset, created: string, opts: ExportOptions = {}): Promise<ExportedFile> {
  const file = path.join(dir, netcdfFileName(info.code));
  const tmp = tempName(file);
  const references = cfg.publicUrl ? [`${cfg.publicUrl}/sos`, `${cfg.publicUrl}/wfs`, metadataUrl(cfg.publicUrl, info.code)] : [];
  const layout = oceanSitesLayout(info, { created, institution: cfg.providerName, contactEmail: cfg.contactEmail, publisherUrl: cfg.providerSite, references });
  const w = await NetcdfWriter.create(tmp, layout);
  try {
    for await (const batch of seriesRows(store, info.code, { batchSize: opts.batchSize ?? 10_000, signal: opts.signal })) {
      const n = batch.length;
      const time = new Float64Array(n);
      const value = new Float32Array(n);
      const qc = new Int8Array(n);
      for (let i = 0; i < n; i++) {
        const [t, v, q] = batch[i];
        time[i] = unixSecondsToDays1950(Number(t));
        value[i] = v === null || v === undefined ? VALUE_FILL : Number(v);
        qc[i] = q === null || q === undefined ? QC_FILL : Number(q);
      }
      await w.appendRecords(n, [time, value, qc]);
    }
    await w.finish();
  } catch (err) {
    await w.abort();
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  await fs.promises.rename(tmp, file);
  await syncDir(dir);
  const bytes = (await fs.promises.stat(file)).size;
  return { code: info.code, file, records: w.records, bytes };
}
