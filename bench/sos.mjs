#!/usr/bin/env node
// SOS benchmark: GetObservation (one month, one full series) in each format against the raw SQL
// floor (psql COPY ... TO STDOUT on the same rows), MapServer's SOS 1.0 on the same data, load at
// 16 connections, and the server's peak RSS while it streams all observations as CSV and JSON.
//
//   npm run build
//   createdb rg_bench_sos && DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench_sos node bin/reefgate.js import /tmp/bench7m
//   DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench_sos node bench/sos.mjs
//
// Knobs: SERVER_ENTRY (compiled main.js, default dist/src/main.js), BENCH_PORT (8272),
// PEER_URL (http://127.0.0.1:8190, the MapServer peer from ../shared/peers/mapserver; skipped when down),
// BENCH_NODE_FLAGS (node flags of the server, default the shipped --max-old-space-size=192), BENCH_REPEAT (5), BENCH_DURATION (10 s per load run), BENCH_CONNS (16),
// BENCH_LOAD_ROUNDS (3), BENCH_WARMUP (5: seconds of load per scenario before the rounds, not counted; 0 for none), BENCH_LOAD (wrk when installed — apt-get install wrk — else autocannon), BENCH_DATASET (default: the largest),
// BENCH_CPU_GROUPS (0: no cpu cgroup per server for the load runs, bench/lib/cpuGroups.mjs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { download, logger, median, mib, peakRssOfTree, pidsByCommand, processTree, procStat, sec } from './lib/script.mjs';
import { benchDataset, benchNodeFlags, copySeconds, ENTRY as BUILT_ENTRY, startGateway, stopGateway as stopServer } from './lib/gateway.mjs';
import { loadRun, loadTool } from './lib/loadRun.mjs';
import { groups, releaseGroups } from './lib/cpuGroups.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

const DB = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/rg_bench_sos';
const ENTRY = process.env.SERVER_ENTRY ?? BUILT_ENTRY;
const PORT = Number(process.env.BENCH_PORT ?? 8272);
const PEER = process.env.PEER_URL ?? 'http://127.0.0.1:8190';
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNS = Number(process.env.BENCH_CONNS ?? 16);
const BASE = `http://127.0.0.1:${PORT}`;

const log = logger('bench');

/** Starts the server on the benchmark database; resolves with the child once /readyz answers. */
async function startServer() {
  const child = await startGateway({
    entry: ENTRY,
    nodeFlags: benchNodeFlags(),
    env: { ...process.env, DATABASE_URL: DB, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SOS_MAX_XML_BYTES: '2000000000', RATE_LIMIT_PER_MINUTE: '0' },
    base: BASE,
  });
  serverPid = child.pid;
  return child;
}

/** Peak resident set size of the server (VmHWM), bytes: the largest of its processes, i.e. the worker that streamed. */
const peakRss = (pid) => peakRssOfTree(pid);


async function timed(url, n = REPEAT) {
  await download(url); // warm
  const runs = [];
  for (let i = 0; i < n; i++) runs.push(await download(url));
  if (runs.some((x) => x.status !== 200)) throw new Error(`HTTP ${runs[0].status} for ${url}`);
  return { s: median(runs.map((x) => x.s)), bytes: runs[0].bytes };
}

/** The raw SQL floor: psql COPY of the same rows to STDOUT (discarded), median seconds. */
function copyFloor(sql, n = REPEAT) {
  const runs = [];
  for (let i = 0; i <= n; i++) {
    const s = copySeconds(DB, sql);
    if (i > 0) runs.push(s);
  }
  return median(runs);
}

/** Processes that serve a request: the gateway, PostgreSQL backends, MapServer and its nginx. */
const SERVER_COMMANDS = new Set(['node', 'postgres', 'mapserv', 'nginx']);

/** CPU seconds (user+system) used so far per process of SERVER_COMMANDS, by pid (from /proc). */
function cpuByPid() {
  const out = new Map();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const st = procStat(pid);
    if (!st || !SERVER_COMMANDS.has(st.comm)) continue;
    // Node processes other than the gateway and its workers (WORKERS > 1) are not the server (this script).
    if (st.comm === 'node' && ![serverPid, bytesPid].some((p) => p !== 0 && (Number(pid) === p || st.ppid === p))) continue;
    out.set(pid, { comm: st.comm, s: st.s });
  }
  return out;
}
let serverPid = 0;
/** The bytes-from-memory server of the load section (bench/lib/bytesServer.mjs), 0 when not running. */
let bytesPid = 0;

const LOAD_TOOL = loadTool();

/**
 * Load at CONNS keep-alive connections for DURATION s. wrk (C, two threads) is the default: it is what
 * MapServer's own reference figures use, and a load generator in Node would take a core from the server.
 * Also returns the CPU time per request of the server side (every process but the load generator).
 */
async function load(url) {
  const before = cpuByPid();
  const r = await loadRun(url, { tool: LOAD_TOOL, connections: CONNS, duration: DURATION, timeoutS: 60 });
  // Per pid, so a backend that ends during the run only loses its own share.
  const cpu = {};
  for (const [pid, a] of cpuByPid()) {
    const d = a.s - (before.get(pid)?.s ?? 0);
    if (d > 0) cpu[a.comm] = (cpu[a.comm] ?? 0) + (d / Math.max(1, r.requests)) * 1000;
  }
  return { ...r, cpu };
}

async function peerUp() {
  try {
    return (await fetch(`${PEER}/sos?SERVICE=SOS&REQUEST=GetCapabilities&VERSION=1.0.0`)).ok;
  } catch {
    return false;
  }
}

const db = new Client({ connectionString: DB });
await db.connect();
const ds = await benchDataset(db);
const total = Number((await db.query('SELECT sum(obs_count)::bigint AS n FROM dataset')).rows[0].n);
const monthRows = Number((await db.query(`SELECT count(*)::int AS n FROM observation WHERE dataset_id = $1 AND time >= $2 AND time < $3`, [ds.id, ds.m0, ds.m1])).rows[0].n);
await db.end();
log(`dataset ${ds.code}: ${ds.obs_count} rows; month ${ds.m0}..${ds.m1}: ${monthRows} rows; network ${total} rows`);

const out = [];
out.push(`Dataset ${ds.code} (${Number(ds.obs_count).toLocaleString('en')} observations); month ${ds.m0} to ${ds.m1} (${monthRows} observations; half-open window, the SOS request uses ${ds.m0}/${ds.m1} minus one second). Medians of ${REPEAT} warm sequential requests (curl-like: full body read, discarded).`);
out.push('');

// ---------------------------------------------------------------- single requests vs the COPY floor
const end = new Date(Date.parse(ds.m1) - 1000).toISOString().replace('.000Z', 'Z');
const floorSql = (w) => `SELECT time, value, qc FROM observation WHERE dataset_id = ${ds.id}${w ? ` AND time >= '${ds.m0}' AND time <= '${end}'` : ''} ORDER BY time`;
const floorMonth = copyFloor(floorSql(true));
const floorFull = copyFloor(floorSql(false));
log(`COPY floor: month ${sec(floorMonth)}, full ${sec(floorFull)}`);

const FORMATS = [
  ['CSV', 'text/csv'],
  ['JSON', 'application/json'],
  ['O&M 2.0', 'http://www.opengis.net/om/2.0'],
  ['WaterML 2.0', 'http://www.opengis.net/waterml/2.0'],
];
const sosUrl = (fmt, month) =>
  `${BASE}/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${ds.code}&responseFormat=${encodeURIComponent(fmt)}` +
  (month ? `&temporalFilter=${encodeURIComponent(`om:phenomenonTime,${ds.m0}/${end}`)}` : '');

let server = await startServer();
out.push('| request | rows | ReefGate | bytes | COPY floor | ratio |');
out.push('|---|---:|---:|---:|---:|---:|');
const single = {};
for (const [name, fmt] of FORMATS) {
  for (const month of [true, false]) {
    const r = await timed(sosUrl(fmt, month));
    const floor = month ? floorMonth : floorFull;
    single[`${name}/${month}`] = r;
    log(`${name} ${month ? 'month' : 'full'}: ${sec(r.s)} ${mib(r.bytes)} (${(r.s / floor).toFixed(2)}x floor)`);
    out.push(`| ${name}, ${month ? 'one month' : 'full series'} | ${month ? monthRows : ds.obs_count} | ${sec(r.s)} | ${mib(r.bytes)} | ${sec(floor)} | ${(r.s / floor).toFixed(2)}x |`);
  }
}
const v10 = `${BASE}/sos?service=SOS&version=1.0.0&request=GetObservation&offering=${ds.code}&observedProperty=${encodeURIComponent(ds.uri)}&responseFormat=${encodeURIComponent('text/xml;subtype="om/1.0.0"')}`;
const v10Month = `${v10}&eventTime=${encodeURIComponent(`${ds.m0}/${end}`)}`;
for (const [label, url, floor, rows] of [
  ['SOS 1.0 om:Observation, one month', v10Month, floorMonth, monthRows],
  ['SOS 1.0 om:Observation, full series', v10, floorFull, ds.obs_count],
]) {
  const r = await timed(url);
  out.push(`| ${label} | ${rows} | ${sec(r.s)} | ${mib(r.bytes)} | ${sec(floor)} | ${(r.s / floor).toFixed(2)}x |`);
  log(`${label}: ${sec(r.s)}`);
}

// ---------------------------------------------------------------- MapServer single requests
const peer = await peerUp();
const evt = (a, b) => encodeURIComponent(`<gml:TimePeriod><gml:beginPosition>${a}</gml:beginPosition><gml:endPosition>${b}</gml:endPosition></gml:TimePeriod>`);
const peerBase = `${PEER}/sos?SERVICE=SOS&VERSION=1.0.0&REQUEST=GetObservation&OFFERING=${ds.station}&OBSERVEDPROPERTY=${ds.prop}&PROCEDURE=${ds.code}&RESPONSEFORMAT=${encodeURIComponent('text/xml; subtype="om/1.0.0"')}&RESULTMODEL=om:Observation`;
const peerMonth = `${peerBase}&EVENTTIME=${evt(ds.m0, ds.m1)}`;
// MapServer's default result model: one om:Measurement element per observation, the counterpart of O&M 2.0.
const peerMonthMeasurement = peerMonth.replace('&RESULTMODEL=om:Observation', '&RESULTMODEL=om:Measurement');
if (peer) {
  const mm = await timed(peerMonthMeasurement, 1);
  out.push(`| MapServer SOS 1.0 om:Measurement, one month (1 run) | ${monthRows} | ${sec(mm.s)} | ${mib(mm.bytes)} | ${sec(floorMonth)} | ${(mm.s / floorMonth).toFixed(2)}x |`);
  const m = await timed(peerMonth);
  const f = await timed(peerBase, 1);
  out.push(`| MapServer SOS 1.0 om:Observation, one month | ${monthRows} | ${sec(m.s)} | ${mib(m.bytes)} | ${sec(floorMonth)} | ${(m.s / floorMonth).toFixed(2)}x |`);
  out.push(`| MapServer SOS 1.0 om:Observation, full series (1 run) | ${ds.obs_count} | ${sec(f.s)} | ${mib(f.bytes)} | ${sec(floorFull)} | ${(f.s / floorFull).toFixed(2)}x |`);
  log(`MapServer month ${sec(m.s)}, full ${sec(f.s)}`);
} else {
  out.push('| MapServer peer | not running | | | | |');
}
out.push('');

// ---------------------------------------------------------------- load at 16 connections
const ROUNDS = Number(process.env.BENCH_LOAD_ROUNDS ?? 3);
out.push(`Load: ${LOAD_TOOL}${LOAD_TOOL === 'wrk' ? ' (2 threads)' : ''}, ${CONNS} connections, ${DURATION} s per run, keep-alive, loopback (the same 2-core machine runs client, server and PostgreSQL); the scenarios take turns, ${ROUNDS} rounds, medians. CPU per request: user+system time of the server's processes (node or mapserv/nginx, and PostgreSQL) over the run, divided by the requests served; then the load generator's own (GNU time), which grows with the bytes it reads.`);
out.push('');
const loads = [
  ['ReefGate SOS 2.0 CSV', sosUrl('text/csv', true)],
  ['ReefGate SOS 2.0 JSON', sosUrl('application/json', true)],
  ['ReefGate SOS 1.0 om:Observation', v10Month],
  ['ReefGate SOS 2.0 WaterML 2.0', sosUrl('http://www.opengis.net/waterml/2.0', true)],
  ['ReefGate SOS 2.0 O&M 2.0', sosUrl('http://www.opengis.net/om/2.0', true)],
];
// The ceiling of the largest answer: its bytes sent from memory by a server that does nothing else
// (BENCH_BYTES_FLOOR=0 leaves it out). What the gateway loses against it is its own work.
let bytesServer;
if (process.env.BENCH_BYTES_FLOOR !== '0') {
  const omUrl = sosUrl('http://www.opengis.net/om/2.0', true);
  const body = Buffer.from(await (await fetch(omUrl, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer());
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rg-bytes-')), 'om20-month.xml');
  fs.writeFileSync(file, body);
  const bytesPort = PORT + 1;
  // In a session of its own, like the gateway (when cpu cgroups are not available).
  bytesServer = spawn(process.execPath, [new URL('./lib/bytesServer.mjs', import.meta.url).pathname, file, String(bytesPort), 'application/xml; charset=utf-8'], { stdio: 'ignore', detached: true });
  bytesPid = bytesServer.pid;
  const bytesUrl = `http://127.0.0.1:${bytesPort}/`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(bytesUrl).then((r) => r.arrayBuffer().then(() => r.ok), () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  loads.push([`The O&M 2.0 answer's bytes from memory (${mib(body.length)}, no work)`, bytesUrl]);
}
const PEER_LABEL = 'MapServer SOS 1.0 om:Observation';
if (peer) loads.push([PEER_LABEL, peerMonth]);
// Each server gets one share of the cores, as one deployed service would (bench/lib/cpuGroups.mjs).
const cpuGroups = groups({
  gateway: processTree(server.pid),
  'bytes server': bytesPid ? processTree(bytesPid) : [],
  MapServer: peer ? pidsByCommand(['mapserv', 'nginx']) : [],
});
log(cpuGroups);
out.push(`CPU sharing: ${cpuGroups}.`);
out.push('');
// One pass of every scenario under load first, not counted. In three runs without it, the gateway's
// first scenarios read up to half their rate in the first round only (CSV 340-593 req/s, then 607-882;
// MapServer, warm from the single requests, did not): a warm-up (the pool's new PostgreSQL backends,
// code compiled for the loaded path) measured as if it were the server's rate.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
if (WARMUP > 0) {
  for (const [label, url] of loads) {
    const r = await loadRun(url, { tool: LOAD_TOOL, connections: CONNS, duration: WARMUP, timeoutS: 60 });
    log(`warm-up ${label}: ${r.rps.toFixed(0)} req/s`);
  }
  out.push(`Before the rounds, ${WARMUP} s of the same load per scenario, not counted.`);
  out.push('');
}
out.push('| one-month request | req/s | p50 | p99 | errors/non-2xx | CPU per request |');
out.push('|---|---:|---:|---:|---:|---|');
const runs = Object.fromEntries(loads.map(([l]) => [l, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [label, url] of loads) {
    const r = await load(url);
    runs[label].push(r);
    log(`round ${round + 1} ${label}: ${r.rps.toFixed(0)} req/s p99 ${r.p99} ms`);
  }
}
const rps = {};
for (const [label] of loads) {
  const rs = runs[label];
  rps[label] = median(rs.map((r) => r.rps));
  const mid = rs.find((r) => r.rps === rps[label]) ?? rs[0];
  const cpu = Object.entries(mid.cpu)
    .sort((a, b) => b[1] - a[1])
    .filter(([, ms]) => ms >= 0.01)
    .map(([c, ms]) => `${c} ${ms.toFixed(2)} ms`)
    .join(', ');
  const client = mid.clientMs === undefined ? '' : `; client (wrk) ${mid.clientMs.toFixed(2)} ms`;
  out.push(`| ${label} | ${rps[label].toFixed(0)} | ${mid.p50} ms | ${mid.p99} ms | ${rs.reduce((n, r) => n + r.bad, 0)} | ${cpu}${client} |`);
}
if (peer) {
  out.push('');
  // Also per round: the two runs of a round are a minute apart at most, so a slower spell of the host
  // weighs on both sides of the ratio rather than on one side's median.
  const perRound = (l) => runs[l].map((r, i) => r.rps / runs[PEER_LABEL][i].rps);
  for (const [l] of loads.slice(0, -1)) {
    const pr = perRound(l);
    out.push(
      `- ${l} / MapServer: ${(rps[l] / rps[PEER_LABEL]).toFixed(1)}x (runs: ${runs[l].map((r) => r.rps.toFixed(0)).join(', ')} vs ${runs[PEER_LABEL].map((r) => r.rps.toFixed(0)).join(', ')} req/s; ` +
        `per round ${pr.map((x) => x.toFixed(2)).join(', ')}, median ${median(pr).toFixed(2)}x, lowest ${Math.min(...pr).toFixed(2)}x)`,
    );
  }
  // Once, after the rounds: like for like with O&M 2.0 (an element per observation), for context; the
  // ratios above compare every format with MapServer's compact document, its fastest.
  const mm = await load(peerMonthMeasurement);
  log(`MapServer om:Measurement month: ${mm.rps.toFixed(1)} req/s`);
  out.push(`- MapServer SOS 1.0 om:Measurement (one element per observation, like O&M 2.0), one run: ${mm.rps.toFixed(1)} req/s, p50 ${mm.p50} ms, ${mm.bad} errors/non-2xx; ReefGate O&M 2.0 / that: ${(rps['ReefGate SOS 2.0 O&M 2.0'] / mm.rps).toFixed(0)}x`);
}
out.push('');
releaseGroups();
if (bytesServer) {
  bytesServer.kill('SIGTERM');
  bytesPid = 0;
}
await stopServer(server);

// ---------------------------------------------------------------- whole network, peak RSS
out.push(`Whole network (${total.toLocaleString('en')} observations) streamed by a freshly started server; peak RSS = VmHWM of the server process that streamed (the largest of the gateway and its workers).`);
out.push('');
out.push('| format | time | bytes | server peak RSS |');
out.push('|---|---:|---:|---:|');
for (const [name, fmt] of [['CSV', 'text/csv'], ['JSON', 'application/json']]) {
  server = await startServer();
  const r = await download(`${BASE}/sos?service=SOS&version=2.0.0&request=GetObservation&responseFormat=${encodeURIComponent(fmt)}`);
  const rss = peakRss(server.pid);
  out.push(`| ${name} | ${sec(r.s)} | ${mib(r.bytes)} | ${mib(rss)} |`);
  log(`network ${name}: ${sec(r.s)} ${mib(r.bytes)} peak RSS ${mib(rss)} (status ${r.status})`);
  await stopServer(server);
}
const floorNet = copyFloor('SELECT dataset_id, time, value, qc FROM observation ORDER BY dataset_id, time', 1);
out.push(`| COPY floor (same rows) | ${sec(floorNet)} | | |`);

console.log(out.join('\n'));
