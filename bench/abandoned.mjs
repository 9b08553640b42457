#!/usr/bin/env node
// Abandoned work: how long an ordinary request takes right after N clients gave up on slow requests.
// Before issue 11.3 a plain query (a WFS page, a hits count, a SOS batch) ran to its end after the
// client left, holding a pool connection and a core; now the request's signal cancels it.
//
//   node /work/shared/data/generate.mjs --out /tmp/rg_abandon_data --stations 12 --years 1 --interval-min 20 --seed 11
//   createdb rg_bench_abandoned && export DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench_abandoned
//   node dist/src/main.js migrate && node dist/src/main.js import /tmp/rg_abandon_data
//   PORT=18095 LOG_LEVEL=warn node dist/src/main.js serve &
//   node bench/abandoned.mjs [--n 30] [--abandon-after-ms 500] [--rounds 3]
//
// Env: REEFGATE_URL (http://127.0.0.1:18095); DATABASE_URL (optional: also reports how long the
// abandoned statements stay in pg_stat_activity). Prints one markdown row per round.
import pg from 'pg';
import { arg } from './lib/script.mjs';

const N = Number(arg('n', '30'));
const ABANDON_AFTER_MS = Number(arg('abandon-after-ms', '500'));
const ROUNDS = Number(arg('rounds', '3'));
const RG = process.env.REEFGATE_URL ?? 'http://127.0.0.1:18095';
const W = `${RG}/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature`;
// The slow request: the default page (1,000 features, one plain query) sorted on an unindexed column,
// so PostgreSQL sorts every observation before it can return the first row.
const SLOW = () => `${W}&TYPENAMES=reef:Observation&SORTBY=value%20DESC`;
// The ordinary request: one station page.
const ORDINARY = `${W}&TYPENAMES=reef:Station&COUNT=1`;

async function timed(url) {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return performance.now() - t0;
}

const admin = process.env.DATABASE_URL ? new pg.Client({ connectionString: process.env.DATABASE_URL }) : null;
await admin?.connect();
/** Active statements of the gateway reading observation sorted by value (the abandoned ones). */
async function running() {
  if (!admin) return NaN;
  const r = await admin.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND backend_type = 'client backend' AND query LIKE '%ORDER BY (o.value) DESC%' AND pid <> pg_backend_pid()`,
  );
  return r.rows[0].n;
}

// One slow request alone, to show what is being abandoned.
const slowAlone = await timed(SLOW());
const idle = [];
for (let i = 0; i < 5; i++) idle.push(await timed(ORDINARY));
idle.sort((a, b) => a - b);
console.log(`slow request alone: ${(slowAlone / 1000).toFixed(2)} s; ordinary request on an idle gateway: median ${idle[2].toFixed(1)} ms`);
console.log('');
console.log(`| round | abandoned | ordinary request after | slow statements still running right after | until none is left |`);
console.log(`|---|---|---|---|---|`);
for (let round = 1; round <= ROUNDS; round++) {
  const controllers = [];
  const pending = [];
  for (let i = 0; i < N; i++) {
    const ac = new AbortController();
    controllers.push(ac);
    pending.push(fetch(SLOW(), { signal: ac.signal }).then((r) => r.arrayBuffer()).catch(() => undefined));
  }
  await new Promise((r) => setTimeout(r, ABANDON_AFTER_MS));
  for (const ac of controllers) ac.abort();
  await Promise.all(pending);
  const left = await running();
  const t0 = performance.now();
  const ordinary = await timed(ORDINARY);
  let clear = NaN;
  if (admin) {
    while ((await running()) > 0) await new Promise((r) => setTimeout(r, 50));
    clear = performance.now() - t0;
  }
  console.log(`| ${round} | ${N} | ${ordinary.toFixed(0)} ms | ${left} | ${admin ? (clear / 1000).toFixed(2) + ' s' : 'n/a'} |`);
}
await admin?.end();
