#!/usr/bin/env node
// Two builds side by side, any GET paths: CPU per request of each build's gateway (node) and of its
// PostgreSQL backends, the paths and builds taking turns round by round (order reversed every other
// round). The HTTP sibling of bench/ab-cpu.sh (SOS only); CPU per request moves far less with a shared
// machine's load than req/s does (docs/benchmarks.md, "One core").
//
//   git worktree add --detach /tmp/before <commit> && (cd /tmp/before && npm ci && npm run build)
//   DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench7m BEFORE=/tmp/before/dist/src/main.js AFTER=dist/src/main.js \
//     node bench/ab-cpu-paths.mjs '/ogcapi/collections/stations/items?limit=1000' \
//       '/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=reef:Station&OUTPUTFORMAT=application/geo%2Bjson&COUNT=1000'
//
// Compressed answers: ENCODINGS=identity,gzip,br runs every path once per Accept-Encoding value given
// (the compression's own CPU, in libuv's pool, is the node process's too).
//
// Knobs (env): N (requests per run, 2000), ROUNDS (4), CONNS (16), PORT_BASE (18091: the builds listen
// on PORT_BASE and PORT_BASE + 1, so two engineers can run it at once). Each gateway is one process
// (WORKERS=1) so its pid holds all of its node CPU. Both builds use the same database; each build's
// connections carry an application_name of their own (abcpu-<port>), and only those backends are
// counted (another client of the same database is not), backends born during a run whole.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const { Client } = require('pg');

const DB = process.env.DATABASE_URL;
if (!DB || !process.env.BEFORE) throw new Error('set DATABASE_URL and BEFORE (and AFTER, default dist/src/main.js)');
const N = Number(process.env.N ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const CONNS = Number(process.env.CONNS ?? 16);
const paths = process.argv.slice(2);
/** Accept-Encoding values to run each path with; '' sends none. */
const encodings = (process.env.ENCODINGS ?? '').split(',').map((e) => e.trim());
const PORT_BASE = Number(process.env.PORT_BASE ?? 18091);
const builds = [
  { name: 'before', entry: process.env.BEFORE, port: PORT_BASE },
  { name: 'after', entry: process.env.AFTER ?? 'dist/src/main.js', port: PORT_BASE + 1 },
];
for (const b of builds) b.app = `abcpu-${b.port}`;
/** The database URL with this build's application_name (a parameter of the URL overrides the gateway's own). */
const taggedUrl = (app) => {
  const u = new URL(DB);
  u.searchParams.set('application_name', app);
  return u.toString();
};

/** utime+stime of a pid in ms, or undefined once it is gone. */
function cpuMs(pid) {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}
const snap = (pids) => new Map(pids.map((p) => [p, cpuMs(p)]).filter(([, t]) => t !== undefined));
const spent = (a, b) => [...b].reduce((s, [p, t]) => s + t - (a.get(p) ?? 0), 0);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const pg = new Client({ connectionString: DB });
await pg.connect();
const dbName = (await pg.query('SELECT current_database() AS d')).rows[0].d;
const backends = async (b) => (await pg.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [dbName, b.app])).rows.map((r) => r.pid);

for (const b of builds) {
  b.proc = spawn(process.execPath, ['--max-old-space-size=192', b.entry, 'serve'], { env: { ...process.env, DATABASE_URL: taggedUrl(b.app), PORT: String(b.port), WORKERS: '1', LOG_LEVEL: 'warn' }, stdio: 'ignore' });
}
const stop = () => builds.forEach((b) => b.proc.kill('SIGTERM'));
process.on('exit', stop);
for (const b of builds) {
  for (let i = 0; ; i++) {
    if ((await fetch(`http://127.0.0.1:${b.port}/readyz`).then((r) => r.status, () => 0)) === 200) break;
    if (i > 240) throw new Error(`${b.name} did not get ready`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const run = (url, amount, enc) =>
  new Promise((resolve, reject) => autocannon({ url, connections: CONNS, amount, headers: enc ? { 'accept-encoding': enc } : {} }, (e, r) => (e ? reject(e) : resolve(r))));
const cases = paths.flatMap((path) => encodings.flatMap((enc) => builds.map((b) => ({ path, enc, b, node: [], db: [], rps: [] }))));
for (const c of cases) await run(`http://127.0.0.1:${c.b.port}${c.path}`, 300, c.enc);
const loads = [];
for (let round = 0; round < ROUNDS; round++) {
  const la0 = loadavg();
  for (const c of round % 2 ? [...cases].reverse() : cases) {
    const n0 = snap([c.b.proc.pid]);
    const d0 = snap(await backends(c.b));
    const t0 = performance.now();
    const r = await run(`http://127.0.0.1:${c.b.port}${c.path}`, N, c.enc);
    const ms = performance.now() - t0;
    const n1 = snap([c.b.proc.pid]);
    const d1 = snap(await backends(c.b));
    const ok = r['2xx'];
    if (ok !== N) console.error(`${c.b.name} ${c.path} ${c.enc}: ${ok} of ${N} answered 2xx`);
    c.node.push(spent(n0, n1) / ok);
    c.db.push(spent(d0, d1) / ok);
    c.rps.push((ok * 1000) / ms);
  }
  loads.push(`${la0} → ${loadavg()}`);
}
console.log(`${ROUNDS} rounds, ${N} requests per run, ${CONNS} connections (autocannon), ${new Date().toISOString().slice(0, 16)}Z; load average per round: ${loads.join('; ')}`);
console.log('');
console.log('| path | Accept-Encoding | build | node CPU ms/req | PostgreSQL CPU ms/req | total | req/s |');
console.log('|---|---|---|---:|---:|---:|---:|');
for (const c of cases) {
  const [node, db] = [median(c.node), median(c.db)];
  console.log(`| \`${c.path}\` | ${c.enc || '(none)'} | ${c.b.name} | ${node.toFixed(3)} | ${db.toFixed(3)} | ${(node + db).toFixed(3)} | ${median(c.rps).toFixed(0)} |`);
}
await pg.end();
stop();
