#!/usr/bin/env node
// WFS benchmark: ReefGate side by side with MapServer on the same 7.6M-observation set.
//
//   # gateway on PostgreSQL loaded with the benchmark set (see docs/benchmarks.md, WFS section)
//   createdb rg_bench_wfs && DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench_wfs node dist/src/main.js migrate
//   DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench_wfs node dist/src/main.js import /tmp/bench7m
//   DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench_wfs PORT=18090 LOG_LEVEL=warn node dist/src/main.js serve &
//   # MapServer peer: sudo ../shared/peers/mapserver/setup.sh /tmp/bench7m   (serves 127.0.0.1:8190)
//   node bench/wfs.mjs [--duration 10] [--connections 16] [--rounds 3]
//
// Env: REEFGATE_URL (http://127.0.0.1:18090), MAPSERVER_URL (http://127.0.0.1:8190; "none" to skip),
// BENCH_LOAD (wrk when installed, else autocannon: bench/lib/loadRun.mjs), BENCH_CPU_GROUPS (0: no cpu
// cgroup per server, bench/lib/cpuGroups.mjs).
// The scenarios take turns, --rounds times (so a change in the machine's load falls on all of them);
// prints a markdown table (medians of req/s and p50/p99 latency, bytes per response) and the ratios.
import { arg, loadavg, median, pidsByCommand, serverPids } from './lib/script.mjs';
import { loadRun, loadTool } from './lib/loadRun.mjs';
import { groups, releaseGroups } from './lib/cpuGroups.mjs';

const DURATION = Number(arg('duration', '10'));
const CONNECTIONS = Number(arg('connections', '16'));
const ROUNDS = Number(arg('rounds', '3'));
const TOOL = loadTool();
const RG = process.env.REEFGATE_URL ?? 'http://127.0.0.1:18090';
const MS = process.env.MAPSERVER_URL ?? 'http://127.0.0.1:8190';

const W = (base) => `${base}/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature`;
/** [name, server, url, regex the body must match (so an error page never counts as a result)] */
const scenarios = [
  ['all stations, GML 3.2', 'ReefGate', `${W(RG)}&TYPENAMES=reef:Station`, /numberReturned="30"/],
  ['all stations, GML 3.2', 'MapServer', `${W(MS)}&TYPENAMES=ms:stations`, /numberReturned="30"/],
  ['all stations, GeoJSON', 'ReefGate', `${W(RG)}&TYPENAMES=reef:Station&OUTPUTFORMAT=application/geo%2Bjson`, /"numberReturned":30/],
  ['all stations, GeoJSON', 'MapServer', `${W(MS)}&TYPENAMES=ms:stations&OUTPUTFORMAT=geojson`, /"numberMatched": ?30/],
  ['1,000 Observation features at STARTINDEX 0, GML 3.2', 'ReefGate', `${W(RG)}&TYPENAMES=reef:Observation&STARTINDEX=0&COUNT=1000`, /numberReturned="1000"/],
  ['1,000 Observation features at STARTINDEX 5,000,000, GML 3.2', 'ReefGate', `${W(RG)}&TYPENAMES=reef:Observation&STARTINDEX=5000000&COUNT=1000`, /numberReturned="1000"/],
  ['1,000 Observation features at STARTINDEX 0, GeoJSON', 'ReefGate', `${W(RG)}&TYPENAMES=reef:Observation&STARTINDEX=0&COUNT=1000&OUTPUTFORMAT=application/geo%2Bjson`, /"numberReturned":1000/],
  ['1,000 Observation features at STARTINDEX 5,000,000, GeoJSON', 'ReefGate', `${W(RG)}&TYPENAMES=reef:Observation&STARTINDEX=5000000&COUNT=1000&OUTPUTFORMAT=application/geo%2Bjson`, /"numberReturned":1000/],
];
// MapServer has no network-wide observation layer: its observations are one SOS layer per dataset
// (/sos map), readable by WFS GetFeature. The closest comparison is a 1,000-feature page of the
// largest dataset layer, at the start and near its end.
const MS_OBS_LAYER = process.env.MAPSERVER_OBS_LAYER;
if (MS_OBS_LAYER) {
  const deep = Number(process.env.MAPSERVER_OBS_DEEP ?? '170000');
  const S = `${MS}/sos?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ms:${MS_OBS_LAYER}&COUNT=1000`;
  scenarios.push(['1,000 features of one dataset layer at STARTINDEX 0, GML 3.2', 'MapServer', `${S}&STARTINDEX=0`, /numberReturned="1000"/]);
  scenarios.push([`1,000 features of one dataset layer at STARTINDEX ${deep.toLocaleString('en')}, GML 3.2`, 'MapServer', `${S}&STARTINDEX=${deep}`, /numberReturned="1000"/]);
}

async function check(url, re) {
  const r = await fetch(url);
  const body = await r.text();
  if (r.status !== 200 || !re.test(body)) throw new Error(`unexpected answer (${r.status}) from ${url}: ${body.slice(0, 300)}`);
  return body.length;
}

const live = [];
for (const [name, server, url, re] of scenarios) {
  if (server === 'MapServer' && MS === 'none') continue;
  try {
    live.push({ name, server, url, bytes: await check(url, re), runs: [] });
  } catch (e) {
    console.error(`skip ${server} / ${name}: ${e.message}`);
  }
}
// Each server gets one share of the cores, as one deployed service would (bench/lib/cpuGroups.mjs).
const local = (base) => (['127.0.0.1', 'localhost'].includes(new URL(base).hostname) ? Number(new URL(base).port || 80) : 0);
const cpuGroups = groups({
  ReefGate: local(RG) ? serverPids(local(RG)) : [],
  MapServer: MS !== 'none' && local(MS) ? pidsByCommand(['mapserv', 'nginx']) : [],
});
console.error(cpuGroups);
const loads = [];
for (let round = 1; round <= ROUNDS; round++) {
  loads.push(loadavg());
  for (const sc of live) {
    const r = await loadRun(sc.url, { tool: TOOL, connections: CONNECTIONS, duration: DURATION, timeoutS: 30 });
    sc.runs.push(r);
    console.error(`round ${round} ${sc.server.padEnd(9)} ${sc.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.bad} errors`);
  }
}
releaseGroups();
const rows = live.map((sc) => ({
  name: sc.name,
  server: sc.server,
  rps: median(sc.runs.map((r) => r.rps)),
  p50: median(sc.runs.map((r) => r.p50)),
  p99: median(sc.runs.map((r) => r.p99)),
  non2xx: sc.runs.reduce((n, r) => n + r.bad, 0),
  bytes: sc.bytes,
  all: sc.runs.map((r) => r.rps.toFixed(0)).join(', '),
}));

console.log(`\n${CONNECTIONS} connections, ${DURATION} s per scenario (${TOOL}), ${ROUNDS} rounds taking turns (medians), ${new Date().toISOString()}; load average (1/5/15 min) at the start of each round: ${loads.join('; ')}\n`);
console.log(`CPU sharing: ${cpuGroups}.\n`);
console.log('| scenario | server | req/s | p50 ms | p99 ms | bytes/response | errors |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.server} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.bytes.toLocaleString('en')} | ${r.non2xx} |`);
console.log('');
for (const name of new Set(rows.map((r) => r.name))) {
  const a = rows.find((r) => r.name === name && r.server === 'ReefGate');
  const b = rows.find((r) => r.name === name && r.server === 'MapServer');
  if (a && b) console.log(`- ${name}: ReefGate/MapServer throughput ${(a.rps / b.rps).toFixed(2)}x (runs: ${a.all} vs ${b.all} req/s), p99 ${(a.p99 / b.p99).toFixed(2)}x`);
}
const o0 = rows.find((r) => r.name.startsWith('1,000 Observation features at STARTINDEX 0, GML'));
const o5 = rows.find((r) => r.name.startsWith('1,000 Observation features at STARTINDEX 5,000,000, GML'));
if (o0 && o5) console.log(`- Observation page at 5,000,000 vs at 0 (GML 3.2): throughput ${(o5.rps / o0.rps).toFixed(2)}x, p50 ${(o5.p50 / o0.p50).toFixed(2)}x`);
