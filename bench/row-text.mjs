#!/usr/bin/env node
// PostgreSQL's CPU for one month of one series under several row texts: the first-batch statement of
// the series streams (src/query/observations.ts) with each text, prepared, run N times on one backend
// (CPU from /proc/<backend pid>/stat), the texts taking turns over three rounds. Why every per-row
// encoder reads EPOCH_QC_VALUE (docs/sos.md, "Streaming"; docs/benchmarks.md, fifth session), and what
// each part of it costs (eighth session).
//
//   DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench7m node bench/row-text.mjs [N]
//
// Knobs (env): BENCH_DATASET (CHESTER_TEMP_0A_SBE56), BENCH_FROM / BENCH_TO (2016-01-01T00:00:00Z,
// 2016-01-31T23:59:59Z). The backend must run on this machine (its /proc is read).
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

const TIME_ISO = `replace(date_trunc('second', o.time AT TIME ZONE 'UTC')::text, ' ', 'T') || 'Z'`;
const TEXTS = {
  'ISO time, value, flag with commas (CSV before)': `${TIME_ISO} || ',' || coalesce(o.value::text, '') || ',' || o.qc`,
  'JSON point (JSON before)': `'["' || ${TIME_ISO} || '",' || CASE WHEN o.value > '-Infinity'::float8 AND o.value < 'Infinity'::float8 THEN o.value::text ELSE 'null' END || ',' || o.qc || ']'`,
  'timestamp text and value (WaterML before)': `date_trunc('second', o.time AT TIME ZONE 'UTC')::text || coalesce(o.value::text, '')`,
  "concat_ws(' ', epoch, qc, value) (before)": `concat_ws(' ', floor(date_part('epoch', o.time))::bigint, o.qc, o.value)`,
  // The flag folded into the epoch (one integer less to format, one separator less to send); then where the rest goes: the value left out, no text at all.
  "concat_ws(' ', epoch * 10 + qc, value) (now)": `concat_ws(' ', floor(date_part('epoch', o.time))::bigint * 10 + o.qc, o.value)`,
  'epoch * 10 + qc only (no value)': `(floor(date_part('epoch', o.time))::bigint * 10 + o.qc)::text`,
  'a constant (scan and aggregate only)': `'x'`,
};
const N = Number(process.argv[2] ?? 400);
const cpuMs = (pid) => {
  const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

const c = new Client({ connectionString: process.env.DATABASE_URL });
await c.connect();
const pid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p;
const ds = (await c.query('SELECT id FROM dataset WHERE code = $1', [process.env.BENCH_DATASET ?? 'CHESTER_TEMP_0A_SBE56'])).rows[0].id;
const values = [ds, process.env.BENCH_FROM ?? '2016-01-01T00:00:00Z', process.env.BENCH_TO ?? '2016-01-31T23:59:59Z', '\n'];
const rows = (await c.query('SELECT count(*)::int AS n FROM observation o WHERE o.dataset_id = $1 AND o.time >= $2 AND o.time <= $3', values.slice(0, 3))).rows[0].n;
const runs = {};
for (let round = 0; round < 3; round++) {
  for (const [i, [label, text]] of Object.entries(TEXTS).entries()) {
    const q = {
      name: `row_text_${i}`,
      text: `SELECT count(*)::int AS n, string_agg(l, $4::text) AS t, max(tm)::text AS last FROM (SELECT o.time AS tm, ${text} AS l FROM observation o WHERE o.dataset_id = $1 AND o.time >= $2 AND o.time <= $3 ORDER BY o.time LIMIT 5000) s`,
      values,
    };
    await c.query(q);
    const t0 = cpuMs(pid);
    for (let k = 0; k < N; k++) await c.query(q);
    (runs[label] ??= []).push((cpuMs(pid) - t0) / N);
  }
}
await c.end();
console.log(`${rows} rows, ${N} executions per text and round, load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`);
console.log('| row text | PostgreSQL CPU per statement (rounds) |\n|---|---:|');
for (const [label, ms] of Object.entries(runs)) console.log(`| ${label} | ${[...ms].sort((a, b) => a - b)[1].toFixed(2)} ms (${ms.map((x) => x.toFixed(2)).join(', ')}) |`);
