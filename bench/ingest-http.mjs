#!/usr/bin/env node
// HTTP push (POST /ingest) beside the CLI import, in the same run, on the same PostgreSQL: rows/s of
// each path into an empty database, then of the same files again (nothing changes), and the gateway's
// peak RSS while it takes the push (the body streams into COPY: memory must not follow the file size).
//
//   node ../shared/data/generate.mjs --out /tmp/gen1 --stations 10 --years 2 --interval-min 30
//   npm run build && node bench/ingest-http.mjs /tmp/gen1 [--rounds 2] [--server postgres://root@127.0.0.1:5432]
//
// Each round: CLI `reefgate import DIR` into a fresh database, then `reefgate import DIR --url … --key …`
// (one multipart POST /ingest, files streamed from disk) into another fresh database through a gateway
// started for it (`node dist/src/main.js serve`, LOG_LEVEL=warn). The two paths alternate which goes
// first from round to round. Figures: the run's own seconds (the gateway's transaction for the push, the
// CLI's for the import) and the wall time of the command. A markdown table goes to stdout.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { arg, loadavg, procBytes, ROOT } from './lib/script.mjs';
import { childEnv as envWith, freePort, pgServer, spawnGateway, stopGateway, waitReady } from './lib/gateway.mjs';

const BIN = path.join(ROOT, 'bin/reefgate.js');
const DIR = process.argv[2];
if (!DIR || DIR.startsWith('--') || !fs.existsSync(DIR)) {
  console.error('usage: node bench/ingest-http.mjs DIR [--rounds N] [--server postgres://root@127.0.0.1:5432]');
  process.exit(2);
}
const ROUNDS = Number(arg('rounds', '2'));
const SERVER = arg('server', 'postgres://root@127.0.0.1:5432');
const KEY = 'bench-ingest-key-0123456789';
const { psql, freshDb } = pgServer(SERVER);

/** Runs reefgate with args; resolves with wall seconds and stderr. */
function reefgate(args, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(process.execPath, [BIN, ...args], { env, cwd: ROOT });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.stdout.resume();
    p.on('exit', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) reject(new Error(`reefgate ${args.join(' ')} exited ${code}:\n${err.slice(-2000)}`));
      else resolve({ wall, stderr: err });
    });
  });
}

/** The run's seconds and observation count from the printed summary. */
function parseSummary(stderr) {
  const secs = Number(/import done(?:, nothing changed)? in ([\d.]+) s/.exec(stderr)?.[1]);
  const obs = Number(/observations [\d,]+\/([\d,]+) written/.exec(stderr)?.[1].replace(/,/g, ''));
  return { secs, obs };
}

async function cli(round) {
  const url = freshDb(`rg_bench_ingest_cli_${process.pid}`);
  const env = envWith({ DATABASE_URL: url });
  await reefgate(['migrate'], env);
  const first = await reefgate(['import', DIR], env);
  const again = await reefgate(['import', DIR], env);
  psql('postgres', `DROP DATABASE IF EXISTS rg_bench_ingest_cli_${process.pid} WITH (FORCE)`);
  return { path: 'CLI import', round, first: { ...parseSummary(first.stderr), wall: first.wall }, again: { ...parseSummary(again.stderr), wall: again.wall } };
}

async function http(round) {
  const db = `rg_bench_ingest_http_${process.pid}`;
  const url = freshDb(db);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = envWith({ DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', API_KEYS: KEY });
  await reefgate(['migrate'], env);
  const gw = spawnGateway({ env, cwd: ROOT });
  try {
    await waitReady(base, gw);
    const hwm = () => procBytes(gw.pid, 'VmHWM') / 1024;
    const rssBefore = hwm();
    const first = await reefgate(['import', DIR, '--url', base, '--key', KEY], envWith({}));
    const again = await reefgate(['import', DIR, '--url', base, '--key', KEY], envWith({}));
    const peak = hwm();
    return { path: 'HTTP push (POST /ingest)', round, first: { ...parseSummary(first.stderr), wall: first.wall }, again: { ...parseSummary(again.stderr), wall: again.wall }, peakMiB: Math.round(peak / 1024), startMiB: Math.round(rssBefore / 1024) };
  } finally {
    await stopGateway(gw);
    psql('postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
}

const results = [];
for (let round = 1; round <= ROUNDS; round++) {
  const order = round % 2 ? [cli, http] : [http, cli];
  for (const f of order) {
    const r = await f(round);
    results.push(r);
    console.error(`round ${round} ${r.path}: first ${r.first.secs} s (wall ${r.first.wall.toFixed(1)} s), again ${r.again.secs} s`);
  }
}

const rate = (n, s) => Math.round(n / s).toLocaleString('en');
const load = loadavg();
console.log(`\n${DIR}: ${results[0].first.obs.toLocaleString('en')} observations; load average at the end ${load}\n`);
console.log('| round | path | into an empty database: run (wall) | rows/s | same files again: run (wall) | rows/s | gateway peak RSS |');
console.log('|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.round} | ${r.path} | ${r.first.secs.toFixed(1)} s (${r.first.wall.toFixed(1)} s) | ${rate(r.first.obs, r.first.secs)} | ${r.again.secs.toFixed(1)} s (${r.again.wall.toFixed(1)} s) | ${rate(r.again.obs, r.again.secs)} | ${r.peakMiB ? `${r.peakMiB} MiB (${r.startMiB} at ready)` : ''} |`,
  );
}
