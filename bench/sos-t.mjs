#!/usr/bin/env node
// SOS-T write paths beside the CLI import, in one run, on the same PostgreSQL (scratch databases this
// script creates and drops; never rg_bench7m):
//  1. CLI `reefgate import DIR` into a fresh database: observations/s of the run;
//  2. InsertResult: stations and datasets imported by the CLI into another fresh database, one
//     InsertResultTemplate per dataset, then every observation as InsertResult blocks of 10,000, one
//     request after the other (sustained rate = observations / wall time of all requests);
//  3. InsertObservation, one observation per request, 16 connections: requests/s, p50/p99 latency.
//
//   node ../shared/data/generate.mjs --out /tmp/gen --stations 4 --years 1 --interval-min 10
//   npm run build && node bench/sos-t.mjs /tmp/gen [--requests 4000] [--server postgres://root@127.0.0.1:5432]
//     [--root DIR]          the build to measure (its bin/ and dist/; default this checkout), e.g. a worktree of main
//     [--no-cli]            skip step 1 (quicker iterations; no ratio then)
//     [--cpu-prof DIR]      the gateway writes a V8 CPU profile there at exit
// CPU per request or per 10,000 observations: user+system time (/proc/<pid>/stat) of the gateway and of
// the PostgreSQL backends connected to the bench database, over each step. Far steadier than rates on a
// shared, loaded machine; PostgreSQL's background processes (WAL writer, checkpointer) are not counted.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arg, cpuSeconds, ROOT as HERE, treeCpuSeconds } from './lib/script.mjs';
import { childEnv as env, freePort, pgServer } from './lib/gateway.mjs';

const ROOT = path.resolve(arg('root', HERE));
const BIN = path.join(ROOT, 'bin/reefgate.js');
const NO_CLI = process.argv.includes('--no-cli');
const CPU_PROF = arg('cpu-prof');
const DIR = process.argv[2];
if (!DIR || !fs.existsSync(path.join(DIR, 'observations.csv'))) {
  console.error('usage: node bench/sos-t.mjs DIR (with stations.csv, datasets.csv, observations.csv) [--requests N]');
  process.exit(2);
}
const SERVER = arg('server', 'postgres://root@127.0.0.1:5432');
const REQUESTS = Number(arg('requests', '4000'));
const CONNECTIONS = 16;
const BLOCK = 10_000;
const KEY = 'bench-sos-t-key-0123456789';
const NS = 'xmlns:sos="http://www.opengis.net/sos/2.0" xmlns:swes="http://www.opengis.net/swes/2.0" xmlns:swe="http://www.opengis.net/swe/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:om="http://www.opengis.net/om/2.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

const { psql, freshDb } = pgServer(SERVER);
const reefgate = (args, e) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], { env: e, cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`reefgate ${args.join(' ')}: ${r.stderr.slice(-2000)}`);
  return { wall: Number(process.hrtime.bigint() - t0) / 1e9, stderr: r.stderr };
};
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
/** CPU seconds so far of the gateway (with its workers) and of the database's backends (by pid: a backend gone meanwhile is missed). */
const cpuSnapshot = (db, gwPid) => {
  const backends = new Map(psql('postgres', `SELECT pid FROM pg_stat_activity WHERE datname = '${db}' AND pid <> pg_backend_pid()`).split('\n').filter(Boolean).map((p) => [p, cpuSeconds(p)]));
  return { node: treeCpuSeconds(gwPid), backends };
};
/** CPU seconds used between two snapshots: { node, pg }. */
const cpuDelta = (a, b) => {
  let pg = 0;
  for (const [pid, s] of b.backends) pg += s - (a.backends.get(pid) ?? 0);
  return { node: b.node - a.node, pg };
};
const loads = [];
const sampleLoad = () => loads.push(os.loadavg()[0]);

// Observations by dataset, in file order.
const byDataset = new Map();
for (const line of fs.readFileSync(path.join(DIR, 'observations.csv'), 'utf8').split('\n').slice(1)) {
  if (!line) continue;
  const [ds, time, value, qc] = line.split(',');
  if (!byDataset.has(ds)) byDataset.set(ds, []);
  byDataset.get(ds).push(`${time},${value},${qc}`);
}
const total = [...byDataset.values()].reduce((n, a) => n + a.length, 0);

// 1. CLI import.
sampleLoad();
let cliSecs = NaN;
if (!NO_CLI) {
const cliDb = `rg_sost_cli_${process.pid}`;
const cliEnv = env({ DATABASE_URL: freshDb(cliDb) });
reefgate(['migrate'], cliEnv);
const cli = reefgate(['import', DIR], cliEnv);
cliSecs = Number(/import done(?:, nothing changed)? in ([\d.]+) s/.exec(cli.stderr)?.[1]);
psql('postgres', `DROP DATABASE IF EXISTS ${cliDb} WITH (FORCE)`);
console.error(`CLI import: ${total} observations in ${cliSecs} s (wall ${cli.wall.toFixed(1)} s)`);
}

// 2 and 3: a gateway on a database holding the stations and datasets only.
const db = `rg_sost_${process.pid}`;
const url = freshDb(db);
const meta = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-sost-'));
for (const f of ['stations.csv', 'datasets.csv']) fs.copyFileSync(path.join(DIR, f), path.join(meta, f));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const gwEnv = env({ DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', API_KEYS: KEY, PG_POOL_MAX: String(CONNECTIONS + 4) });
reefgate(['migrate'], gwEnv);
reefgate(['import', meta], gwEnv);
const nodeFlags = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(CPU_PROF)] : [];
const gw = spawn(process.execPath, [...nodeFlags, path.join(ROOT, 'dist/src/main.js'), 'serve'], { env: gwEnv, cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
const post = async (xml) => {
  const r = await fetch(`${base}/sos`, { method: 'POST', headers: { 'content-type': 'application/xml', 'x-api-key': KEY }, body: xml });
  const body = await r.text();
  if (r.status !== 200) throw new Error(`${r.status}: ${body.slice(0, 500)}`);
  return body;
};
try {
  for (let i = 0; ; i++) {
    const r = await fetch(`${base}/readyz`).catch(() => undefined);
    if (r?.status === 200) break;
    if (i > 600 || gw.exitCode !== null) throw new Error('gateway not ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const datasets = psql(db, 'SELECT d.code FROM dataset d ORDER BY d.code').split('\n');
  for (const code of datasets) {
    await post(`<sos:InsertResultTemplate ${NS} service="SOS" version="2.0.0"><sos:proposedTemplate><sos:ResultTemplate><sos:offering>${code}</sos:offering>
      <sos:observationTemplate><om:OM_Observation gml:id="t"><om:phenomenonTime nilReason="template"/><om:resultTime nilReason="template"/><om:procedure nilReason="template"/><om:observedProperty nilReason="template"/><om:featureOfInterest nilReason="template"/><om:result/></om:OM_Observation></sos:observationTemplate>
      <sos:resultStructure><swe:DataRecord><swe:field name="time"><swe:Time definition="http://www.opengis.net/def/property/OGC/0/PhenomenonTime"><swe:uom xlink:href="http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"/></swe:Time></swe:field>
      <swe:field name="value"><swe:Quantity definition="x"/></swe:field><swe:field name="qc"><swe:Category definition="qc"/></swe:field></swe:DataRecord></sos:resultStructure>
      <sos:resultEncoding><swe:TextEncoding tokenSeparator="," blockSeparator="@@"/></sos:resultEncoding></sos:ResultTemplate></sos:proposedTemplate></sos:InsertResultTemplate>`);
  }
  sampleLoad();
  const c0 = cpuSnapshot(db, gw.pid);
  const t0 = process.hrtime.bigint();
  let blocks = 0;
  for (const [code, rows] of byDataset) {
    for (let i = 0; i < rows.length; i += BLOCK) {
      await post(`<sos:InsertResult ${NS} service="SOS" version="2.0.0"><sos:template>${code}/template</sos:template><sos:resultValues>${rows.slice(i, i + BLOCK).join('@@')}</sos:resultValues></sos:InsertResult>`);
      blocks++;
    }
  }
  const irWall = Number(process.hrtime.bigint() - t0) / 1e9;
  const irCpu = cpuDelta(c0, cpuSnapshot(db, gw.pid));
  const irRun = Number(psql(db, "SELECT sum(extract(epoch FROM finished_at - started_at)) FROM import_run WHERE source LIKE 'SOS InsertResult%'"));
  console.error(`InsertResult: ${total} observations in ${blocks} requests, ${irWall.toFixed(1)} s wall (runs ${irRun.toFixed(1)} s)`);
  sampleLoad();

  // 3. InsertObservation, one per request, new times after the data (2030 on), spread over the datasets.
  const latencies = [];
  let next = 0;
  const props = new Map(psql(db, 'SELECT d.code, op.uom FROM dataset d JOIN observed_property op ON op.id = d.property_id').split('\n').map((l) => l.split('|')));
  const one = (n) => {
    const code = datasets[n % datasets.length];
    const time = new Date(Date.UTC(2030, 0, 1) + Math.floor(n / datasets.length) * 60_000).toISOString();
    return `<sos:InsertObservation ${NS} service="SOS" version="2.0.0"><sos:offering>${code}</sos:offering><sos:observation><om:OM_Observation gml:id="o">
      <om:type xlink:href="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"/><om:phenomenonTime><gml:TimeInstant gml:id="t"><gml:timePosition>${time}</gml:timePosition></gml:TimeInstant></om:phenomenonTime>
      <om:resultTime xlink:href="#t"/><om:procedure nilReason="unknown"/><om:observedProperty nilReason="unknown"/><om:featureOfInterest nilReason="unknown"/>
      <om:result xsi:type="gml:MeasureType" uom="${props.get(code)}">${(n % 1000) / 10}</om:result></om:OM_Observation></sos:observation></sos:InsertObservation>`;
  };
  const c1 = cpuSnapshot(db, gw.pid);
  const t1 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      for (let n = next++; n < REQUESTS; n = next++) {
        const s = process.hrtime.bigint();
        await post(one(n));
        latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
    }),
  );
  const ioWall = Number(process.hrtime.bigint() - t1) / 1e9;
  const ioCpu = cpuDelta(c1, cpuSnapshot(db, gw.pid));
  sampleLoad();
  latencies.sort((a, b) => a - b);
  const stored = Number(psql(db, "SELECT count(*) FROM observation WHERE time >= '2030-01-01'"));
  const rate = (n, s) => Math.round(n / s).toLocaleString('en');
  console.log(`\n${DIR}: ${total.toLocaleString('en')} observations, ${datasets.length} datasets; ${os.cpus().length} cores; load average (1 min) ${loads.map((l) => l.toFixed(1)).join(' → ')}\n`);
  console.log('| path | figure |');
  console.log('|---|---|');
  // What that CPU allows when it is the limit, on an idle machine: concurrent requests keep every core
  // busy; requests one after another (InsertResult) keep one busy at a time, gateway and database taking turns.
  const cores = os.cpus().length;
  const per = (c, n, unit, items, what, serial = false) =>
    `CPU per ${unit}: node ${((c.node / n) * 1000).toFixed(2)} ms + PostgreSQL ${((c.pg / n) * 1000).toFixed(2)} ms (CPU-bound ${serial ? 'one request at a time' : `on ${cores} idle cores`}: ${rate((serial ? 1 : cores) * items, c.node + c.pg)} ${what})`;
  if (!NO_CLI) console.log(`| CLI import (run) | ${cliSecs.toFixed(1)} s, ${rate(total, cliSecs)} obs/s |`);
  console.log(`| InsertResult, blocks of ${BLOCK.toLocaleString('en')}, one after another (wall) | ${irWall.toFixed(1)} s, ${rate(total, irWall)} obs/s (runs alone: ${rate(total, irRun)} obs/s)${NO_CLI ? '' : `; CLI/InsertResult ${(irWall / cliSecs).toFixed(2)}×`}; ${per(irCpu, total / BLOCK, '10,000 obs', total, 'obs/s', true)} |`);
  console.log(`| InsertObservation, 1 per request, ${CONNECTIONS} connections | ${REQUESTS} requests in ${ioWall.toFixed(1)} s: ${rate(REQUESTS, ioWall)} req/s; p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms; ${stored} stored; ${per(ioCpu, REQUESTS, 'request', REQUESTS, 'req/s')} |`);
} finally {
  gw.kill('SIGTERM');
  await new Promise((r) => gw.once('exit', r));
  psql('postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  fs.rmSync(meta, { recursive: true, force: true });
}
