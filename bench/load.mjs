#!/usr/bin/env node
// Load test: mixed WFS and SOS traffic against one gateway on the 7.6M-observation set, on loopback.
// Bounded: 60 s, 64 connections by default. Zero errors expected (no timeouts, no non-2xx: the mix
// stays inside MAX_HEAVY_REQUESTS + HEAVY_QUEUE_SIZE). Reports req/s, p50/p99 per run and the
// gateway's RSS and heap (from its own /metrics) before, during and after.
//
//   createdb rg_bench_load && DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench_load node dist/src/main.js import /tmp/bench7m
//   npm run build && DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench_load node --experimental-websocket bench/load.mjs [--duration 60] [--connections 64]
//
// Embedded store: `--embedded` starts the gateway exactly as `npm start` does (the command of
// package.json's "start" script, DATABASE_URL removed from its environment) on a fresh DATA_DIR under
// /tmp, so it serves the demo network (190,923 observations, 2024). Offsets and time windows follow
// the data's extent (read from the gateway), so the same mix fits both data sets.
//
//   npm run build && npm run pglite-template && node --experimental-websocket bench/load.mjs --embedded
//
// Besides /metrics, VmRSS and VmHWM (peak RSS) are read from /proc/<gateway pid>/status every 5 s.
//
// Memory is read after a full garbage collection, triggered through the gateway's inspector
// (HeapProfiler.collectGarbage over the DevTools protocol; hence --experimental-websocket on Node 20),
// so heap figures are live objects, not garbage waiting for the next GC.
//
// The script starts the gateway itself (GATEWAY_CMD, default "node dist/src/main.js serve") on PORT
// (default 18095) with LOG_LEVEL=warn, waits for /readyz, checks every scenario once (status 200 and
// a body that is the expected document, never an ExceptionReport), warms up, then runs autocannon.
// Results: a markdown summary on stdout and JSON in bench/results/load-<timestamp>.json.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { arg, ROOT } from './lib/script.mjs';
import { waitReady } from './lib/gateway.mjs';

const DURATION = Number(arg('duration', '60'));
const CONNECTIONS = Number(arg('connections', '64'));
const PORT = Number(process.env.PORT ?? '18095');
const BASE = `http://127.0.0.1:${PORT}`;
const SEED = Number(arg('seed', '7'));
const INSPECT_PORT = Number(process.env.INSPECT_PORT ?? '19229');
const EMBEDDED = process.argv.includes('--embedded');
if (typeof WebSocket === 'undefined') {
  console.error('run with node --experimental-websocket (Node 20) so memory can be read after a forced GC');
  process.exit(2);
}
if (!EMBEDDED && !process.env.DATABASE_URL) {
  console.error('DATABASE_URL must point at a database with the 7.6M set imported (see the header of this file)');
  process.exit(2);
}

// Deterministic pseudo-random choices so two runs send the same mix.
let state = SEED;
const rnd = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (a) => a[Math.floor(rnd() * a.length)];

/** `npm start` without npm: package.json's start script, so the embedded run uses its exact flags. */
function npmStartCommand() {
  const start = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start;
  if (/[;&|$<>'"]/.test(start)) throw new Error(`cannot run the start script without a shell: ${start}`);
  return start;
}

// A fresh embedded database per run: a first start from the PostGIS template plus the demo import.
const DATA_DIR = EMBEDDED ? fs.mkdtempSync('/tmp/reefgate-load-') : undefined;

async function startGateway() {
  const cmd = (process.env.GATEWAY_CMD ?? (EMBEDDED ? npmStartCommand() : 'node dist/src/main.js serve')).split(' ');
  if (path.basename(cmd[0]) === 'node') cmd.splice(1, 0, `--inspect=127.0.0.1:${INSPECT_PORT}`);
  // One process unless WORKERS says otherwise: memory is read from this pid (/proc, its inspector).
  const env = { LOG_LEVEL: 'warn', WORKERS: '1', ...process.env, PORT: String(PORT), HOST: '127.0.0.1' };
  if (EMBEDDED) {
    delete env.DATABASE_URL;
    env.DATA_DIR = DATA_DIR;
  }
  console.error(`gateway: ${cmd.join(' ')}${EMBEDDED ? ` (embedded, DATA_DIR=${DATA_DIR})` : ''}`);
  const child = spawn(cmd[0], cmd.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  // A first embedded start creates the database and imports the demo data: allow for a loaded machine.
  await waitReady(BASE, child, { timeoutMs: EMBEDDED ? 300_000 : 60_000, everyMs: 250 });
  return child;
}

/** Full GC in the gateway through its inspector (DevTools protocol). */
async function collectGarbage() {
  const [target] = await (await fetch(`http://127.0.0.1:${INSPECT_PORT}/json/list`)).json();
  await new Promise((resolve, reject) => {
    const ws = new WebSocket(target.webSocketDebuggerUrl);
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    ws.onmessage = (ev) => {
      if (JSON.parse(String(ev.data)).id === 1) {
        ws.close();
        resolve();
      }
    };
    ws.onerror = (e) => reject(new Error(`inspector: ${e.message ?? e.type}`));
  });
}

/** RSS and heap of the gateway process after a full GC, from its own Prometheus endpoint. */
async function memory() {
  await collectGarbage();
  return rawMemory();
}

/** RSS and heap as they are (no GC), for sampling during a run. */
async function rawMemory() {
  const text = await (await fetch(`${BASE}/metrics`)).text();
  const v = (name) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  // External = ArrayBuffers and other memory V8 does not manage: PGlite's WebAssembly memory is one.
  return {
    rssMB: +(v('process_resident_memory_bytes') / 1048576).toFixed(1),
    heapUsedMB: +(v('nodejs_heap_size_used_bytes') / 1048576).toFixed(1),
    externalMB: +(v('nodejs_external_memory_bytes') / 1048576).toFixed(1),
    // Embedded store only (NaN on PostgreSQL): PGlite's WebAssembly memory, included in RSS.
    wasmMB: +(v('reefgate_pglite_wasm_memory_bytes') / 1048576).toFixed(1),
  };
}

/** VmRSS and VmHWM (the kernel's peak RSS) of the gateway process, in MiB. */
function procMemory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { vmRssMiB: +(kb('VmRSS') / 1024).toFixed(1), vmHwmMiB: +(kb('VmHWM') / 1024).toFixed(1) };
}

async function catalogue() {
  const caps = await (await fetch(`${BASE}/sos?service=SOS&request=GetCapabilities&acceptversions=2.0.0`)).text();
  const offerings = [...caps.matchAll(/<sos:ObservationOffering>[\s\S]*?<swes:identifier>([^<]+)<\/swes:identifier>[\s\S]*?<swes:procedure>([^<]+)<\/swes:procedure>/g)].map((m) => ({ id: m[1], procedure: m[2] }));
  if (offerings.length < 10) throw new Error(`expected the benchmark offerings, found ${offerings.length}`);
  const times = (tag) => [...caps.matchAll(new RegExp(`<gml:${tag}>([^<]+)<`, 'g'))].map((m) => Date.parse(m[1])).filter(Number.isFinite);
  const hits = async (type) => {
    const xml = await (await fetch(`${BASE}/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=${type}&RESULTTYPE=hits`)).text();
    return Number(/numberMatched="(\d+)"/.exec(xml)?.[1] ?? NaN);
  };
  return { offerings, begin: Math.min(...times('beginPosition')), end: Math.max(...times('endPosition')), observations: await hits('reef:Observation'), stations: await hits('reef:Station') };
}

let extent; // set from the catalogue before the scenarios run

/**
 * A random whole-day window: inside 2017-2024 on the 7.6M set (every dataset covers most of it; the
 * figures in docs/benchmarks.md were taken with these windows), inside the data's own extent otherwise.
 */
function window(days) {
  const from = Math.max(Date.UTC(2017, 0, 1), Math.floor(extent.begin / 86_400_000) * 86_400_000);
  const span = Math.min(2500, Math.floor((extent.end - from) / 86_400_000) - days);
  const start = from + Math.floor(rnd() * Math.max(1, span)) * 86_400_000;
  return [new Date(start).toISOString().replace('.000', ''), new Date(start + days * 86_400_000).toISOString().replace('.000', '')];
}

function scenarios({ offerings }) {
  const W = '/wfs?SERVICE=WFS&VERSION=2.0.0';
  const S = '/sos?service=SOS&version=2.0.0';
  const enc = encodeURIComponent;
  const tf = (days) => {
    const [a, b] = window(days);
    return `temporalFilter=${enc(`om:phenomenonTime,${a}/${b}`)}`;
  };
  // [name, weight, path generator, body check]
  return [
    ['WFS GetCapabilities', 1, () => `${W}&REQUEST=GetCapabilities`, /<wfs:WFS_Capabilities/],
    ['WFS DescribeFeatureType', 1, () => `${W}&REQUEST=DescribeFeatureType&TYPENAMES=reef:Observation`, /<xs:schema/],
    [`WFS GetFeature ${extent.stations} stations (GML)`, 2, () => `${W}&REQUEST=GetFeature&TYPENAMES=reef:Station`, new RegExp(`numberReturned="${extent.stations}"`)],
    ['WFS GetFeature 100 observations at a random offset', 2, () => `${W}&REQUEST=GetFeature&TYPENAMES=reef:Observation&COUNT=100&STARTINDEX=${Math.floor(rnd() * Math.min(7_500_000, extent.observations - 100))}`, /numberReturned="100"/],
    [
      'WFS GetFeature one dataset, one day (FES filter, GeoJSON)',
      2,
      () => {
        const [a, b] = window(1);
        const f = `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:And><fes:PropertyIsEqualTo><fes:ValueReference>datasetId</fes:ValueReference><fes:Literal>${pick(offerings).id}</fes:Literal></fes:PropertyIsEqualTo><fes:PropertyIsBetween><fes:ValueReference>time</fes:ValueReference><fes:LowerBoundary><fes:Literal>${a}</fes:Literal></fes:LowerBoundary><fes:UpperBoundary><fes:Literal>${b}</fes:Literal></fes:UpperBoundary></fes:PropertyIsBetween></fes:And></fes:Filter>`;
        return `${W}&REQUEST=GetFeature&TYPENAMES=reef:Observation&COUNT=500&OUTPUTFORMAT=${enc('application/geo+json')}&FILTER=${enc(f)}`;
      },
      /"type":\s*"FeatureCollection"/,
    ],
    ['WFS GetFeature datasets, hits', 1, () => `${W}&REQUEST=GetFeature&TYPENAMES=reef:Dataset&RESULTTYPE=hits`, /numberMatched="\d+"/],
    ['SOS GetCapabilities', 1, () => `/sos?service=SOS&request=GetCapabilities&acceptVersions=2.0.0`, /<sos:Capabilities/],
    ['SOS GetObservation O&M, one day', 3, () => `${S}&request=GetObservation&offering=${enc(pick(offerings).id)}&${tf(1)}`, /<sos:GetObservationResponse/],
    ['SOS GetObservation WaterML 2.0, one week', 2, () => `${S}&request=GetObservation&offering=${enc(pick(offerings).id)}&${tf(7)}&responseFormat=${enc('http://www.opengis.net/waterml/2.0')}`, /<sos:GetObservationResponse/],
    ['SOS GetObservation CSV, one month', 2, () => `${S}&request=GetObservation&offering=${enc(pick(offerings).id)}&${tf(30)}&responseFormat=text/csv`, /^[^<]*\n/],
    ['SOS GetObservation latest, all offerings', 1, () => `${S}&request=GetObservation&temporalFilter=${enc('om:phenomenonTime,latest')}`, /<sos:GetObservationResponse/],
    ['SOS DescribeSensor', 1, () => `${S}&request=DescribeSensor&procedure=${enc(pick(offerings).procedure)}&procedureDescriptionFormat=${enc('http://www.opengis.net/sensorml/2.0')}`, /PhysicalSystem|PhysicalComponent|SensorML/],
    ['SOS GetFeatureOfInterest', 1, () => `${S}&request=GetFeatureOfInterest`, /<sos:GetFeatureOfInterestResponse/],
  ];
}

function runLoad(paths, duration, connections) {
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: BASE,
        connections,
        duration,
        timeout: 30,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths() }) }],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    process.once('SIGINT', () => inst.stop());
  });
}

const gateway = await startGateway();
// The kernel's view of the gateway's memory over the whole run (JS heap limits do not bound it).
const procSamples = [];
const sampleProc = () => {
  try {
    procSamples.push({ t: Date.now(), ...procMemory(gateway.pid) });
  } catch {
    /* exited */
  }
};
sampleProc();
const procSampler = setInterval(sampleProc, 5000);
try {
  extent = await catalogue();
  const list = scenarios(extent);
  // Every scenario once: a 200 with the expected document, so errors hidden in 200 bodies cannot count as results.
  for (const [name, , gen, re] of list) {
    const p = gen();
    const r = await fetch(BASE + p);
    const body = await r.text();
    if (r.status !== 200 || !re.test(body) || body.includes('ExceptionReport')) throw new Error(`scenario "${name}" answered ${r.status}: ${body.slice(0, 400)}\n${p}`);
  }
  const weighted = list.flatMap((s) => Array(s[1]).fill(s[2]));
  const paths = () => pick(weighted)();

  // Warm-up (JIT, pool, PostgreSQL cache), then the baseline memory figure.
  await runLoad(paths, 5, 8);
  await new Promise((r) => setTimeout(r, 3000));
  const before = await memory();
  const samples = [];
  const sampler = setInterval(() => rawMemory().then((m) => samples.push(m)).catch(() => undefined), 5000);
  const res = await runLoad(paths, DURATION, CONNECTIONS);
  clearInterval(sampler);
  const after = await memory();
  await new Promise((r) => setTimeout(r, 10_000));
  const idle = await memory();
  // A second identical run: growth between the two "after" figures would be a leak, not warm-up.
  const res2 = await runLoad(paths, DURATION, CONNECTIONS);
  const after2 = await memory();
  await new Promise((r) => setTimeout(r, 10_000));
  const idle2 = await memory();
  const res3 = await runLoad(paths, DURATION, CONNECTIONS);
  const after3 = await memory();
  clearInterval(procSampler);
  sampleProc();

  const summary = (r) => ({
    requests: r.requests.total,
    reqPerSec: r.requests.average,
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    maxMs: r.latency.max,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    MBperSec: +(r.throughput.average / 1048576).toFixed(1),
  });
  const out = {
    date: new Date().toISOString(),
    duration: DURATION,
    connections: CONNECTIONS,
    scenarios: list.map(([n, w]) => `${n} (x${w})`),
    run1: summary(res),
    run2: summary(res2),
    run3: summary(res3),
    store: EMBEDDED ? 'pglite (npm start, fresh DATA_DIR)' : 'postgres',
    data: { observations: extent.observations, stations: extent.stations, offerings: extent.offerings.length },
    memory: { before, after, idle, after2, idle2, after3, peakRssMB: Math.max(...samples.map((s) => s.rssMB), after.rssMB, after2.rssMB, after3.rssMB) },
    proc: { vmHwmMiB: procSamples.at(-1)?.vmHwmMiB, samples: procSamples.map((p) => ({ s: Math.round((p.t - procSamples[0].t) / 1000), rss: p.vmRssMiB, hwm: p.vmHwmMiB })) },
    samples,
    loadavg: fs.readFileSync('/proc/loadavg', 'utf8').trim(),
  };
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const file = path.join(ROOT, 'bench/results', `load-${out.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(out, null, 2));
  const row = (n, s) => `| ${n} | ${s.requests} | ${s.reqPerSec.toFixed(0)} | ${s.p50ms} | ${s.p99ms} | ${s.maxMs} | ${s.errors} | ${s.timeouts} | ${s.non2xx} |`;
  console.log(`\n| run (${DURATION} s, ${CONNECTIONS} connections) | requests | req/s | p50 ms | p99 ms | max ms | errors | timeouts | non-2xx |\n|---|---|---|---|---|---|---|---|---|`);
  console.log(row('1', out.run1));
  console.log(row('2', out.run2));
  console.log(row('3', out.run3));
  const m = out.memory;
  console.log(`\n| gateway memory (after a full GC) | before | after run 1 | idle 10 s | after run 2 | idle 10 s | after run 3 | peak RSS during runs |\n|---|---|---|---|---|---|---|---|`);
  console.log(`| RSS MB | ${m.before.rssMB} | ${m.after.rssMB} | ${m.idle.rssMB} | ${m.after2.rssMB} | ${m.idle2.rssMB} | ${m.after3.rssMB} | ${m.peakRssMB} |`);
  console.log(`| heap used MB | ${m.before.heapUsedMB} | ${m.after.heapUsedMB} | ${m.idle.heapUsedMB} | ${m.after2.heapUsedMB} | ${m.idle2.heapUsedMB} | ${m.after3.heapUsedMB} | |`);
  console.log(`| external MB | ${m.before.externalMB} | ${m.after.externalMB} | ${m.idle.externalMB} | ${m.after2.externalMB} | ${m.idle2.externalMB} | ${m.after3.externalMB} | |`);
  if (EMBEDDED) console.log(`| PGlite WebAssembly memory MB | ${m.before.wasmMB} | ${m.after.wasmMB} | ${m.idle.wasmMB} | ${m.after2.wasmMB} | ${m.idle2.wasmMB} | ${m.after3.wasmMB} | |`);
  console.log(`\nVmHWM (peak RSS since the process started, start-up included): ${out.proc.vmHwmMiB} MiB`);
  console.log(`\nload average at the end: ${out.loadavg}; JSON: ${path.relative(ROOT, file)}`);
  const bad = [out.run1, out.run2, out.run3].some((s) => s.errors || s.timeouts || s.non2xx);
  if (bad) {
    console.error('FAILED: errors, timeouts or non-2xx answers under load');
    process.exitCode = 1;
  }
} finally {
  clearInterval(procSampler);
  gateway.kill('SIGTERM');
  if (DATA_DIR) {
    await new Promise((r) => (gateway.exitCode !== null ? r() : gateway.once('exit', r)));
    fs.rmSync(DATA_DIR, { recursive: true, force: true });
  }
}
