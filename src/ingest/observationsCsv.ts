import { isoUtc, parseIsoInstant } from '../util/time';
import { lines, parseNumber, splitCsvLine } from './csv';
import { ImportError, ImportForbiddenError, OBSERVATION_COLUMNS } from './validate';
import type { DatasetIds, ObservationStage } from './writer';

/** Progress of reading an observations file. */
export interface ImportProgress {
  file: string;
  rows: number;
  rowsPerSecond: number;
  done: boolean;
}

export interface ReadOptions {
  onProgress?: (p: ImportProgress) => void;
  /** Interval of progress reports. */
  progressEveryMs?: number;
}

/**
 * Reads an observations.csv text stream, checks every row (docs/import.md) and yields the staging's
 * COPY text in chunks of about 64 KiB: the one reader of the bulk path, for files and HTTP bodies alike,
 * so both refuse a row with the same file, line, column and reason. Memory stays bounded: one chunk
 * and one line at a time, pulled only as fast as COPY takes them.
 */
export async function* observationCopyText(text: AsyncIterable<string>, datasets: DatasetIds, stage: ObservationStage, opts: ReadOptions = {}): AsyncGenerator<string> {
  const name = stage.file;
  const { ids, forbidden } = datasets;
  const t0 = Date.now();
  let lastReport = t0;
  const every = opts.progressEveryMs ?? 1000;
  const report = (done: boolean) => {
    const secs = Math.max((Date.now() - t0) / 1000, 0.001);
    opts.onProgress?.({ file: name, rows: stage.rows, rowsPerSecond: Math.round(stage.rows / secs), done });
  };
  let n = 0;
  let cols: number[] | null = null;
  let width = 0;
  let buf = '';
  for await (const line of lines(text)) {
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
    if (id === undefined) {
      const network = forbidden.get(code);
      if (network !== undefined) throw new ImportForbiddenError(name, n, 'dataset_id', `dataset "${code}" belongs to network "${network}", which this API key may not write`);
      throw new ImportError(name, n, 'dataset_id', `unknown dataset "${code}" (not in datasets.csv nor in the database)`);
    }
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
    buf += stage.line(n, id, code, t, canon !== null ? ts : isoUtc(t), value, qs);
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
  if (cols === null) throw new ImportError(name, 1, '-', 'empty file (no header)');
  if (buf) yield buf;
  report(true);
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
