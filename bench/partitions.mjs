#!/usr/bin/env node
// Time partitions benchmark (issue 16.4), read side: the same requests against a plain and a partitioned
// observation table holding the same rows, layouts taking turns (A/B/A/B...) so that the load of the shared
// machine falls on both alike. Run by bench/partitions.sh, which loads the two databases; alone:
//
//   npm run build
//   node bench/partitions.mjs postgres://root@127.0.0.1:5432/rg_part_7p postgres://root@127.0.0.1:5432/rg_part_7x
//
// Per layout and round: SOS GetObservation CSV of the largest dataset, one month (sequential latency, and
// throughput under wrk at BENCH_CONNS connections) and the full series (sequential latency), and WFS GetFeature
// reef:Observation GeoJSON pages of 1,000 at STARTINDEX 5,000,000 (and 50,000,000 when the set is that large).
// Each figure carries the load average when it was taken and the CPU per request of the gateway (node) and of
// its PostgreSQL backends (from /proc, backends found in pg_stat_activity by database name).
// Knobs: BENCH_ROUNDS (2), BENCH_REPEAT (7 sequential requests, median), BENCH_DURATION (8 s of wrk),
// BENCH_CONNS (4), BENCH_PORT (8290; the second layout uses the next port). Prints a markdown table.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, download, treeCpuSeconds } from './lib/script.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [PLAIN, PARTED] = process.argv.slice(2);
if (!PLAIN || !PARTED) {
  console.error('usage: partitions.mjs PLAIN_DATABASE_URL PARTITIONED_DATABASE_URL');
  process.exit(2);
}
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 7);
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNS = Number(process.env.BENCH_CONNS ?? 4);
const PORT = Number(process.env.BENCH_PORT ?? 8290);

const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load1 = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

/** Starts a gateway on one database; resolves once /readyz answers. */
async function startServer(db, port) {
  const child = spawn(process.execPath, ['--max-old-space-size=192', path.join(ROOT, 'dist/src/main.js'), 'serve'], {
    env: { ...process.env, DATABASE_URL: db, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', COMPRESSION: 'off' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`gateway on ${db} did not become ready`);
}



/** The server side of one layout: the gateway's pid and its database's backends. */
class Side {
  constructor(name, db, port) {
    Object.assign(this, { name, db, port, base: `http://127.0.0.1:${port}` });
  }
  async start() {
    this.child = await startServer(this.db, this.port);
    this.admin = new Client({ connectionString: this.db });
    await this.admin.connect();
  }
  async stop() {
    await this.admin.end();
    this.child.kill('SIGTERM');
    await new Promise((r) => this.child.once('exit', r));
  }
  /** CPU seconds so far of the gateway (primary and workers) and of each backend of its database, by pid. */
  async cpu() {
    const pids = (await this.admin.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows.map((r) => r.pid);
    return { node: treeCpuSeconds(this.child.pid), pg: new Map(pids.map((p) => [p, cpuSeconds(p)])) };
  }
  /** CPU ms per request between two cpu() readings. */
  async cpuSince(before, requests) {
    const now = await this.cpu();
    let pg = 0;
    for (const [pid, s] of now.pg) pg += s - (before.pg.get(pid) ?? s);
    return { node: ((now.node - before.node) / requests) * 1000, pg: (pg / requests) * 1000 };
  }
}


/** Median latency of REPEAT warm sequential requests, with CPU per request and the load when it started. */
async function sequential(side, url, n = REPEAT) {
  const w = await download(side.base + url); // warm
  if (w.status !== 200) throw new Error(`HTTP ${w.status} for ${url}`);
  const load = load1();
  const before = await side.cpu();
  const runs = [];
  for (let i = 0; i < n; i++) runs.push(await download(side.base + url));
  const cpu = await side.cpuSince(before, n);
  return { ms: median(runs.map((x) => x.s)) * 1000, bytes: runs[0].bytes, load, cpu };
}

/**
 * The statement under a series read, as PostgreSQL sees it: one 5,000-row batch of the dataset (the month,
 * or the first batch of the full series), EXPLAIN ANALYZE'd REPEAT * 3 times; median planning and execution
 * ms. Planning is where partitions cost: one index scan planned per year the statement may touch.
 */
async function sqlFloor(side, window) {
  const load = load1();
  const plan = [], exec = [];
  const cond = window ? ` AND o.time >= '${ds.m0}' AND o.time <= '${end}'` : '';
  for (let i = 0; i <= REPEAT * 3; i++) {
    const r = await side.admin.query(`EXPLAIN (ANALYZE, TIMING off) SELECT o.time, o.value, o.qc FROM observation o WHERE o.dataset_id = ${Number(ds.id)}${cond} ORDER BY o.time LIMIT 5000`);
    const text = r.rows.map((x) => x['QUERY PLAN']).join('\n');
    if (i === 0) continue; // warm
    plan.push(Number(/Planning Time: ([\d.]+)/.exec(text)[1]));
    exec.push(Number(/Execution Time: ([\d.]+)/.exec(text)[1]));
  }
  return { plan: median(plan), exec: median(exec), load };
}

/** Throughput under wrk (CONNS connections, DURATION s). */
async function throughput(side, url) {
  const load = load1();
  const before = await side.cpu();
  const p = spawnSync('wrk', ['-t1', `-c${CONNS}`, `-d${DURATION}s`, '--latency', '--timeout', '60s', side.base + url], { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`wrk failed: ${p.stderr}`);
  const o = p.stdout;
  const requests = Number(/(\d+) requests in/.exec(o)?.[1] ?? 0);
  const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(o)?.[1] ?? 0);
  if (bad) throw new Error(`${bad} non-2xx answers for ${url}`);
  const cpu = await side.cpuSince(before, Math.max(1, requests));
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(o)?.[1] ?? 0), requests, load, cpu };
}

// The dataset and month: the largest dataset, its month in the middle of the series; the same on both sides.
const c = new Client({ connectionString: PLAIN });
await c.connect();
const ds = (
  await c.query(
    `SELECT d.id, d.code, d.obs_count,
            to_char(date_trunc('month', (d.time_start + (d.time_end - d.time_start) / 2) AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS m0
       FROM dataset d ORDER BY d.obs_count DESC, d.code LIMIT 1`,
  )
).rows[0];
const total = Number((await c.query('SELECT sum(obs_count)::bigint AS n FROM dataset')).rows[0].n);
await c.end();
const m1 = new Date(Date.parse(ds.m0));
m1.setUTCMonth(m1.getUTCMonth() + 1);
const end = new Date(m1.getTime() - 1000).toISOString().replace('.000Z', 'Z');
const enc = encodeURIComponent;
const SOS = `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${enc(ds.code)}&responseFormat=text/csv`;
const urls = {
  month: `${SOS}&temporalFilter=${enc(`om:phenomenonTime,${ds.m0}/${end}`)}`,
  series: SOS,
  wfs5m: '/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=reef:Observation&startIndex=5000000&count=1000&outputFormat=application/geo%2Bjson',
  wfs50m: '/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=reef:Observation&startIndex=50000000&count=1000&outputFormat=application/geo%2Bjson',
};
log(`${total} observations; dataset ${ds.code} (${ds.obs_count}); month ${ds.m0}..${end}`);

const sides = [new Side('plain', PLAIN, PORT), new Side('partitioned', PARTED, PORT + 1)];
await Promise.all(sides.map((s) => s.start()));
const results = []; // { round, layout, what, ... }
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const side of round % 2 ? sides : [...sides].reverse()) {
      log(`round ${round}: ${side.name}`);
      for (const [what, w] of [['SQL one month (5,000-row batch)', true], ['SQL first 5,000-row batch of the series', false]]) {
        const f = await sqlFloor(side, w);
        results.push({ round, layout: side.name, what, sql: f, load: f.load });
      }
      results.push({ round, layout: side.name, what: 'SOS CSV one month, sequential', ...(await sequential(side, urls.month, REPEAT * 3)) });
      results.push({ round, layout: side.name, what: `SOS CSV one month, wrk ${CONNS} connections`, ...(await throughput(side, urls.month)) });
      results.push({ round, layout: side.name, what: 'SOS CSV full series, sequential', ...(await sequential(side, urls.series, Math.max(3, Math.ceil(REPEAT / 2)))) });
      results.push({ round, layout: side.name, what: 'WFS GeoJSON 1,000 at STARTINDEX 5,000,000', ...(await sequential(side, urls.wfs5m)) });
      if (total > 51_000_000) results.push({ round, layout: side.name, what: 'WFS GeoJSON 1,000 at STARTINDEX 50,000,000', ...(await sequential(side, urls.wfs50m)) });
    }
  }
} finally {
  await Promise.all(sides.map((s) => s.stop()));
}

const f = (x, d = 1) => x.toFixed(d);
console.log(`\n${total.toLocaleString('en')} observations; dataset ${ds.code} (${Number(ds.obs_count).toLocaleString('en')} rows), month ${ds.m0}..${end}\n`);
console.log('| request | round | layout | median latency / throughput | bytes | load (1 min) | CPU/request node + PostgreSQL |');
console.log('|---|---|---|---|---|---|---|');
for (const r of results) {
  if (r.sql) {
    console.log(`| ${r.what} | ${r.round} | ${r.layout} | planning ${f(r.sql.plan, 3)} ms + execution ${f(r.sql.exec, 3)} ms | | ${r.load} | |`);
    continue;
  }
  const fig = r.rps !== undefined ? `${f(r.rps)} req/s (${r.requests} requests)` : `${f(r.ms)} ms`;
  console.log(`| ${r.what} | ${r.round} | ${r.layout} | ${fig} | ${r.bytes ?? ''} | ${r.load} | ${f(r.cpu.node, 2)} + ${f(r.cpu.pg, 2)} ms |`);
}
