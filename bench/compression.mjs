#!/usr/bin/env node
// What the gateway's compression settings cost on its own answers: each document fetched plain from a
// running gateway, then compressed as the gateway streams it (a fresh compressor, 256 KB writes, like
// src/http/compressBatch.ts) with each gzip level and brotli setting; CPU per document (this process,
// the pool's threads included) and bytes. Picks the settings of src/http/compression.ts.
//
//   REEFGATE_URL=http://127.0.0.1:8080 node bench/compression.mjs
//
// Knobs (env): REPS (20 per document and setting; 3 for documents over 5 MB), BENCH_OFFERING (default:
// CHESTER_TEMP_0A_SBE56 of the bench set), BENCH_MONTH (default 2024-11, the month of the one-month
// documents), BENCH_SETTINGS (comma list of the setting names below, default all).
import zlib from 'node:zlib';
import { median } from './lib/script.mjs';
// The gateway's own batch size (the build: npm run build).
import { COMPRESS_BATCH_BYTES as BATCH } from '../dist/src/http/compressBatch.js';

const BASE = process.env.REEFGATE_URL ?? 'http://127.0.0.1:8080';
const REPS = Number(process.env.REPS ?? 20);
const C = zlib.constants;

const SETTINGS = {
  'gzip 4': () => zlib.createDeflateRaw({ level: 4 }),
  'gzip 3': () => zlib.createDeflateRaw({ level: 3 }),
  'gzip 1': () => zlib.createDeflateRaw({ level: 1 }),
  'br q4': () => zlib.createBrotliCompress({ params: { [C.BROTLI_PARAM_QUALITY]: 4 } }),
  'br q4 lgwin 18': () => zlib.createBrotliCompress({ params: { [C.BROTLI_PARAM_QUALITY]: 4, [C.BROTLI_PARAM_LGWIN]: 18 } }),
  'br q3 lgwin 18': () => zlib.createBrotliCompress({ params: { [C.BROTLI_PARAM_QUALITY]: 3, [C.BROTLI_PARAM_LGWIN]: 18 } }),
  'br q1 lgwin 18': () => zlib.createBrotliCompress({ params: { [C.BROTLI_PARAM_QUALITY]: 1, [C.BROTLI_PARAM_LGWIN]: 18 } }),
};
const chosen = (process.env.BENCH_SETTINGS ?? Object.keys(SETTINGS).join(',')).split(',').map((s) => s.trim());

/** Compresses doc through a fresh stream in BATCH writes; resolves with the compressed size. */
async function compress(make, doc) {
  const z = make();
  let n = 0;
  z.on('data', (b) => (n += b.length));
  const done = new Promise((resolve, reject) => {
    z.on('end', resolve);
    z.on('error', reject);
  });
  for (let i = 0; i < doc.length; i += BATCH) if (!z.write(doc.subarray(i, i + BATCH))) await new Promise((r) => z.once('drain', r));
  z.end();
  await done;
  return n;
}

const offering = process.env.BENCH_OFFERING ?? 'CHESTER_TEMP_0A_SBE56';
const [y, mo] = (process.env.BENCH_MONTH ?? '2024-11').split('-').map(Number);
const last = new Date(Date.UTC(y, mo, 1) - 1000).toISOString().replace('.000Z', 'Z');
const month = encodeURIComponent(`om:phenomenonTime,${new Date(Date.UTC(y, mo - 1, 1)).toISOString().replace('.000Z', 'Z')}/${last}`);
const obs = (fmt, window) => `${BASE}/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${offering}&responseFormat=${encodeURIComponent(fmt)}${window ? `&temporalFilter=${month}` : ''}`;
const DOCS = [
  ['O&M 2.0, one month', obs('http://www.opengis.net/om/2.0', true)],
  ['WaterML 2.0, one month', obs('http://www.opengis.net/waterml/2.0', true)],
  ['CSV, full series', obs('text/csv', false)],
  ['SOS 2.0 capabilities', `${BASE}/sos?service=SOS&request=GetCapabilities&acceptVersions=2.0.0`],
];

console.log(`Offering ${offering}; ${BATCH / 1024} KB writes to a fresh compressor per document; CPU per document (median of ${REPS} runs), compressed size.`);
console.log('');
console.log(`| document | plain | ${chosen.join(' | ')} |`);
console.log(`|---|---:|${chosen.map(() => '---:').join('|')}|`);
for (const [name, url] of DOCS) {
  const r = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
  if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
  const doc = Buffer.from(await r.arrayBuffer());
  const reps = doc.length > 5e6 ? Math.min(3, REPS) : REPS;
  const cells = [];
  for (const s of chosen) {
    const make = SETTINGS[s];
    if (!make) throw new Error(`unknown setting ${s}`);
    await compress(make, doc);
    const ms = [];
    let size = 0;
    for (let i = 0; i < reps; i++) {
      const c0 = process.cpuUsage();
      size = await compress(make, doc);
      const c = process.cpuUsage(c0);
      ms.push((c.user + c.system) / 1000);
    }
    cells.push(`${median(ms).toFixed(2)} ms, ${(size / 1024).toFixed(1)} KB`);
  }
  console.log(`| ${name} | ${(doc.length / 1024).toFixed(0)} KB | ${cells.join(' | ')} |`);
}
