// One load run at N keep-alive connections for D seconds: wrk (C, two threads: a load generator in
// Node would take a core from the server, and MapServer's reference figures use wrk) when installed,
// else autocannon.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** GNU time (Debian package `time`): it gives the load generator's own CPU time, the client's share of the machine. */
const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** The load generator: BENCH_LOAD, else wrk when installed (apt-get install wrk), else autocannon. */
export function loadTool() {
  return process.env.BENCH_LOAD ?? (spawnSync('wrk', ['--version']).error === undefined ? 'wrk' : 'autocannon');
}

/** wrk's "12.3ms" / "1.2s" / "800us" → milliseconds. */
export function wrkMs(s) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s);
  // Rounded to the microsecond: "4.06s" is 4060 ms, not 4059.9999999999995.
  return m ? Math.round(Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[m[2]] * 1000) / 1000 : NaN;
}

/**
 * One run of tool on url: req/s, p50 and p99 ms, bad (errors and non-2xx answers), the requests made and,
 * with wrk under GNU time, clientMs: the load generator's CPU per request (user + system), which grows with
 * the bytes it reads and is taken from the same cores as the server's.
 */
export async function loadRun(url, { tool, connections, duration, timeoutS }) {
  if (tool === 'wrk') {
    const args = ['-t2', `-c${connections}`, `-d${duration}s`, '--latency', '--timeout', `${timeoutS}s`, url];
    const p = GNU_TIME
      ? spawnSync(GNU_TIME, ['-f', 'loadrun-cpu %U %S', 'wrk', ...args], { encoding: 'utf8' })
      : spawnSync('wrk', args, { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`wrk failed: ${p.stderr}`);
    const o = p.stdout;
    const num = (re) => Number(re.exec(o)?.[1] ?? 0);
    const requests = num(/(\d+) requests in/);
    const cpu = /loadrun-cpu ([\d.]+) ([\d.]+)/.exec(p.stderr ?? '');
    return {
      rps: num(/Requests\/sec:\s+([\d.]+)/),
      p50: wrkMs(/\s50%\s+(\S+)/.exec(o)?.[1] ?? ''),
      p99: wrkMs(/\s99%\s+(\S+)/.exec(o)?.[1] ?? ''),
      bad: num(/Non-2xx or 3xx responses:\s+(\d+)/) + [...o.matchAll(/(?:connect|read|write|timeout) (\d+)/g)].reduce((k, m) => k + Number(m[1]), 0),
      requests,
      clientMs: cpu && requests > 0 ? ((Number(cpu[1]) + Number(cpu[2])) * 1000) / requests : undefined,
    };
  }
  const { default: autocannon } = await import('autocannon');
  const a = await new Promise((resolve, reject) => autocannon({ url, connections, duration, timeout: timeoutS }, (err, res) => (err ? reject(err) : resolve(res))));
  return { rps: a.requests.average, p50: a.latency.p50, p99: a.latency.p99, bad: a.errors + a.non2xx, requests: a.requests.total };
}
