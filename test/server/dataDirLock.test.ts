import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_DIR } from '../helpers/env';
import { freePort, ROOT } from '../helpers/gatewayProcess';

/**
 * The embedded store (PGlite) is single-process: a second process opening DATA_DIR used to import into
 * its own copy and lose it. Real `reefgate` processes here: whichever comes second is refused with 75.
 */
const BIN = path.join(ROOT, 'bin/reefgate.js');
const LOCK = 'reefgate.lock';

function envFor(dataDir: string, port = 0): NodeJS.ProcessEnv {
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', LOAD_DEMO_DATA: 'false' } as NodeJS.ProcessEnv;
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  return env;
}

interface Run {
  proc: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function start(args: string[], env: NodeJS.ProcessEnv): Run {
  const proc = spawn(process.execPath, [BIN, ...args], { env, cwd: ROOT });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, out: () => out, exited };
}

/** Runs a command to completion (it must not start any real work: it is expected to be refused). */
function runSync(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stderr: r.stderr };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 240_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
  } catch {
    return false;
  }
}

function lockPid(dataDir: string): number | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, LOCK), 'utf8')).pid;
  } catch {
    return undefined;
  }
}

describe('one process at a time on the embedded data directory', () => {
  const dirs: string[] = [];
  const procs: ChildProcess[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-lock-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const p of procs) p.kill('SIGKILL');
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('server first: import, migrate and export-netcdf are refused with 75 while it runs; its lock goes when it stops', async () => {
    const dataDir = tmp();
    const port = await freePort();
    const server = start(['serve'], envFor(dataDir, port));
    procs.push(server.proc);
    // The lock is taken before listening, so a healthy port means the directory is held.
    await until('the server to listen', () => healthy(port));
    expect(lockPid(dataDir)).toBe(server.proc.pid);
    for (const args of [['import', DEMO_DIR], ['migrate'], ['export-netcdf', tmp()]]) {
      const r = runSync(args, envFor(dataDir));
      expect({ args, status: r.status }).toEqual({ args, status: 75 });
      expect(r.stderr).toContain(`the data directory ${dataDir} is in use by "reefgate serve" (pid ${server.proc.pid}`);
      expect(r.stderr).not.toMatch(/written/);
    }
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(fs.existsSync(path.join(dataDir, LOCK))).toBe(false);
  }, 300_000);

  it('import first: the server is refused with 75 and never listens while the import runs', async () => {
    const dataDir = tmp();
    const importer = start(['import', DEMO_DIR], envFor(dataDir));
    procs.push(importer.proc);
    await until('the import to take the lock', () => lockPid(dataDir) === importer.proc.pid);
    const port = await freePort();
    const server = start(['serve'], envFor(dataDir, port));
    procs.push(server.proc);
    expect(await server.exited).toBe(75);
    expect(server.out()).toContain(`is in use by "reefgate import" (pid ${importer.proc.pid}`);
    expect(await healthy(port)).toBe(false);
    // The import is not disturbed by the refused server (stopped here to keep the test short).
    expect(importer.proc.exitCode).toBeNull();
    importer.proc.kill('SIGKILL');
    await importer.exited;
  }, 300_000);

  it('a stale lock (its process is dead) is taken over; an unreadable one too', async () => {
    // A pid that certainly belonged to a process that has exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    expect(deadPid).toBeGreaterThan(0);
    for (const content of [JSON.stringify({ pid: deadPid, command: 'import', host: os.hostname(), since: '2026-01-01T00:00:00Z' }), 'garbage']) {
      const dataDir = tmp();
      fs.writeFileSync(path.join(dataDir, LOCK), content);
      const port = await freePort();
      const server = start(['serve'], envFor(dataDir, port));
      procs.push(server.proc);
      await until('the server to listen', () => healthy(port));
      expect(lockPid(dataDir)).toBe(server.proc.pid);
      expect(server.out()).toContain(`took over a stale lock in ${dataDir}`);
      server.proc.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(fs.existsSync(path.join(dataDir, LOCK))).toBe(false);
    }
  }, 600_000);

  it('PostgreSQL needs no lock: the lock file is not created with DATABASE_URL', () => {
    const dataDir = tmp();
    const env = { ...envFor(dataDir), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const r = runSync(['migrate'], env);
    expect(r.status).toBe(1); // nothing listens on port 1: an ordinary failure, not 75
    expect(fs.existsSync(path.join(dataDir, LOCK))).toBe(false);
  }, 120_000);
});
