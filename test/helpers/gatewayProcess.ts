import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/*
 * The real gateway as a child process, started as `npm start` starts it, and what tests read of it:
 * its port, its readiness, its peak memory (/proc) and bodies too large to keep.
 */

export const ROOT = path.resolve(__dirname, '../..');

/** A TCP port free on 127.0.0.1 at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** The arguments after `node` of package.json's `npm start`, so a test runs the gateway exactly as production does. */
export function npmStartArgs(): string[] {
  const start: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const argv = start.trim().split(/\s+/);
  if (argv[0] !== 'node') throw new Error(`npm start does not run node: ${start}`);
  return argv.slice(1);
}

/** A field of /proc/<pid>/status in KiB (VmRSS, VmHWM). */
export function procKib(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

/** Reads a whole body without keeping it: its size, its last 200 characters and how often a marker occurs. */
export async function drain(res: Response, marker: string): Promise<{ bytes: number; tail: string; count: number }> {
  const decoder = new TextDecoder();
  let bytes = 0;
  let count = 0;
  let carry = '';
  let tail = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    const decoded = decoder.decode(chunk, { stream: true });
    tail = (tail + decoded).slice(-200);
    const text = carry + decoded;
    for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + marker.length)) count++;
    // Keep the end of this chunk so a marker split across two chunks is counted once.
    carry = text.slice(Math.max(0, text.length - marker.length + 1));
  }
  return { bytes, tail, count };
}

/** Waits (bounded) until `read()` holds a whole line containing `text`: a child's log reaches its pipe asynchronously, possibly after /readyz said 200. */
export async function waitForLogLine(read: () => string, text: string, withinMs = 30_000): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < withinMs; await new Promise((r) => setTimeout(r, 50))) {
    const at = read().indexOf(text);
    if (at >= 0 && read().indexOf('\n', at) >= 0) return;
  }
}

export interface GatewayProcess {
  proc: ChildProcess;
  base: string;
  /** The last output of each stream (bounded). */
  stdout(): string;
  stderr(): string;
  /** An error naming the exit code and the last output, for a gateway that is gone. */
  died(): Error;
}

/**
 * Starts `npm start` on a free port of 127.0.0.1 with `env` over this process's environment (an
 * undefined value removes the variable; jest's NODE_OPTIONS are never passed on; WORKERS is 1 unless
 * `env` sets it, so the pid that tests measure is the process that serves) and resolves once
 * /readyz answers 200. `readyWithinMs` only bounds the wait against a hang: start-up time is measured
 * in bench/startup.sh, not here.
 */
export async function startGateway(env: Record<string, string | undefined>, readyWithinMs: number): Promise<GatewayProcess> {
  const port = await freePort();
  const full: NodeJS.ProcessEnv = { ...process.env, WORKERS: '1', PORT: String(port), HOST: '127.0.0.1' };
  delete full.NODE_OPTIONS;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete full[k];
    else full[k] = v;
  }
  const proc = spawn(process.execPath, npmStartArgs(), { env: full, cwd: ROOT });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout = (stdout + d).slice(-200_000)));
  proc.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
  const g: GatewayProcess = {
    proc,
    base: `http://127.0.0.1:${port}`,
    stdout: () => stdout,
    stderr: () => stderr,
    died: () => new Error(`gateway exited (${proc.exitCode})\nstdout:\n${stdout.slice(-3000)}\nstderr:\n${stderr.slice(-3000)}`),
  };
  for (const t0 = Date.now(); ; ) {
    if (proc.exitCode !== null) throw g.died();
    const r = await fetch(`${g.base}/readyz`).catch(() => undefined);
    if (r?.status === 200) return g;
    if (Date.now() - t0 > readyWithinMs) {
      proc.kill('SIGKILL');
      throw new Error(`not ready within ${readyWithinMs} ms\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
