#!/usr/bin/env node
// OGC API – EDR benchmark, one run, side by side: the full largest series as EDR CoverageJSON, GeoJSON
// and CSV beside SOS JSON and CSV and the COPY floor; an `area` query over the whole network for one
// month beside the equivalent SOS request (every offering, same window); the server's memory while it
// streams the whole network as CoverageJSON (and, for comparison, as SOS JSON).
//
//   npm run build
//   DATABASE_URL=postgres://root@127.0.0.1:5432/<database holding the 7.6M set> node bench/edr.mjs
//
// The database is only read (the server's start-up migration check finds everything applied).
// Knobs: SERVER_ENTRY (default dist/src/main.js), BENCH_PORT (8273), BENCH_NODE_FLAGS (default the
// shipped --max-old-space-size=192), BENCH_REPEAT (7), BENCH_DATASET (default: the largest),
// BENCH_SKIP_NETWORK=1 (skip the whole-network streams).
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { cpuSeconds, logger, median, mib, procBytes, sec } from './lib/script.mjs';
import { benchDataset, benchNodeFlags, copySeconds, ENTRY as BUILT_ENTRY, startGateway, stopGateway as stopServer } from './lib/gateway.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

const DB = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/rg_bench7m';
const ENTRY = process.env.SERVER_ENTRY ?? BUILT_ENTRY;
const PORT = Number(process.env.BENCH_PORT ?? 8273);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 7);
const BASE = `http://127.0.0.1:${PORT}`;
const EDR = `${BASE}/ogcapi/collections/insitu`;

const log = logger('bench');
const enc = encodeURIComponent;
const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' / ');

let serverPid = 0;
let monitor;

/** Local ports of the server's TCP connections to PostgreSQL (its socket inodes looked up in /proc/net/tcp*). */
function serverDbPorts() {
  const inodes = new Set();
  for (const fd of fs.readdirSync(`/proc/${serverPid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${serverPid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {}
  }
  const ports = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9])) continue;
      const remotePort = parseInt(f[2].split(':')[1], 16);
      if (remotePort === 5432) ports.push(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

/** Pids of the PostgreSQL backends serving the benchmarked server (its pool's connections). */
async function backendPids() {
  const ports = serverDbPorts();
  if (ports.length === 0) return [];
  return (await monitor.query('SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])', [ports])).rows.map((r) => r.pid);
}

/** Starts the server on the benchmark database; resolves with the child once /readyz answers. */
async function startServer() {
  const child = await startGateway({
    entry: ENTRY,
    nodeFlags: benchNodeFlags(),
    // One process (WORKERS=1): CPU, connections and RSS are read from this pid; with workers it would be
    // the supervisor's, which serves nothing. Sequential requests use one core anyway.
    env: { ...process.env, DATABASE_URL: DB, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', WORKERS: '1' },
    base: BASE,
  });
  serverPid = child.pid;
  return child;
}


/** Downloads a URL completely; returns seconds, bytes, status, the CPU seconds of the server and of its PostgreSQL backends, and the last bytes. */
async function download(url, onChunk) {
  const pids = await backendPids();
  const pg0 = pids.map(cpuSeconds);
  const cpu0 = cpuSeconds(serverPid);
  const t0 = process.hrtime.bigint();
  const r = await fetch(url);
  let bytes = 0;
  let tail = Buffer.alloc(0);
  for await (const c of r.body) {
    bytes += c.length;
    tail = Buffer.from(c.subarray(Math.max(0, c.length - 16)));
    onChunk?.(bytes);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuSeconds(serverPid) - cpu0;
  // Backends the pool opened during the request are counted from zero.
  const now = await backendPids();
  const pg = now.reduce((sum, pid) => sum + cpuSeconds(pid) - (pids.includes(pid) ? pg0[pids.indexOf(pid)] : 0), 0);
  return { s, bytes, status: r.status, cpu, pg, tail: tail.toString('utf8') };
}

/** The raw SQL floor: psql COPY of the same rows to STDOUT (discarded), seconds. */
const copyOnce = (sql) => copySeconds(DB, sql);

/**
 * Every request of a group, warm, then REPEAT rounds taking turns (so a change in the machine's load
 * falls on all of them alike), each round starting one request further on: the first request of a round
 * follows the COPY floor's psql and read 30-40 % slower in whichever position came first, so every
 * request takes every place in turn. Medians of wall time and of the server's CPU time.
 */
async function sideBySide(requests) {
  for (const q of requests) {
    if (q.url) {
      const w = await download(q.url);
      if (w.status !== 200) throw new Error(`HTTP ${w.status} for ${q.url}`);
      if (!/[}\n]$/.test(w.tail)) throw new Error(`incomplete answer for ${q.url}`);
      q.bytes = w.bytes;
    } else copyOnce(q.sql);
  }
  const runs = new Map(requests.map((q) => [q, []]));
  for (let i = 0; i < REPEAT; i++) {
    for (let k = 0; k < requests.length; k++) {
      const q = requests[(i + k) % requests.length];
      runs.get(q).push(q.url ? await download(q.url) : { s: copyOnce(q.sql), cpu: NaN, pg: NaN });
    }
  }
  for (const q of requests) {
    const rs = runs.get(q);
    q.s = median(rs.map((x) => x.s));
    q.cpu = median(rs.map((x) => x.cpu));
    q.pg = median(rs.map((x) => x.pg));
    q.all = rs.map((x) => x.s);
  }
}

monitor = new Client({ connectionString: DB });
await monitor.connect();
const db = new Client({ connectionString: DB });
await db.connect();
const ds = await benchDataset(db);
const total = Number((await db.query('SELECT sum(obs_count)::bigint AS n FROM dataset')).rows[0].n);
const end = new Date(Date.parse(ds.m1) - 1000).toISOString().replace('.000Z', 'Z');
const monthNet = Number((await db.query('SELECT count(*)::int AS n FROM observation WHERE time >= $1 AND time <= $2', [ds.m0, end])).rows[0].n);
const seriesNet = Number((await db.query('SELECT count(*)::int AS n FROM dataset WHERE obs_count > 0')).rows[0].n);
await db.end();
const rows = Number(ds.obs_count);
log(`dataset ${ds.code}: ${rows} rows; network month ${ds.m0}/${end}: ${monthNet} rows; network ${total} rows; load ${loadavg()}`);

const cpuText = (q) => (q.url ? `${(q.cpu * 1000).toFixed(0)} + ${(q.pg * 1000).toFixed(0)} ms` : '');
const out = [];
const load0 = loadavg();
out.push(`Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores (load average at start ${load0}; 1 / 5 / 15 min). Medians of ${REPEAT} warm sequential requests per row, the rows of a table taking turns; CPU is the user+system time per request of the server process and of its PostgreSQL backends (found by the ports of its connections), which a busy machine disturbs far less than wall time.`);
out.push('');

// ---------------------------------------------------------------- the full series
const sos = (fmt, extra = '') => `${BASE}/sos?service=SOS&version=2.0.0&request=GetObservation&responseFormat=${enc(fmt)}${extra}`;
const series = `${EDR}/locations/${enc(ds.station)}?parameter-name=${enc(ds.prop)}`;
const full = [
  { label: 'EDR CoverageJSON (locations/{station}?parameter-name)', url: series },
  { label: 'EDR GeoJSON', url: `${series}&f=GeoJSON` },
  { label: 'EDR CSV', url: `${series}&f=CSV` },
  { label: 'SOS 2.0 JSON', url: sos('application/json', `&offering=${enc(ds.code)}`) },
  { label: 'SOS 2.0 CSV', url: sos('text/csv', `&offering=${enc(ds.code)}`) },
  { label: 'COPY floor', sql: `SELECT time, value, qc FROM observation WHERE dataset_id = ${ds.id} ORDER BY time` },
];
let server = await startServer();
// Every row of the series is in the CoverageJSON once (parsed once, outside the timings).
const doc = await (await fetch(series)).json();
if (doc.type !== 'Coverage' || doc.domain.axes.t.values.length !== rows || doc.ranges[ds.prop].values.length !== rows) throw new Error('CoverageJSON does not hold the series');
await sideBySide(full);
const [cov, geo, csv, sosJson, sosCsv, floor] = full;
out.push(`Full series ${ds.code} (${rows.toLocaleString('en')} observations):`);
out.push('');
out.push('| request | time | CPU: node + PostgreSQL | bytes | / SOS JSON (time; CPU) | / COPY floor |');
out.push('|---|---:|---:|---:|---:|---:|');
for (const q of full) {
  out.push(`| ${q.label} | ${sec(q.s)} | ${cpuText(q)} | ${q.url ? mib(q.bytes) : ''} | ${q.url ? `${(q.s / sosJson.s).toFixed(2)}x; ${((q.cpu + q.pg) / (sosJson.cpu + sosJson.pg)).toFixed(2)}x` : ''} | ${(q.s / floor.s).toFixed(2)}x |`);
  log(`${q.label}: ${sec(q.s)} (runs ${q.all.map((x) => x.toFixed(3)).join(' ')})`);
}
out.push('');
out.push(`- EDR CoverageJSON / SOS JSON: ${(cov.s / sosJson.s).toFixed(2)}x in time, ${((cov.cpu + cov.pg) / (sosJson.cpu + sosJson.pg)).toFixed(2)}x in CPU; / COPY floor: ${(cov.s / floor.s).toFixed(2)}x`);
out.push(`- EDR CSV / SOS CSV: ${(csv.s / sosCsv.s).toFixed(2)}x; / COPY floor: ${(csv.s / floor.s).toFixed(2)}x; EDR GeoJSON / SOS JSON: ${(geo.s / sosJson.s).toFixed(2)}x`);
out.push('');

// ---------------------------------------------------------------- area over the whole network, one month
const world = 'POLYGON((-180 -90,180 -90,180 90,-180 90,-180 -90))';
const window = `${ds.m0}/${end}`;
const area = [
  { label: 'EDR area CoverageJSON (whole network)', url: `${EDR}/area?coords=${enc(world)}&datetime=${enc(window)}` },
  { label: 'EDR area CSV', url: `${EDR}/area?coords=${enc(world)}&datetime=${enc(window)}&f=CSV` },
  { label: 'SOS 2.0 JSON, every offering, same window', url: sos('application/json', `&temporalFilter=${enc(`om:phenomenonTime,${window}`)}`) },
  { label: 'SOS 2.0 CSV, every offering, same window', url: sos('text/csv', `&temporalFilter=${enc(`om:phenomenonTime,${window}`)}`) },
  { label: 'COPY floor (same rows)', sql: `SELECT dataset_id, time, value, qc FROM observation WHERE time >= '${ds.m0}' AND time <= '${end}' ORDER BY dataset_id, time` },
];
const areaDoc = await (await fetch(area[0].url)).json();
const areaRows = areaDoc.coverages.reduce((n, c) => n + c.domain.axes.t.values.length, 0);
if (areaRows !== monthNet) throw new Error(`area answer holds ${areaRows} rows, the database ${monthNet}`);
await sideBySide(area);
out.push(`Area query over the whole network for one month (${window}: ${monthNet.toLocaleString('en')} observations in ${areaDoc.coverages.length} series), beside the SOS request for every offering and the same window:`);
out.push('');
out.push('| request | time | CPU: node + PostgreSQL | bytes | / SOS same format (time; CPU) | / COPY floor |');
out.push('|---|---:|---:|---:|---:|---:|');
const areaFloor = area[4];
for (const [i, q] of area.entries()) {
  const peer = i < 2 ? area[i + 2] : undefined;
  out.push(`| ${q.label} | ${sec(q.s)} | ${cpuText(q)} | ${q.url ? mib(q.bytes) : ''} | ${peer ? `${(q.s / peer.s).toFixed(2)}x; ${((q.cpu + q.pg) / (peer.cpu + peer.pg)).toFixed(2)}x` : ''} | ${(q.s / areaFloor.s).toFixed(2)}x |`);
  log(`${q.label}: ${sec(q.s)} (runs ${q.all.map((x) => x.toFixed(3)).join(' ')})`);
}
out.push('');
await stopServer(server);

// ---------------------------------------------------------------- whole network: memory while streaming
if (!process.env.BENCH_SKIP_NETWORK) {
  out.push(`Whole network (${total.toLocaleString('en')} observations, ${seriesNet} series) streamed by a freshly started server each; RSS sampled every 100 ms while streaming (VmRSS), peak = VmHWM.`);
  out.push('');
  out.push('| request | time | bytes | RSS at 10 / 25 / 50 / 75 / 90 % of the bytes | peak RSS |');
  out.push('|---|---:|---:|---|---:|');
  const whole = [
    ['EDR cube CoverageJSON (bbox -180,-90,180,90)', `${EDR}/cube?bbox=-180,-90,180,90`],
    ['EDR cube CSV', `${EDR}/cube?bbox=-180,-90,180,90&f=CSV`],
    ['SOS 2.0 JSON (every offering)', sos('application/json')],
  ];
  for (const [label, url] of whole) {
    server = await startServer();
    const samples = [];
    let got = 0;
    const timer = setInterval(() => samples.push([got, procBytes(server.pid, 'VmRSS')]), 100);
    const r = await download(url, (b) => (got = b));
    clearInterval(timer);
    const hwm = procBytes(server.pid, 'VmHWM');
    if (r.status !== 200 || !/[}\n]$/.test(r.tail)) throw new Error(`${label}: HTTP ${r.status}, incomplete`);
    const at = (f) => samples.find(([b]) => b >= f * r.bytes)?.[1] ?? NaN;
    const points = [0.1, 0.25, 0.5, 0.75, 0.9].map((f) => mib(at(f)).replace(' MiB', '')).join(' / ');
    out.push(`| ${label} | ${sec(r.s)} | ${mib(r.bytes)} | ${points} MiB | ${mib(hwm)} |`);
    log(`${label}: ${sec(r.s)} ${mib(r.bytes)} RSS ${points} MiB, peak ${mib(hwm)}`);
    await stopServer(server);
  }
  out.push(`| COPY floor (same rows) | ${sec(copyOnce('SELECT dataset_id, time, value, qc FROM observation ORDER BY dataset_id, time'))} | | | |`);
  out.push('');
}
out.push(`Load average at the end: ${loadavg()}.`);
await monitor.end();
console.log(out.join('\n'));
