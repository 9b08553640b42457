import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

/*
 * PostgreSQL clusters of a test's own, made with Debian's postgresql-common (pg_createcluster,
 * pg_ctlcluster, pg_dropcluster) on ports of their own, data and log under the temporary directory:
 * a primary, and a hot standby cloned from it with `pg_basebackup -R` (streaming replication). The
 * main cluster on 5432 and its configuration are never touched. Trust authentication, as the suite's
 * server; fsync off (a test's data need not survive a power cut). Needs root (the clusters belong to
 * the postgres user); CI runs as root.
 */

const run = promisify(execFile);

/** The newest installed PostgreSQL major version (the one whose PostGIS CI installs). */
function pgVersion(): string {
  return fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b)).at(-1)!;
}

/**
 * True when this process can create clusters (pg_createcluster installed, running as root). CI sets
 * REEFGATE_REQUIRE_TOOLS=1: there a missing prerequisite fails instead of skipping the tests.
 */
export function canCreateClusters(): boolean {
  const ok = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v pg_createcluster && command -v pg_basebackup'], { stdio: 'ignore' }).status === 0 && fs.existsSync('/usr/lib/postgresql');
  if (!ok && process.env.REEFGATE_REQUIRE_TOOLS === '1') throw new Error('creating PostgreSQL clusters needs postgresql-common (pg_createcluster) and root');
  return ok;
}

/** One cluster of the test's. */
export class TestCluster {
  readonly version = pgVersion();
  readonly dataDir: string;
  readonly logFile: string;

  constructor(
    readonly name: string,
    readonly port: number,
  ) {
    this.dataDir = path.join(os.tmpdir(), `reefgate-pg-${name}`);
    this.logFile = `${this.dataDir}.log`;
  }

  /** A connection URL to one of its databases, as the superuser postgres. */
  url(db = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${db}`;
  }

  /** Creates the cluster (initdb) without starting it. */
  async create(): Promise<void> {
    await run('pg_createcluster', [this.version, this.name, '-p', String(this.port), '-d', this.dataDir, '-l', this.logFile, '--start-conf=manual', '-o', 'fsync=off', '-o', 'shared_buffers=32MB', '-o', 'max_connections=60', '--', '--auth=trust']);
  }

  /** Makes this (created, stopped) cluster a hot standby of `primary`: its data directory becomes a base backup with the standby settings (-R). */
  async cloneFrom(primary: TestCluster): Promise<void> {
    for (const f of fs.readdirSync(this.dataDir)) fs.rmSync(path.join(this.dataDir, f), { recursive: true, force: true });
    await run('runuser', ['-u', 'postgres', '--', 'pg_basebackup', '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', this.dataDir, '-R', '-X', 'stream', '-c', 'fast']);
  }

  async start(): Promise<void> {
    await run('pg_ctlcluster', [this.version, this.name, 'start']);
  }

  /** Stops it in fast mode: sessions are ended at once, as when a server is shut down or fails. */
  async stop(): Promise<void> {
    await run('pg_ctlcluster', [this.version, this.name, 'stop', '-m', 'fast']);
  }

  /** Stops (if running) and removes the cluster, its configuration and its data. */
  async drop(): Promise<void> {
    await run('pg_dropcluster', [this.version, this.name, '--stop']).catch(() => undefined);
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    fs.rmSync(this.logFile, { force: true });
  }

  /** Runs one statement on a short-lived connection. */
  async sql<R extends Record<string, unknown>>(text: string, values: unknown[] = [], db = 'postgres'): Promise<R[]> {
    const c = new Client({ connectionString: this.url(db) });
    await c.connect();
    try {
      return (await c.query<R>(text, values)).rows;
    } finally {
      await c.end();
    }
  }
}
