#!/usr/bin/env node
// OGC API – Features benchmark (issue 13): items pages of ReefGate's /ogcapi beside WFS 2.0 GetFeature
// GeoJSON for the same features (same counts, same offsets) on the same gateway, and beside MapServer's
// /ogcapi, in one run. The scenarios take turns (OAPIF, WFS, MapServer for each scenario; the order is
// reversed every other round) and the whole set is repeated, so the ratios compare runs made under the
// same machine load.
//
//   npm run build
//   # gateway on the 7.6M-observation set (docs/benchmarks.md, WFS section, for the import)
//   DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench7m PORT=18093 LOG_LEVEL=warn \
//     node --max-old-space-size=192 dist/src/main.js serve &
//   # MapServer peer (serves 127.0.0.1:8190): sudo ../shared/peers/mapserver/setup.sh /tmp/bench7m
//   REEFGATE_URL=http://127.0.0.1:18093 node bench/ogcapi.mjs [--duration 5] [--connections 16] [--rounds 3]
//
// Scenarios (limit/COUNT 1000 for observations):
//   stations        all 30 stations, GeoJSON
//   observations    first page; page at offset 5,000,000 (unfiltered: the WFS seek, docs/ogcapi.md Paging)
//   bbox            observations in a bbox (BENCH_BBOX, default 164,-23,169,-15: 12 stations, 3.8M rows):
//                   first page; the page ~2,000,000 rows deep as a client reaches it by following `next`
//                   (the link read once from the page before it carries after=<key>); beside it the same
//                   page by plain offset (what clients that build offsets send) and WFS STARTINDEX.
// A request slower than BENCH_SLOW_MS alone is timed sequentially (BENCH_SLOW_REPEAT requests, one at a
// time) instead of under load: 16 concurrent multi-second OFFSET scans would only measure the queue.
//
// Knobs (env, or the --flags above): REEFGATE_URL (http://127.0.0.1:18093), MAPSERVER_URL
// (http://127.0.0.1:8190; "none" to skip), BENCH_DURATION (5 s per load run), BENCH_CONNS (16),
// BENCH_ROUNDS (3), BENCH_LOAD (wrk when installed, else autocannon), BENCH_TIMEOUT (30 s per request),
// BENCH_DEEP (5000000), BENCH_FILTER_DEEP (2000000), BENCH_BBOX, BENCH_SLOW_MS (1000),
// BENCH_SLOW_REPEAT (3), BENCH_WARMUP (2: seconds of load per scenario before round 1, not counted; 0 = none),
// MAPSERVER_OBS_COLLECTION (an observations collection on the peer, if it has one),
// PG_URL (postgres://root@127.0.0.1:5432/postgres, to find the servers' backends), REEFGATE_DB (rg_bench7m),
// MAPSERVER_DB (peer_reef).
// Prints a markdown table (medians over the rounds: req/s, p50/p99 ms, bytes per response, server CPU per
// request), the load average per round, and the ratios OAPIF/WFS, deep/first page and OAPIF/MapServer.
// CPU per request (user+system, over the run, divided by the responses) counts the server's own processes
// (those listening on its port with their descendants — the gateway's cluster workers — and mapserv) and
// its PostgreSQL backends (those of its own connections, found by client port; a server connected
// through a Unix socket: every backend of its database): on a machine shared with other jobs it moves
// much less than req/s, which follows whatever else runs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { arg, loadavg, logger, median, pidsByCommand, processTree, procStat, serverPids } from './lib/script.mjs';
import { loadRun, loadTool } from './lib/loadRun.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

/** --name on the command line, else the environment variable env, else def. */
const opt = (name, env, def) => arg(name, process.env[env] ?? def);
const DURATION = Number(opt('duration', 'BENCH_DURATION', '5'));
const CONNS = Number(opt('connections', 'BENCH_CONNS', '16'));
const ROUNDS = Number(opt('rounds', 'BENCH_ROUNDS', '3'));
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT ?? 30);
const SLOW_MS = Number(process.env.BENCH_SLOW_MS ?? 1000);
const SLOW_REPEAT = Number(process.env.BENCH_SLOW_REPEAT ?? 3);
const DEEP = Number(process.env.BENCH_DEEP ?? 5_000_000);
const FDEEP = Number(process.env.BENCH_FILTER_DEEP ?? 2_000_000);
const BBOX = process.env.BENCH_BBOX ?? '164,-23,169,-15';
const RG = process.env.REEFGATE_URL ?? 'http://127.0.0.1:18093';
const MS = process.env.MAPSERVER_URL ?? 'http://127.0.0.1:8190';
const LOAD_TOOL = loadTool();

const log = logger('ogcapi');
const n = (x) => x.toLocaleString('en');
const fix = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');

const OAPIF = (coll, qs) => `${RG}/ogcapi/collections/${coll}/items?${qs}`;
const WFS = (type, qs) => `${RG}/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=reef:${type}&OUTPUTFORMAT=application/geo%2Bjson&${qs}`;
const WFS_BBOX = `BBOX=${BBOX},urn:ogc:def:crs:OGC:1.3:CRS84`;

/** Fetches a URL whole, with the per-request timeout; returns status, body text and milliseconds. */
async function get(url) {
  const t0 = performance.now();
  const r = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_S * 1000), headers: { Accept: 'application/geo+json, application/json' } });
  const body = await r.text();
  return { status: r.status, body, ms: performance.now() - t0, bytes: Buffer.byteLength(body) };
}

/** Feature ids of a GeoJSON page without the WFS `Type.` prefix, so OAPIF and WFS pages compare. */
function ids(doc) {
  return (doc.features ?? []).map((f) => String(f.id ?? f.properties?.gid ?? '').replace(/^(Observation|Station)\./, ''));
}

/**
 * One request checked before it is measured: status 200, the expected number of features (so an error
 * document never counts as a result). Returns the parsed document too, for id comparisons and links.
 */
async function check(url, expected) {
  const r = await get(url);
  let doc;
  try {
    doc = JSON.parse(r.body);
  } catch {
    throw new Error(`not JSON (${r.status}) from ${url}: ${r.body.slice(0, 200)}`);
  }
  if (r.status !== 200 || doc.features?.length !== expected) throw new Error(`unexpected answer (${r.status}, ${doc.features?.length} features, want ${expected}) from ${url}: ${r.body.slice(0, 200)}`);
  return { ...r, doc };
}

// ---------------------------------------------------------------- CPU of each server
const pg = new Client({ connectionString: process.env.PG_URL ?? 'postgres://root@127.0.0.1:5432/postgres' });
const pgUp = await pg.connect().then(() => true, (e) => (log(`no PostgreSQL for backend CPU: ${e.message}`), false));
const DBS = { ReefGate: process.env.REEFGATE_DB ?? 'rg_bench7m', MapServer: process.env.MAPSERVER_DB ?? 'peer_reef' };

const portOf = (url) => new URL(url).port || '80';
/** Each server's processes (the listener and its descendants; MapServer's FastCGI processes are not under nginx). */
const serverPidsOf = { ReefGate: serverPids(portOf(RG)), MapServer: MS === 'none' ? [] : [...new Set([...serverPids(portOf(MS)), ...pidsByCommand(['mapserv']).flatMap(processTree)])] };

/** Local ports of the TCP connections of these pids to PostgreSQL (ss -tnp): their backends' client_port. */
function pgClientPorts(pids) {
  const ours = new Set(pids);
  const out = spawnSync('ss', ['-tnpH', `( dport = :${new URL(process.env.PG_URL ?? 'postgres://127.0.0.1:5432').port || 5432} )`], { encoding: 'utf8' }).stdout ?? '';
  return [...out.matchAll(/:(\d+)\s+\S+\s+users:\(\("[^"]*",pid=(\d+)/g)].filter((m) => ours.has(Number(m[2]))).map((m) => Number(m[1]));
}

/**
 * CPU seconds by pid of one server: its processes and its backends (as they are now). Other clients of
 * the same database (other gateways on a shared machine) are left out when the server's connections
 * are TCP ones.
 */
async function cpuOf(server) {
  const pids = [...serverPidsOf[server]];
  if (pgUp) {
    const ports = pgClientPorts(serverPidsOf[server]);
    const sql = ports.length ? 'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND client_port = ANY($2::int[])' : 'SELECT pid FROM pg_stat_activity WHERE datname = $1';
    pids.push(...(await pg.query(sql, ports.length ? [DBS[server], ports] : [DBS[server]])).rows.map((r) => r.pid));
  }
  return new Map(pids.map((pid) => [pid, procStat(pid)?.s]).filter(([, v]) => v !== undefined));
}

/** Runs fn and returns its result with the server's CPU milliseconds per response (backends born during the run count whole). */
async function withCpu(server, fn) {
  const before = await cpuOf(server);
  const r = await fn();
  const after = await cpuOf(server);
  let s = 0;
  for (const [pid, t] of after) s += t - (before.get(pid) ?? 0);
  return { ...r, cpu: r.requests > 0 ? (s * 1000) / r.requests : NaN };
}

/** CONNS keep-alive connections for DURATION s (wrk, 2 threads, or autocannon). */
async function load(url) {
  return { ...(await loadRun(url, { tool: LOAD_TOOL, connections: CONNS, duration: DURATION, timeoutS: TIMEOUT_S })), mode: 'load' };
}

/** SLOW_REPEAT requests one after the other: req/s = 1 / mean time, p50 the median, p99 the slowest. */
async function sequential(url, expected) {
  const ms = [];
  let bad = 0;
  for (let i = 0; i < SLOW_REPEAT; i++) {
    try {
      ms.push((await check(url, expected)).ms);
    } catch {
      bad++;
    }
  }
  const mean = ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length);
  return { rps: ms.length ? 1000 / mean : 0, p50: median(ms), p99: Math.max(...ms), bad, requests: ms.length, mode: 'seq' };
}

// ---------------------------------------------------------------- the scenarios, checked once
const mapserverUp = MS !== 'none' && (await get(`${MS}/ogcapi/collections?f=json`).then((r) => r.status === 200 && r.body, () => false));
const msCollections = mapserverUp ? JSON.parse(mapserverUp).collections.map((c) => c.id) : [];
const msObs = process.env.MAPSERVER_OBS_COLLECTION ?? msCollections.find((id) => /obs/i.test(id));
const MSI = (coll, qs) => `${MS}/ogcapi/collections/${coll}/items?f=json&${qs}`;

/** [scenario, server, url, features expected] — the order within a scenario is the turn order. */
const plan = [
  ['all 30 stations', 'OAPIF', OAPIF('stations', 'limit=1000'), 30],
  ['all 30 stations', 'WFS', WFS('Station', 'COUNT=1000'), 30],
  ['all 30 stations', 'MapServer', MSI('stations', 'limit=1000'), 30],
  ['observations, first page', 'OAPIF', OAPIF('observations', 'limit=1000'), 1000],
  ['observations, first page', 'WFS', WFS('Observation', 'COUNT=1000&STARTINDEX=0'), 1000],
  [`observations, offset ${n(DEEP)}`, 'OAPIF', OAPIF('observations', `limit=1000&offset=${DEEP}`), 1000],
  [`observations, offset ${n(DEEP)}`, 'WFS', WFS('Observation', `COUNT=1000&STARTINDEX=${DEEP}`), 1000],
  ['bbox observations, first page', 'OAPIF', OAPIF('observations', `limit=1000&bbox=${BBOX}`), 1000],
  ['bbox observations, first page', 'WFS', WFS('Observation', `COUNT=1000&STARTINDEX=0&${WFS_BBOX}`), 1000],
  // The OAPIF `next` URL of this scenario is filled in below from the page before it.
  [`bbox observations, ${n(FDEEP)} deep`, 'OAPIF next (after=)', null, 1000],
  [`bbox observations, ${n(FDEEP)} deep`, 'OAPIF offset', OAPIF('observations', `limit=1000&bbox=${BBOX}&offset=${FDEEP}`), 1000],
  [`bbox observations, ${n(FDEEP)} deep`, 'WFS', WFS('Observation', `COUNT=1000&STARTINDEX=${FDEEP}&${WFS_BBOX}`), 1000],
];
if (msObs) {
  plan.splice(5, 0, ['observations, first page', 'MapServer', MSI(msObs, 'limit=1000'), 1000]);
  plan.splice(8, 0, [`observations, offset ${n(DEEP)}`, 'MapServer', MSI(msObs, `limit=1000&offset=${DEEP}`), 1000]);
}

// The deep keyset page as a client reaches it: the `next` link of the page that ends at FDEEP.
{
  const before = await check(OAPIF('observations', `limit=1000&bbox=${BBOX}&offset=${FDEEP - 1000}`), 1000);
  const next = before.doc.links.find((l) => l.rel === 'next')?.href;
  if (!next || !/after=/.test(next)) throw new Error(`no keyset next link on the page before ${FDEEP}: ${next}`);
  plan.find((p) => p[1] === 'OAPIF next (after=)')[2] = next.replace(/^https?:\/\/[^/]+/, RG);
  log(`deep bbox page by next link: ${next}`);
}

const cells = [];
const checked = new Map();
for (const [scenario, server, url, expected] of plan) {
  if (server === 'MapServer' && !mapserverUp) continue;
  try {
    const r = await check(url, expected);
    checked.set(`${scenario}|${server}`, r);
    cells.push({ scenario, server, url, expected, bytes: r.bytes, slow: r.ms > SLOW_MS, runs: [] });
    log(`checked ${server} / ${scenario}: ${n(r.bytes)} bytes, ${r.ms.toFixed(0)} ms alone`);
  } catch (e) {
    log(`skip ${server} / ${scenario}: ${e.message}`);
  }
}
// Same features on both sides: the OAPIF and WFS pages of a scenario hold the same ids in the same order.
const sameIds = [];
for (const scenario of new Set(cells.map((c) => c.scenario))) {
  const o = checked.get(`${scenario}|OAPIF`) ?? checked.get(`${scenario}|OAPIF next (after=)`);
  const w = checked.get(`${scenario}|WFS`);
  if (!o || !w) continue;
  const same = JSON.stringify(ids(o.doc)) === JSON.stringify(ids(w.doc));
  sameIds.push(`${scenario}: ${same ? 'same' : 'DIFFERENT'} feature ids`);
  if (!same) log(`WARNING ${scenario}: OAPIF and WFS pages differ (${ids(o.doc)[0]} vs ${ids(w.doc)[0]})`);
}

// ---------------------------------------------------------------- rounds
// A warm-up run per scenario first, not counted: in round 1 the first server of each scenario otherwise
// pays for the V8 optimisation of its request path and the backends' first plans of its statements.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
if (WARMUP > 0) {
  for (const c of cells.filter((x) => !x.slow)) await loadRun(c.url, { tool: LOAD_TOOL, connections: CONNS, duration: WARMUP, timeoutS: TIMEOUT_S });
  log(`warm-up: ${WARMUP} s of load per scenario (not counted)`);
}
const loads = [];
for (let round = 0; round < ROUNDS; round++) {
  const la0 = loadavg();
  for (const scenario of new Set(cells.map((c) => c.scenario))) {
    const turn = cells.filter((c) => c.scenario === scenario);
    if (round % 2) turn.reverse();
    for (const c of turn) {
      const r = await withCpu(c.server === 'MapServer' ? 'MapServer' : 'ReefGate', () => (c.slow ? sequential(c.url, c.expected) : load(c.url)));
      c.runs.push(r);
      log(`round ${round + 1} ${c.server} / ${scenario}: ${r.rps.toFixed(1)} req/s, p50 ${fix(r.p50, 1)} ms, p99 ${fix(r.p99, 1)} ms, CPU ${fix(r.cpu, 2)} ms/req${r.bad ? `, ${r.bad} errors` : ''}${r.mode === 'seq' ? ' (sequential)' : ''}`);
    }
  }
  loads.push(`round ${round + 1}: ${la0} → ${loadavg()}`);
}

// ---------------------------------------------------------------- report
const med = (c, k) => median(c.runs.map((r) => r[k]));
const cell = (scenario, server) => cells.find((c) => c.scenario === scenario && c.server === server);
const out = [];
out.push(`${LOAD_TOOL}${LOAD_TOOL === 'wrk' ? ' (2 threads)' : ''}, ${CONNS} connections, ${DURATION} s per run, ${ROUNDS} rounds (medians), ${new Date().toISOString().slice(0, 16)}Z, ${fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm).length} cores; load average (1/5/15 min) at start → end of each round: ${loads.join('; ')}.`);
out.push('');
out.push('| scenario | server | req/s | p50 ms | p99 ms | CPU ms/req | bytes/response | errors |');
out.push('|---|---|---:|---:|---:|---:|---:|---:|');
for (const c of cells) {
  const seq = c.slow ? ` (sequential, ${SLOW_REPEAT}×)` : '';
  out.push(`| ${c.scenario} | ${c.server}${seq} | ${fix(med(c, 'rps'), med(c, 'rps') < 10 ? 2 : 0)} | ${fix(med(c, 'p50'), 1)} | ${fix(med(c, 'p99'), 1)} | ${fix(med(c, 'cpu'), 2)} | ${n(c.bytes)} | ${c.runs.reduce((k, r) => k + r.bad, 0)} |`);
}
out.push('');
/** Ratio of two cells' throughput: median of the per-round ratios, and the per-round values. */
/** Median and per-round values of a per-round ratio of two cells (`k`: rps, p50 or cpu). */
const per = (a, b, k) => {
  const rs = a.runs.map((r, i) => r[k] / b.runs[i][k]);
  const f = (x) => (x < 0.1 ? x.toPrecision(2) : x.toFixed(2));
  return `${f(median(rs))}× (rounds ${rs.map(f).join(', ')})`;
};
const mode = (c) => (c.slow ? ' [sequential]' : '');
out.push('OAPIF / WFS GeoJSON, same features (acceptance: throughput ≥ 1):');
for (const scenario of new Set(cells.map((c) => c.scenario))) {
  const w = cell(scenario, 'WFS');
  for (const server of ['OAPIF', 'OAPIF offset', 'OAPIF next (after=)']) {
    const o = cell(scenario, server);
    if (!o || !w) continue;
    const how = server === 'OAPIF' ? '' : server === 'OAPIF offset' ? ' (both by offset)' : ' (OAPIF by its next link, WFS by STARTINDEX: what each client sends)';
    out.push(`- ${scenario}${how}: throughput ${per(o, w, 'rps')}, CPU per request ${per(o, w, 'cpu')}${mode(o)}${mode(w)}`);
  }
}
out.push('');
out.push('Deep page / first page (acceptance: within 1.5×):');
const pairs = [
  ['observations, first page', `observations, offset ${n(DEEP)}`],
  ['bbox observations, first page', `bbox observations, ${n(FDEEP)} deep`],
];
for (const [first, deep] of pairs) {
  for (const [sf, sd] of [['OAPIF', 'OAPIF'], ['OAPIF', 'OAPIF next (after=)'], ['OAPIF', 'OAPIF offset'], ['WFS', 'WFS']]) {
    const a = cell(first, sf);
    const b = cell(deep, sd);
    if (a && b) out.push(`- ${deep}, ${sd}: p50 latency ${per(b, a, 'p50')}, CPU per request ${per(b, a, 'cpu')}, throughput ${per(b, a, 'rps')}${mode(b)}`);
  }
}
out.push('');
out.push('OAPIF / MapServer /ogcapi:');
for (const scenario of new Set(cells.map((c) => c.scenario))) {
  const o = cell(scenario, 'OAPIF');
  const m = cell(scenario, 'MapServer');
  if (o && m) out.push(`- ${scenario}: throughput ${per(o, m, 'rps')}, CPU per request ${per(o, m, 'cpu')}`);
}
if (mapserverUp && !msObs) out.push(`- MapServer's /ogcapi publishes ${msCollections.join(', ')} only: no observations collection to compare.`);
out.push(...sameIds.map((s) => `- ${s} (OAPIF vs WFS)`));
console.log(`\n${out.join('\n')}`);
if (pgUp) await pg.end();
