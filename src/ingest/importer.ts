import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { QueryResult, Session, Store } from '../data/store';
import { isoUtc, parseIsoInstant } from '../util/time';
import { forgetCatalogue } from '../query/catalogue';
import { lines, parseNumber, splitCsvLine } from './csv';
import * as sql from './importSql';
import { Sql } from '../query/sqlParams';

/** A rejected input row: where it is and why. The whole run is rolled back. */
export class ImportError extends Error {
  constructor(readonly file: string, readonly line: number, readonly column: string, readonly reason: string) {
    super(`${file}:${line}: column ${column}: ${reason}`);
    this.name = 'ImportError';
  }
}

export interface ImportProgress {
  file: string;
  rows: number;
  rowsPerSecond: number;
  done: boolean;
}

export interface ImportSummary {
  runId: number;
  stations: { read: number; written: number };
  datasets: { read: number; written: number };
  /** Distinct property codes in datasets.csv; written = properties created or relabelled. */
  observedProperties: { read: number; written: number };
  observations: { read: number; written: number };
  changed: boolean;
  seconds: number;
}

export interface ImportOptions {
  onProgress?: (p: ImportProgress) => void;
  /** Interval of progress reports while reading observations. */
  progressEveryMs?: number;
}

const STATION_COLUMNS = ['station_id', 'name', 'network', 'producer', 'country', 'lat', 'lon', 'depth_m'] as const;
const DATASET_COLUMNS = ['dataset_id', 'station_id', 'property_code', 'standard_name', 'property_label', 'uom', 'processing', 'instrument_family', 'start', 'end'] as const;
const OBSERVATION_COLUMNS = ['dataset_id', 'time', 'value', 'qc'] as const;

/** Vocabulary of CF standard names (NERC P07), the observedProperty URIs of SOS. */
export const CF_VOCABULARY = 'http://vocab.nerc.ac.uk/standard_name/';

type Row<C extends readonly string[]> = Record<C[number], string> & { __line: number };

/** Imports stations.csv, datasets.csv and observations.csv[.gz] from dir in one transaction. */
export async function importDirectory(store: Store, dir: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const t0 = Date.now();
  const files = {
    stations: path.join(dir, 'stations.csv'),
    datasets: path.join(dir, 'datasets.csv'),
    observations: [path.join(dir, 'observations.csv'), path.join(dir, 'observations.csv.gz')].find((f) => fs.existsSync(f)),
  };
  const hasStations = fs.existsSync(files.stations);
  const hasDatasets = fs.existsSync(files.datasets);
  if (!hasStations && !hasDatasets && !files.observations) {
    throw new ImportError(dir, 0, '-', 'no stations.csv, datasets.csv or observations.csv[.gz] in this directory');
  }
  // Small files are read and checked before any database work.
  const stations = hasStations ? await readSmallCsv(files.stations, STATION_COLUMNS) : [];
  const datasets = hasDatasets ? await readSmallCsv(files.datasets, DATASET_COLUMNS) : [];
  const stationRows = stations.map((r) => checkStation(r, 'stations.csv'));
  const datasetRows = datasets.map((r) => checkDataset(r, 'datasets.csv'));
  noDuplicates(stationRows.map((s) => [s.code, s.line]), 'stations.csv', 'station_id');
  noDuplicates(datasetRows.map((d) => [d.code, d.line]), 'datasets.csv', 'dataset_id');

  const result = await store.transaction(async (s) => {
    // STATEMENT_TIMEOUT_MS bounds request queries; a bulk COPY of millions of rows on a busy server may
    // legitimately run longer (it was cut at 5.4M of 7.6M rows under load), so lift it for this transaction.
    await s.query(sql.NO_STATEMENT_TIMEOUT);
    const run = await q<{ id: number }>(s, sql.startRun(path.resolve(dir)));
    const runId = run.rows[0].id;
    const stationsWritten = await upsertStations(s, stationRows);
    const { datasets: datasetsWritten, properties: propertiesWritten } = await upsertDatasets(s, datasetRows);
    let obs = { read: 0, written: 0 };
    if (files.observations) obs = await importObservations(s, files.observations, opts);
    const changed = stationsWritten + datasetsWritten + propertiesWritten + obs.written > 0;
    await q(s, sql.finishRun(runId, { stations: stationsWritten, datasets: datasetsWritten, observationsRead: obs.read, observationsWritten: obs.written, changed }));
    return {
      runId,
      stations: { read: stationRows.length, written: stationsWritten },
      datasets: { read: datasetRows.length, written: datasetsWritten },
      observedProperties: { read: new Set(datasetRows.map((d) => d.property)).size, written: propertiesWritten },
      observations: obs,
      changed,
      seconds: (Date.now() - t0) / 1000,
    };
  });
  // Requests in this process see the change at once, not when the catalogue's reuse period ends.
  if (result.changed) forgetCatalogue(store);
  return result;
}

async function readSmallCsv<C extends readonly string[]>(file: string, columns: C): Promise<Row<C>[]> {
  const name = path.basename(file);
  const out: Row<C>[] = [];
  let header: string[] | null = null;
  let index: number[] = [];
  let n = 0;
  for await (const line of lines(fs.createReadStream(file, { encoding: 'utf8' }))) {
    n++;
    if (line.trim() === '') continue;
    const fields = splitCsvLine(line);
    if (!fields) throw new ImportError(name, n, '-', 'unbalanced quotes');
    if (!header) {
      header = fields.map((f) => f.trim().replace(/^\uFEFF/, ''));
      index = columns.map((c) => header!.indexOf(c));
      const missing = columns.filter((_, i) => index[i] < 0);
      if (missing.length) throw new ImportError(name, n, missing[0], `missing column(s) ${missing.join(', ')} in the header`);
      continue;
    }
    if (fields.length !== header.length) throw new ImportError(name, n, '-', `expected ${header.length} fields, found ${fields.length}`);
    const row = { __line: n } as Row<C>;
    columns.forEach((c, i) => ((row as Record<string, unknown>)[c] = fields[index[i]].trim()));
    out.push(row);
  }
  if (!header) throw new ImportError(name, 1, '-', 'empty file (no header)');
  return out;
}

interface StationRow { line: number; code: string; name: string; network: string; producer: string; country: string | null; lat: number; lon: number; depth: number | null }
interface DatasetRow { line: number; code: string; station: string; property: string; standardName: string; label: string; uom: string; processing: string; family: string; start: string | null; end: string | null }

function required(v: string, file: string, line: number, column: string): string {
  if (v === '') throw new ImportError(file, line, column, 'empty value');
  return v;
}

function checkStation(r: Row<typeof STATION_COLUMNS>, file: string): StationRow {
  const L = r.__line;
  const lat = parseNumber(r.lat);
  if (lat === null) throw new ImportError(file, L, 'lat', `not a number: "${r.lat}"`);
  if (lat < -90 || lat > 90) throw new ImportError(file, L, 'lat', `latitude out of range [-90, 90]: ${r.lat}`);
  const lon = parseNumber(r.lon);
  if (lon === null) throw new ImportError(file, L, 'lon', `not a number: "${r.lon}"`);
  if (lon < -180 || lon > 180) throw new ImportError(file, L, 'lon', `longitude out of range [-180, 180]: ${r.lon}`);
  let depth: number | null = null;
  if (r.depth_m !== '') {
    depth = parseNumber(r.depth_m);
    if (depth === null) throw new ImportError(file, L, 'depth_m', `not a number: "${r.depth_m}"`);
  }
  if (r.country !== '' && !/^[A-Z]{3}$/.test(r.country)) throw new ImportError(file, L, 'country', `not an ISO 3166 alpha-3 code: "${r.country}"`);
  const code = required(r.station_id, file, L, 'station_id');
  if (!/^[A-Za-z0-9_.-]+$/.test(code)) throw new ImportError(file, L, 'station_id', `only letters, digits, _ . - are allowed: "${code}"`);
  return {
    line: L,
    code,
    name: required(r.name, file, L, 'name'),
    network: required(r.network, file, L, 'network'),
    producer: r.producer,
    country: r.country || null,
    lat,
    lon,
    depth,
  };
}

function checkDataset(r: Row<typeof DATASET_COLUMNS>, file: string): DatasetRow {
  const L = r.__line;
  const code = required(r.dataset_id, file, L, 'dataset_id');
  if (!/^[A-Za-z0-9_.-]+$/.test(code)) throw new ImportError(file, L, 'dataset_id', `only letters, digits, _ . - are allowed: "${code}"`);
  const time = (col: 'start' | 'end') => {
    if (r[col] === '') return null;
    const t = parseIsoInstant(r[col]);
    if (t === null) throw new ImportError(file, L, col, `invalid ISO 8601 timestamp: "${r[col]}"`);
    return isoUtc(t);
  };
  const std = required(r.standard_name, file, L, 'standard_name');
  if (!/^[a-z0-9_]+$/.test(std)) throw new ImportError(file, L, 'standard_name', `not a CF standard name: "${std}"`);
  const family = required(r.instrument_family, file, L, 'instrument_family');
  if (!/^[A-Za-z0-9_.-]+$/.test(family)) throw new ImportError(file, L, 'instrument_family', `only letters, digits, _ . - are allowed: "${family}"`);
  return {
    line: L,
    code,
    station: required(r.station_id, file, L, 'station_id'),
    property: required(r.property_code, file, L, 'property_code'),
    standardName: std,
    label: required(r.property_label, file, L, 'property_label'),
    uom: required(r.uom, file, L, 'uom'),
    processing: required(r.processing, file, L, 'processing'),
    family,
    start: time('start'),
    end: time('end'),
  };
}

function noDuplicates(keys: [string, number][], file: string, column: string): void {
  const seen = new Map<string, number>();
  for (const [k, line] of keys) {
    const first = seen.get(k);
    if (first !== undefined) throw new ImportError(file, line, column, `duplicate ${column} "${k}" (first on line ${first})`);
    seen.set(k, line);
  }
}

async function upsertStations(s: Session, rows: StationRow[]): Promise<number> {
  let written = 0;
  for (const r of rows) {
    await q(s, sql.insertNetwork(r.network));
    if (r.producer) await q(s, sql.insertOrganisation(r.producer));
    const res = await q(s, sql.upsertStation({ ...r, producer: r.producer || null }));
    written += res.rowCount;
  }
  return written;
}

/** Upserts datasets and the properties they name; each kind is counted on its own (issue 11.11). */
async function upsertDatasets(s: Session, rows: DatasetRow[]): Promise<{ datasets: number; properties: number }> {
  let written = 0;
  // Several datasets share one property code: count a property once even if two rows relabel it.
  const propertiesWritten = new Set<string>();
  for (const r of rows) {
    const st = await q<{ id: number; code: string }>(s, sql.stationByCode(r.station));
    if (!st.rows.length) throw new ImportError('datasets.csv', r.line, 'station_id', `unknown station "${r.station}" (not in stations.csv nor in the database)`);
    const stationId = st.rows[0].id;
    const prop = await q<{ id: number; standard_name: string; uom: string }>(s, sql.propertyByCode(r.property));
    if (prop.rows.length && (prop.rows[0].standard_name !== r.standardName || prop.rows[0].uom !== r.uom)) {
      // One property code means one quantity in one unit across the network.
      const col = prop.rows[0].standard_name !== r.standardName ? 'standard_name' : 'uom';
      throw new ImportError('datasets.csv', r.line, col, `property ${r.property} is already defined with ${col} "${col === 'uom' ? prop.rows[0].uom : prop.rows[0].standard_name}"`);
    }
    const propRes = await q(
      s,
      sql.upsertProperty({ code: r.property, standardName: r.standardName, vocabularyUri: `${CF_VOCABULARY}${r.standardName}/`, label: r.label, uom: r.uom }),
    );
    if (propRes.rowCount > 0) propertiesWritten.add(r.property);
    await q(s, sql.insertSensor(`${st.rows[0].code}_${r.family}`, r.family, stationId));
    const res = await q(
      s,
      sql.upsertDataset({ code: r.code, stationId, property: r.property, family: r.family, processing: r.processing, start: r.start, end: r.end }),
    ).catch((err: { code?: string }) => {
      if (err.code === '23505') throw new ImportError('datasets.csv', r.line, 'dataset_id', 'another dataset already has this station, property, instrument family and processing level');
      throw err;
    });
    written += res.rowCount;
  }
  return { datasets: written, properties: propertiesWritten.size };
}

/** Streams the observations file into a staging table with COPY, then upserts it into observation. */
async function importObservations(s: Session, file: string, opts: ImportOptions): Promise<{ read: number; written: number }> {
  const name = path.basename(file);
  const ids = new Map<string, number>();
  for (const r of (await s.query<{ id: number; code: string }>(sql.DATASET_IDS)).rows) ids.set(r.code, r.id);
  await s.query(sql.STAGING.tempBuffers).catch(() => undefined);
  await s.query(sql.STAGING.create);

  const lastTime = new Map<number, number>();
  let unordered = false;
  let read = 0;
  const t0 = Date.now();
  let lastReport = t0;
  const every = opts.progressEveryMs ?? 1000;
  const report = (done: boolean) => {
    const secs = Math.max((Date.now() - t0) / 1000, 0.001);
    opts.onProgress?.({ file: name, rows: read, rowsPerSecond: Math.round(read / secs), done });
  };

  async function* rowsAsCopyText(): AsyncGenerator<string> {
    const raw = fs.createReadStream(file);
    const text = file.endsWith('.gz') ? raw.pipe(zlib.createGunzip()) : raw;
    text.setEncoding('utf8');
    let n = 0;
    let cols: number[] | null = null;
    let width = 0;
    let buf = '';
    for await (const line of lines(text as AsyncIterable<string>)) {
      n++;
      if (cols === null) {
        const header = line.replace(/^\uFEFF/, '').split(',').map((h) => h.trim());
        cols = OBSERVATION_COLUMNS.map((c) => header.indexOf(c));
        const missing = OBSERVATION_COLUMNS.filter((_, i) => cols![i] < 0);
        if (missing.length) throw new ImportError(name, n, missing[0], `missing column(s) ${missing.join(', ')} in the header`);
        width = header.length;
        continue;
      }
      if (line === '') continue;
      const f = splitCsvLine(line);
      if (!f) throw new ImportError(name, n, '-', 'unbalanced quotes');
      if (f.length !== width) throw new ImportError(name, n, '-', `expected ${width} fields, found ${f.length}`);
      const code = f[cols[0]];
      const id = ids.get(code);
      if (id === undefined) throw new ImportError(name, n, 'dataset_id', `unknown dataset "${code}" (not in datasets.csv nor in the database)`);
      const ts = f[cols[1]];
      const canon = canonicalInstant(ts);
      const t = canon ?? parseIsoInstant(ts);
      if (t === null) throw new ImportError(name, n, 'time', `invalid ISO 8601 timestamp: "${ts}"`);
      const vs = f[cols[2]];
      let value = '\\N';
      if (vs !== '') {
        const v = parseNumber(vs);
        if (v === null) throw new ImportError(name, n, 'value', `not a number: "${vs}"`);
        value = vs;
      }
      const qs = f[cols[3]];
      if (!/^[0-9]$/.test(qs)) throw new ImportError(name, n, 'qc', `quality flag must be a digit 0-9: "${qs}"`);
      const prev = lastTime.get(id);
      if (prev !== undefined && t <= prev) {
        if (t === prev) throw new ImportError(name, n, 'time', `duplicate observation for dataset "${code}" at ${isoUtc(t)} (same as the previous one)`);
        unordered = true;
      }
      lastTime.set(id, prev === undefined || t > prev ? t : prev);
      buf += `${n}\t${id}\t${canon !== null ? ts : isoUtc(t)}\t${value}\t${qs}\n`;
      read++;
      if (buf.length >= 1 << 16) {
        yield buf;
        buf = '';
        const now = Date.now();
        if (now - lastReport >= every) {
          lastReport = now;
          report(false);
        }
      }
    }
    if (buf) yield buf;
  }

  await s.copyIn(sql.STAGING.copy, rowsAsCopyText());
  report(true);

  if (unordered) {
    const dup = await s.query<{ line: number; first: number; code: string; time: string }>(sql.STAGING.firstDuplicate);
    if (dup.rows.length) {
      const d = dup.rows[0];
      throw new ImportError(name, d.line, 'time', `duplicate observation for dataset "${d.code}" at ${d.time} (first on line ${d.first})`);
    }
  }

  await s.query(sql.STAGING.analyze);
  await s.query(sql.STAGING.noJit);
  const upd = await s.query(sql.STAGING.updateChanged);
  const ins = await s.query(sql.STAGING.insertNew);
  const written = upd.rowCount + ins.rowCount;
  if (written > 0) await s.query(sql.STAGING.refreshExtents);
  return { read, written };
}

/** Runs one of importSql's statements. */
function q<R = Record<string, unknown>>(s: Session, st: Sql): Promise<QueryResult<R>> {
  return s.query<R>(st.text, st.values);
}

const dayCache = new Map<string, number | null>();

/**
 * Fast path for the generator's canonical form `YYYY-MM-DDTHH:MM:SSZ` (millions of rows):
 * the date part is validated once per day and cached. Other spellings return null and go
 * through the general parser.
 */
function canonicalInstant(ts: string): number | null {
  if (ts.length !== 20 || ts.charCodeAt(10) !== 84 /* T */ || ts.charCodeAt(19) !== 90 /* Z */ || ts.charCodeAt(13) !== 58 || ts.charCodeAt(16) !== 58) return null;
  const day = ts.slice(0, 10);
  let d = dayCache.get(day);
  if (d === undefined) {
    d = parseIsoInstant(day + 'T00:00:00Z');
    if (dayCache.size > 100_000) dayCache.clear();
    dayCache.set(day, d);
  }
  if (d === null) return null;
  const h = two(ts, 11), m = two(ts, 14), sec = two(ts, 17);
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59) return null;
  return d + h * 3_600_000 + m * 60_000 + sec * 1000;
}

function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48, b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** The import outcome as printed by the CLI: a heading, then one line per kind of record. */
export function formatImportSummary(s: ImportSummary): string {
  const n = (v: number) => v.toLocaleString('en');
  const line = (kind: string, c: { read: number; written: number }) => `  ${kind} ${n(c.written)}/${n(c.read)} written`;
  return [
    `import ${s.changed ? 'done' : 'done, nothing changed'} in ${s.seconds.toFixed(1)} s:`,
    line('stations', s.stations),
    line('datasets', s.datasets),
    line('observed properties', s.observedProperties),
    line('observations', s.observations),
  ].join('\n');
}
