#!/usr/bin/env node
// HTTP caching benchmark (issue 16.3, docs/caching.md): latency of a conditional GET answered 304
// (If-None-Match with the ETag of a first 200) against the unconditional 200 of the same URL, for
// capabilities, the OGC API collections, and closed time windows of data; sequential requests, then
// autocannon at BENCH_CONNS connections. Also counts the database transactions the 304s cost
// (pg_stat_database.xact_commit delta of the benchmark database: every statement the gateway runs
// outside a transaction is one; other clients of that database would inflate it, so it is an upper bound).
//
//   npm run build
//   DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench7m node bench/caching.mjs
//
// Knobs: SERVER_ENTRY (dist/src/main.js), BENCH_PORT (8274), BENCH_N (500 sequential requests per 304
// and per metadata 200), BENCH_N_DATA (100 sequential 200s of a data window), BENCH_DURATION (5 s per
// autocannon run), BENCH_CONNS (16), BENCH_DATASET (default: the largest), BENCH_ACCEPT_ENCODING
// (identity: the 200s are sent uncompressed).
import http from 'node:http';
import os from 'node:os';
import { createRequire } from 'node:module';
import { logger } from './lib/script.mjs';
import { ENTRY as BUILT_ENTRY, startGateway, stopGateway } from './lib/gateway.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const { Client } = require('pg');

const DB = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/rg_bench7m';
const ENTRY = process.env.SERVER_ENTRY ?? BUILT_ENTRY;
const PORT = Number(process.env.BENCH_PORT ?? 8274);
const N = Number(process.env.BENCH_N ?? 500);
const N_DATA = Number(process.env.BENCH_N_DATA ?? 100);
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNS = Number(process.env.BENCH_CONNS ?? 16);
const ENCODING = process.env.BENCH_ACCEPT_ENCODING ?? 'identity';
const BASE = `http://127.0.0.1:${PORT}`;

const log = logger('bench');
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const ms = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/** Starts the gateway on the benchmark database; resolves with the child once /readyz answers. */
const startServer = () =>
  startGateway({
    entry: ENTRY,
    nodeFlags: ['--max-old-space-size=192'],
    env: { ...process.env, DATABASE_URL: DB, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', SOS_MAX_XML_BYTES: '2000000000' },
    base: BASE,
  });

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
/** One GET on a kept-alive connection, body read and discarded: status, ETag, milliseconds, bytes. */
function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    http
      .get(url, { agent, headers: { 'Accept-Encoding': ENCODING, ...headers } }, (res) => {
        let bytes = 0;
        res.on('data', (c) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode, etag: res.headers.etag, cc: res.headers['cache-control'], ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** n sequential requests of one kind; every answer must have the expected status. */
async function sequential(url, headers, n, status) {
  const t = [];
  for (let i = 0; i < n; i++) {
    const r = await get(url, headers);
    if (r.status !== status) throw new Error(`HTTP ${r.status} (expected ${status}) for ${url}`);
    t.push(r.ms);
  }
  return { p50: quantile(t, 0.5), p99: quantile(t, 0.99) };
}

/** autocannon at CONNS connections for DURATION s; every answer must have the expected status. */
async function loaded(url, headers, status) {
  const a = await new Promise((resolve, reject) =>
    autocannon({ url, headers: { 'Accept-Encoding': ENCODING, ...headers }, connections: CONNS, duration: DURATION, timeout: 60 }, (err, res) => (err ? reject(err) : resolve(res))),
  );
  const right = a.statusCodeStats?.[status]?.count ?? 0;
  if (a.errors || right !== a.requests.total) throw new Error(`autocannon: ${a.errors} errors, ${right}/${a.requests.total} answers ${status} for ${url}`);
  return { rps: a.requests.average, p50: a.latency.p50, p99: a.latency.p99 };
}

const db = new Client({ connectionString: DB });
await db.connect();
const pick = process.env.BENCH_DATASET;
const ds = (
  await db.query(
    `SELECT d.code, d.obs_count,
            to_char(date_trunc('month', d.time_end AT TIME ZONE 'UTC' - interval '1 month'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS m0,
            to_char(date_trunc('month', d.time_end AT TIME ZONE 'UTC' - interval '1 month') + interval '1 month' - interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS m1
     FROM dataset d ${pick ? 'WHERE d.code = $1' : ''} ORDER BY d.obs_count DESC LIMIT 1`,
    pick ? [pick] : [],
  )
).rows[0];
const dbName = new URL(DB).pathname.slice(1);
// Statistics are read from another database, so these reads are not counted among the benchmark database's transactions.
const statsUrl = new URL(DB);
statsUrl.pathname = '/postgres';
const stats = new Client({ connectionString: statsUrl.href });
await stats.connect();
const xacts = async () => Number((await stats.query('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [dbName])).rows[0].n);
const clients = async () => Number((await stats.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [dbName])).rows[0].n);
// pg_stat_database is a snapshot per transaction and flushed by backends about once a second.
const settle = () => new Promise((r) => setTimeout(r, 1200));
const fresh = async () => {
  await stats.query('SELECT pg_stat_clear_snapshot()');
  return xacts();
};

const sos = (fmt) => `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${encodeURIComponent(ds.code)}&temporalFilter=${encodeURIComponent(`om:phenomenonTime,${ds.m0}/${ds.m1}`)}&responseFormat=${encodeURIComponent(fmt)}`;
const cases = [
  { name: 'WFS 2.0 GetCapabilities', path: '/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0', n: N },
  { name: 'SOS 2.0 GetCapabilities', path: '/sos?service=SOS&request=GetCapabilities&AcceptVersions=2.0.0', n: N },
  { name: 'OGC API /collections (JSON)', path: '/ogcapi/collections?f=json', n: N },
  { name: 'SOS GetObservation, one month, CSV', path: sos('text/csv'), n: N_DATA },
  { name: 'SOS GetObservation, one month, O&M 2.0', path: sos('http://www.opengis.net/om/2.0'), n: N_DATA },
  { name: 'OGC API observations items, one month, limit 100', path: `/ogcapi/collections/observations/items?datetime=${ds.m0}/${ds.m1}&limit=100&f=json`, n: N_DATA },
];

await db.end();
// Before the gateway starts: anyone else on the database would be counted with it.
const others = await clients();
log(`dataset ${ds.code} (${ds.obs_count} observations), month ${ds.m0}..${ds.m1}; load average ${load()}`);
const child = await startServer();
const rows = [];
const loadRows = [];
const loads = [load()];
try {
  for (const c of cases) {
    const url = BASE + c.path;
    const first = await get(url);
    if (first.status !== 200 || !first.etag) throw new Error(`${c.name}: HTTP ${first.status}, ETag ${first.etag}`);
    const cond = { 'If-None-Match': first.etag };
    log(`${c.name}: ${first.bytes} bytes, ${first.cc}`);
    const full = await sequential(url, {}, c.n, 200);
    await settle();
    const x0 = await fresh();
    const nm = await sequential(url, cond, N, 304);
    await settle();
    const x1 = await fresh();
    rows.push({ ...c, bytes: first.bytes, cc: first.cc, full, nm, perReq: (x1 - x0) / N });
    log(`${c.name}: 200 p50 ${ms(full.p50)} ms, 304 p50 ${ms(nm.p50)} ms; ${x1 - x0} transactions over ${N} 304s`);
    const l200 = await loaded(url, {}, 200);
    const l304 = await loaded(url, cond, 304);
    loadRows.push({ ...c, l200, l304 });
    loads.push(load());
    log(`${c.name}: ${CONNS} connections 200 ${Math.round(l200.rps)} req/s, 304 ${Math.round(l304.rps)} req/s; load ${load()}`);
  }
} finally {
  await stopGateway(child);
  await stats.end();
}

const out = [];
out.push(`Dataset ${ds.code} (${Number(ds.obs_count).toLocaleString('en')} observations), window ${ds.m0}/${ds.m1}. Accept-Encoding: ${ENCODING}. ${os.cpus().length} CPUs; load average (1/5/15 min) at start ${loads[0]}, after each case: ${loads.slice(1).join('; ')}.`);
out.push('');
// Another client's statements would be counted as the gateway's: the count is then left out (test/http/caching.test.ts counts them exactly).
const counted = others === 0;
out.push(counted ? 'No other client on the database: its transactions during the 304s are the gateway\'s.' : `Database transactions not reported: ${others} other clients were connected to the database (the count would be theirs too).`);
out.push('');
out.push(`Sequential, one kept-alive connection (${N} requests per 304; ${N} per metadata 200, ${N_DATA} per data 200):`);
out.push('');
out.push(`| Resource | Cache-Control | 200 size | 200 median / p99 | 304 median / p99 |${counted ? ' DB transactions per 304 |' : ''}`);
out.push(`|---|---|--:|--:|--:|${counted ? '--:|' : ''}`);
for (const r of rows) out.push(`| ${r.name} | \`${r.cc}\` | ${(r.bytes / 1024).toFixed(1)} KiB | ${ms(r.full.p50)} / ${ms(r.full.p99)} ms | ${ms(r.nm.p50)} / ${ms(r.nm.p99)} ms |${counted ? ` ${r.perReq.toFixed(3)} |` : ''}`);
out.push('');
out.push(`autocannon, ${CONNS} connections, ${DURATION} s each:`);
out.push('');
out.push('| Resource | 200 req/s | 200 median / p99 | 304 req/s | 304 median / p99 |');
out.push('|---|--:|--:|--:|--:|');
for (const r of loadRows) out.push(`| ${r.name} | ${Math.round(r.l200.rps)} | ${r.l200.p50} / ${r.l200.p99} ms | ${Math.round(r.l304.rps)} | ${r.l304.p50} / ${r.l304.p99} ms |`);
console.log(out.join('\n'));
