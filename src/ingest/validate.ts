import { isoUtc, parseIsoInstant } from '../util/time';
import { lines, parseNumber, splitCsvLine } from './csv';

/*
 * The rules of the import layout (docs/import.md) for the small files: every write path that takes
 * stations or datasets (CLI import, HTTP push) reads and checks them here, so a row is refused with the
 * same file, line, column and reason wherever it came from.
 */

/** A rejected input row: where it is and why. The whole run is rolled back. */
export class ImportError extends Error {
  constructor(readonly file: string, readonly line: number, readonly column: string, readonly reason: string) {
    super(`${file}:${line}: column ${column}: ${reason}`);
    this.name = 'ImportError';
  }
}

/** A row the writer's API key may not write (a network outside its networks): rolled back like any error, answered 403. */
export class ImportForbiddenError extends ImportError {
  constructor(file: string, line: number, column: string, reason: string) {
    super(file, line, column, reason);
    this.name = 'ImportForbiddenError';
  }
}

/** The columns each file must have (in any order, docs/import.md). */
export const STATION_COLUMNS = ['station_id', 'name', 'network', 'producer', 'country', 'lat', 'lon', 'depth_m'] as const;
export const DATASET_COLUMNS = ['dataset_id', 'station_id', 'property_code', 'standard_name', 'property_label', 'uom', 'processing', 'instrument_family', 'start', 'end'] as const;
export const OBSERVATION_COLUMNS = ['dataset_id', 'time', 'value', 'qc'] as const;

/** Vocabulary of CF standard names (NERC P07), the observedProperty URIs of SOS. */
export const CF_VOCABULARY = 'http://vocab.nerc.ac.uk/standard_name/';

type Row<C extends readonly string[]> = Record<C[number], string> & { __line: number };

export interface StationRow { line: number; code: string; name: string; network: string; producer: string; country: string | null; lat: number; lon: number; depth: number | null }
export interface DatasetRow { line: number; code: string; station: string; property: string; standardName: string; label: string; uom: string; processing: string; family: string; start: string | null; end: string | null }

/** Reads and checks a stations.csv text stream (whole: the file is small). */
export async function readStations(text: AsyncIterable<string>, file = 'stations.csv'): Promise<StationRow[]> {
  const rows = (await readSmallCsv(text, file, STATION_COLUMNS)).map((r) => checkStation(r, file));
  noDuplicates(rows.map((s) => [s.code, s.line]), file, 'station_id');
  return rows;
}

/** Reads and checks a datasets.csv text stream (whole: the file is small). */
export async function readDatasets(text: AsyncIterable<string>, file = 'datasets.csv'): Promise<DatasetRow[]> {
  const rows = (await readSmallCsv(text, file, DATASET_COLUMNS)).map((r) => checkDataset(r, file));
  noDuplicates(rows.map((d) => [d.code, d.line]), file, 'dataset_id');
  return rows;
}

async function readSmallCsv<C extends readonly string[]>(text: AsyncIterable<string>, name: string, columns: C): Promise<Row<C>[]> {
  const out: Row<C>[] = [];
  let header: string[] | null = null;
  let index: number[] = [];
  let n = 0;
  for await (const line of lines(text)) {
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
    columns.forEach((c, i) => {
      const v = fields[index[i]].trim();
      // Text PostgreSQL cannot store: refused here with its place, not by the database as a SQL error.
      if (UNSAFE_TEXT.test(v)) throw new ImportError(name, n, c, 'contains a NUL character or an unpaired UTF-16 surrogate');
      (row as Record<string, unknown>)[c] = v;
    });
    out.push(row);
  }
  if (!header) throw new ImportError(name, 1, '-', 'empty file (no header)');
  return out;
}

const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

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
