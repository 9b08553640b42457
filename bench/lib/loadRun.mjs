// One load run at N keep-alive connections for D seconds: wrk (C, two threads: a load generator in
// Node would take a core from the server, and MapServer's reference figures use wrk) when installed,
// else autocannon.
import { spawnSync } from 'node:child_process';

/** The load generator: BENCH_LOAD, else wrk when installed (apt-get install wrk), else autocannon. */
export function loadTool() {
  return process.env.BENCH_LOAD ?? (spawnSync('wrk', ['--version']).error === undefined ? 'wrk' : 'autocannon');
}

/** wrk's "12.3ms" / "1.2s" / "800us" → milliseconds. */
export function wrkMs(s) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s);
  return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[m[2]] : NaN;
}

/** One run of tool on url: req/s, p50 and p99 ms, bad (errors and non-2xx answers) and the requests made. */
export async function loadRun(url, { tool, connections, duration, timeoutS }) {
  if (tool === 'wrk') {
    const p = spawnSync('wrk', ['-t2', `-c${connections}`, `-d${duration}s`, '--latency', '--timeout', `${timeoutS}s`, url], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`wrk failed: ${p.stderr}`);
    const o = p.stdout;
    const num = (re) => Number(re.exec(o)?.[1] ?? 0);
    return {
      rps: num(/Requests\/sec:\s+([\d.]+)/),
      p50: wrkMs(/\s50%\s+(\S+)/.exec(o)?.[1] ?? ''),
      p99: wrkMs(/\s99%\s+(\S+)/.exec(o)?.[1] ?? ''),
      bad: num(/Non-2xx or 3xx responses:\s+(\d+)/) + [...o.matchAll(/(?:connect|read|write|timeout) (\d+)/g)].reduce((k, m) => k + Number(m[1]), 0),
      requests: num(/(\d+) requests in/),
    };
  }
  const { default: autocannon } = await import('autocannon');
  const a = await new Promise((resolve, reject) => autocannon({ url, connections, duration, timeout: timeoutS }, (err, res) => (err ? reject(err) : resolve(res))));
  return { rps: a.requests.average, p50: a.latency.p50, p99: a.latency.p99, bad: a.errors + a.non2xx, requests: a.requests.total };
}
