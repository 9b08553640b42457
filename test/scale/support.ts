import fs from 'node:fs';
import http from 'node:http';

/*
 * What the scale-out tests share: requests that each open a connection of their own (the cluster spreads
 * connections, not requests, over its workers), the gateway's JSON log read back, and /proc lookups.
 */

/** GET on a new connection (no keep-alive agent), resolving with the status and the whole body. */
export function freshGet(url: string, timeoutMs?: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
  });
}

/** The gateway's log lines (pino JSON, one per line) with the given message. */
export function logLines(stdout: string, msg: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    })
    .filter((o) => o.msg === msg);
}

/** Pids of the live processes whose parent is `pid` (a cluster primary's workers). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const st = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      // f[0] is the state: a zombie (Z) has exited, its parent just has not reaped it yet.
      if (Number(f[1]) === pid && f[0] !== 'Z') out.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Value of one sample line (name with its exact label set) in Prometheus text format. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Polls `fn` until it returns a value other than undefined; the cap turns a hang into a failure, it is not a timing check. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, capMs = 120_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > capMs) throw new Error(`not within ${capMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
