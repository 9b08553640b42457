// The gateway a bench measures: its environment, starting it and waiting for /readyz, stopping it;
// and what it runs on: a free port, scratch databases, the dataset measured, the raw SQL floor.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from './script.mjs';

/** The gateway's entry point in this checkout's build. */
export const ENTRY = path.join(ROOT, 'dist/src/main.js');

/** This process's environment for a reefgate child: LOG_LEVEL=warn unless extra sets it, and no NODE_OPTIONS (a parent's flags are not the gateway's). */
export function childEnv(extra) {
  const e = { ...process.env, LOG_LEVEL: 'warn', ...extra };
  delete e.NODE_OPTIONS;
  return e;
}

/** Node flags of the measured gateway: BENCH_NODE_FLAGS, by default the heap limit `npm start` ships. */
export const benchNodeFlags = () => (process.env.BENCH_NODE_FLAGS ?? '--max-old-space-size=192').split(' ').filter(Boolean);

/** A TCP port that is free on 127.0.0.1 now. */
export const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });

/** Spawns `node [nodeFlags] entry serve` with exactly env (stdout ignored, stderr shown); returns the child at once. */
export function spawnGateway({ entry = ENTRY, nodeFlags = [], env, cwd }) {
  return spawn(process.execPath, [...nodeFlags, entry, 'serve'], { env, cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Resolves once base/readyz answers 200; throws when the child exits first or timeoutMs passes. */
export async function waitReady(base, child, { timeoutMs = 60_000, everyMs = 100 } = {}) {
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
    const r = await fetch(`${base}/readyz`).catch(() => undefined);
    if (r?.status === 200) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`gateway not ready within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** spawnGateway, then waitReady on base; resolves with the child, which is killed if it does not become ready. */
export async function startGateway({ base, ...spawnOptions }) {
  const child = spawnGateway(spawnOptions);
  try {
    await waitReady(base, child);
  } catch (e) {
    child.kill();
    throw e;
  }
  return child;
}

/** Stops a gateway (SIGTERM) and resolves once it has exited. */
export async function stopGateway(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** psql on one database of a PostgreSQL server (its URL without a database), and freshDb: a scratch database dropped and created anew, its URL. */
export function pgServer(server) {
  const psql = (db, sql) => {
    const r = spawnSync('psql', [`${server}/${db}`, '-Atqc', sql], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  const freshDb = (name) => {
    psql('postgres', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    psql('postgres', `CREATE DATABASE ${name}`);
    return `${server}/${name}`;
  };
  return { psql, freshDb };
}

/**
 * The dataset a bench measures, read through a connected pg client: BENCH_DATASET, else the largest.
 * Its id, code, station, prop (property code), uri (property URI), obs_count, and its last whole month
 * before its end as [m0, m1) (ISO 8601, UTC).
 */
export async function benchDataset(db) {
  const pick = process.env.BENCH_DATASET;
  const r = await db.query(
    `SELECT d.id, d.code, s.code AS station, p.code AS prop, p.vocabulary_uri AS uri, d.obs_count,
            to_char(date_trunc('month', d.time_end AT TIME ZONE 'UTC' - interval '1 month'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS m0,
            to_char(date_trunc('month', d.time_end AT TIME ZONE 'UTC' - interval '1 month') + interval '1 month', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS m1
     FROM dataset d JOIN station s ON s.id = d.station_id JOIN observed_property p ON p.id = d.property_id
     ${pick ? 'WHERE d.code = $1' : ''} ORDER BY d.obs_count DESC LIMIT 1`,
    pick ? [pick] : [],
  );
  return r.rows[0];
}

/** Seconds psql takes to COPY a query's rows to STDOUT, discarded: the raw SQL floor of a request. */
export function copySeconds(dbUrl, sql) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('psql', ['-X', '-q', '-d', dbUrl, '-c', `COPY (${sql}) TO STDOUT`], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('psql failed');
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
