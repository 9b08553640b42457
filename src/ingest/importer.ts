import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Store } from '../data/store';
import { observationCopyText, ReadOptions } from './observationsCsv';
import { ImportError, readDatasets, readStations } from './validate';
import { ingest, IngestSource, IngestSummary } from './writer';

export { ImportError } from './validate';
export type { ImportProgress } from './observationsCsv';

/** The outcome of an import: what the run read and wrote (observations: inserted, corrected, unchanged). */
export type ImportSummary = IngestSummary;

export type ImportOptions = ReadOptions;

/** The files of the import layout, in the order a run takes them. */
export const PART_KINDS = ['stations', 'datasets', 'observations'] as const;
export type PartKind = (typeof PART_KINDS)[number];

/** One file of the import layout as UTF-8 text, from a directory or an HTTP body. */
export interface ImportPart {
  kind: PartKind;
  /** Its name in error messages (stations.csv, observations.csv.gz…). */
  file: string;
  text: AsyncIterable<string>;
}

/**
 * Imports files of the layout in one run through the one write path (writer.ts): stations, then
 * datasets, then observations, each at most once. Observations are read as they arrive and COPYed
 * into the staging table, so a part may be any size.
 */
export async function importParts(store: Store, source: IngestSource, parts: AsyncIterable<ImportPart> | Iterable<ImportPart>, opts: ImportOptions = {}): Promise<ImportSummary> {
  return ingest(store, source, async (batch) => {
    let rank = -1;
    for await (const part of parts) {
      const r = PART_KINDS.indexOf(part.kind);
      if (r <= rank) throw new ImportError(part.file, 0, '-', `${part.kind} comes after ${PART_KINDS[rank]}: send stations, then datasets, then observations, each at most once`);
      rank = r;
      if (part.kind === 'stations') await batch.upsertStations(await readStations(part.text, part.file), part.file);
      else if (part.kind === 'datasets') await batch.upsertDatasets(await readDatasets(part.text, part.file), part.file);
      else {
        const stage = batch.stage(part.file);
        await batch.copyObservations(stage, observationCopyText(part.text, await batch.datasetIds(), stage, opts));
      }
    }
  });
}

/** Imports stations.csv, datasets.csv and observations.csv[.gz] from dir in one transaction. */
export async function importDirectory(store: Store, dir: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const files = directoryParts(dir);
  if (!files.length) throw new ImportError(dir, 0, '-', 'no stations.csv, datasets.csv or observations.csv[.gz] in this directory');
  return importParts(store, { description: path.resolve(dir) }, files.map(({ kind, file }) => ({ kind, file: path.basename(file), text: readText(file) })), opts);
}

/** The layout's files present in dir, in run order, with their paths. */
export function directoryParts(dir: string): { kind: PartKind; file: string }[] {
  const candidates: [PartKind, string[]][] = [
    ['stations', ['stations.csv']],
    ['datasets', ['datasets.csv']],
    ['observations', ['observations.csv', 'observations.csv.gz']],
  ];
  return candidates.flatMap(([kind, names]) => {
    const file = names.map((n) => path.join(dir, n)).find((f) => fs.existsSync(f));
    return file ? [{ kind, file }] : [];
  });
}

/** A file's text, gunzipped on the fly when it ends in .gz; opened only when read. */
async function* readText(file: string): AsyncGenerator<string> {
  const raw = fs.createReadStream(file);
  const text = file.endsWith('.gz') ? raw.pipe(zlib.createGunzip()) : raw;
  text.setEncoding('utf8');
  try {
    yield* text as AsyncIterable<string>;
  } finally {
    raw.destroy();
  }
}

/** The import outcome as printed by the CLI: a heading, then one line per kind of record. */
export function formatImportSummary(s: ImportSummary): string {
  const n = (v: number) => v.toLocaleString('en');
  const line = (kind: string, c: { read: number; written: number }) => `  ${kind} ${n(c.written)}/${n(c.read)} written`;
  const o = s.observations;
  // Corrections are the exception: the breakdown is shown only when there is one.
  const detail = o.corrected > 0 ? ` (${n(o.inserted)} new, ${n(o.corrected)} corrected)` : '';
  return [
    `import ${s.changed ? 'done' : 'done, nothing changed'} in ${s.seconds.toFixed(1)} s:`,
    line('stations', s.stations),
    line('datasets', s.datasets),
    line('observed properties', s.observedProperties),
    line('observations', o) + detail,
  ].join('\n');
}
