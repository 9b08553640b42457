// What the head of every bench script repeats: where the checkout is, its --flags, and the small
// statistics, formats and /proc readings its figures are made of.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout these scripts belong to (its bin/, dist/ and package.json). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The value after `--name` on the command line, else def. */
export function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A log to stderr whose lines start with `[tag HH:MM:SS]` (UTC). */
export const logger =
  (tag) =>
  (...a) =>
    console.error(`[${tag} ${new Date().toISOString().slice(11, 19)}]`, ...a);

/** The 1, 5 and 15 minute load averages as /proc/loadavg writes them, separated by spaces. */
export const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Seconds with three decimals: `1.234 s`. */
export const sec = (x) => `${x.toFixed(3)} s`;

/** Bytes as MiB with one decimal: `12.3 MiB`. */
export const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;

/** A process's command name, parent pid and CPU seconds so far (user+system), from /proc; undefined once it is gone. */
export function procStat(pid) {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields after it follow the last ')'.
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    // Clock ticks of 1/100 s (USER_HZ on Linux).
    return { comm: st.slice(st.indexOf('(') + 1, st.lastIndexOf(')')), ppid: Number(f[1]), s: (Number(f[11]) + Number(f[12])) / 100 };
  } catch {
    return undefined;
  }
}

/** A field of /proc/<pid>/status given in kB (VmRSS, VmHWM), in bytes; NaN when absent. */
export function procBytes(pid, field) {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** CPU seconds (user+system) a process has used so far; 0 once it is gone. */
export const cpuSeconds = (pid) => procStat(pid)?.s ?? 0;

/** The pids of a process's children (/proc/<pid>/task/<pid>/children); [] once it is gone. */
export function childPids(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A process and all its descendants (the gateway's cluster primary and its workers). */
export const processTree = (pid) => [Number(pid), ...childPids(pid).flatMap(processTree)];

/** Every pid of the processes whose command name is one of `names` (e.g. the peer's mapserv and nginx). */
export function pidsByCommand(names) {
  const want = new Set(names);
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && want.has(procStat(d)?.comm))
    .map(Number);
}

/** Pids listening on a local TCP port (ss -ltnp; empty when ss cannot tell). */
export function listenerPids(port) {
  const out = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' }).stdout ?? '';
  return [...new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))];
}

/**
 * The processes of the server on a local port: each listener and its descendants. With WORKERS > 1 the
 * listener is the cluster primary, which only hands connections on; the workers that answer are its children.
 */
export const serverPids = (port) => [...new Set(listenerPids(port).flatMap(processTree))];

/** CPU seconds so far of a process and all its descendants (the gateway and its cluster workers, WORKERS > 1). */
export const treeCpuSeconds = (pid) => processTree(pid).reduce((s, p) => s + cpuSeconds(p), 0);

/** The largest peak resident set (VmHWM) among a process and its children, bytes: the worker that streamed. */
export function peakRssOfTree(pid) {
  const rss = [Number(pid), ...childPids(pid)].map((p) => {
    try {
      return procBytes(p, 'VmHWM');
    } catch {
      return NaN;
    }
  });
  return Math.max(...rss.filter((b) => !Number.isNaN(b)));
}

/** Downloads a URL completely, discarding the body; seconds, bytes and status. */
export async function download(url) {
  const t0 = process.hrtime.bigint();
  const r = await fetch(url);
  let bytes = 0;
  for await (const c of r.body) bytes += c.length;
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, bytes, status: r.status };
}
