#!/usr/bin/env node
// Node's time per row of the row-by-row series encoders alone, no database and no socket: a month of one
// series (1,440 rows of EPOCH_QC_VALUE text, stamp and value, as PostgreSQL sends them) written into a sink that takes
// each chunk and hands its buffer back at once. What a change to an encoder's row loop is worth, apart
// from the request path around it (docs/benchmarks.md, seventh session).
//
//   npm run build && node bench/encoders.mjs [--docs 3000] [--rows 1440]
import { createRequire } from 'node:module';
import path from 'node:path';
import { arg, median, ROOT } from './lib/script.mjs';

const require = createRequire(import.meta.url);
const dist = (p) => require(path.join(ROOT, 'dist/src', p));
const { ChunkWriter } = dist('encoders/chunkWriter');
const { Om20Encoder } = dist('encoders/series/om20');
const { SosCsvEncoder } = dist('encoders/series/csv');
const { Wml2Encoder } = dist('encoders/series/wml2');

const DOCS = Number(arg('docs', 3000));
const ROWS = Number(arg('rows', 1440));
// The fields the encoders read of an offering (src/catalog/offerings.ts), as the bench set has them.
const ds = {
  id: 22,
  code: 'CHESTER_TEMP_0A_SBE56',
  procedure: 'NCL_CHESTER_SBE56',
  propertyUri: 'http://vocab.nerc.ac.uk/standard_name/sea_water_temperature/',
  property: 'sea_water_temperature',
  station: 'NCL_CHESTER',
  uom: 'Cel',
  label: 'Chester 0 m',
  stationName: 'Chester',
};
const rows = [];
for (let i = 0; i < ROWS; i++) rows.push(`${(1730419200 + i * 1800) * 10 + 1} ${(23 + Math.sin(i)).toPrecision(6)}`);
const text = rows.join('\n');

let bytes = 0;
const sink = {
  signal: new AbortController().signal,
  write: async (c) => void (bytes += c.length),
  writeReusable: async (c, released) => {
    bytes += c.length;
    released();
  },
};

async function one(make) {
  const w = new ChunkWriter(sink);
  const enc = make(w);
  await enc.begin?.();
  await enc.seriesStart(ds, { begin: '2024-11-01T00:00:00Z', end: '2024-11-30T23:30:00Z', count: ROWS });
  await enc.text(ds, text);
  await enc.seriesEnd(ds);
  await enc.end();
}

const ENCODERS = [
  ['O&M 2.0', (w) => new Om20Encoder(w)],
  ['CSV', (w) => new SosCsvEncoder(w)],
  ['WaterML 2.0', (w) => new Wml2Encoder(w)],
];
console.log(`| encoder (${ROWS} rows, ${DOCS} documents × 3 rounds) | ns per row (median round) | bytes per document |`);
console.log('|---|---:|---:|');
for (const [name, make] of ENCODERS) {
  for (let i = 0; i < 300; i++) await one(make); // warm-up: optimised code before timing
  const perRow = [];
  bytes = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < DOCS; i++) await one(make);
    perRow.push(Number(process.hrtime.bigint() - t0) / DOCS / ROWS);
  }
  console.log(`| ${name} | ${median(perRow).toFixed(0)} | ${Math.round(bytes / (3 * DOCS))} |`);
}
