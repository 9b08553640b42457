import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { Client } from 'pg';
import { freePort } from '../helpers/gatewayProcess';

/*
 * A PostgreSQL cluster of the test's own (pg_createcluster on a free port, trust auth), so a test can
 * stop and start "the database" without touching the shared server or its configuration.
 */

export interface ScratchCluster {
  url: string;
  stop(): void;
  start(): void;
  drop(): void;
}

const VERSION = fs.readdirSync('/etc/postgresql').sort((a, b) => Number(a) - Number(b)).pop()!;
const ctl = (name: string, action: string, ...more: string[]) =>
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', VERSION, name, action, ...more], { stdio: 'pipe' });

/** Creates and starts a cluster with a `reefgate` database (PostGIS), owned by a superuser `root`. */
export async function createCluster(tag: string): Promise<ScratchCluster> {
  const name = `rg_${tag}_${process.pid}`;
  const port = await freePort();
  execFileSync('pg_createcluster', [VERSION, name, '-p', String(port), '--', '--auth=trust'], { stdio: 'pipe' });
  const cluster: ScratchCluster = {
    url: `postgres://root@127.0.0.1:${port}/reefgate`,
    stop: () => ctl(name, 'stop', '-m', 'fast'),
    start: () => ctl(name, 'start'),
    drop: () => {
      execFileSync('pg_dropcluster', [VERSION, name, '--stop'], { stdio: 'pipe' });
    },
  };
  try {
    cluster.start();
    const admin = new Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query('CREATE ROLE root SUPERUSER LOGIN');
    await admin.query('CREATE DATABASE reefgate OWNER root');
    await admin.end();
    const db = new Client({ connectionString: cluster.url });
    await db.connect();
    await db.query('CREATE EXTENSION postgis');
    await db.end();
  } catch (err) {
    cluster.drop();
    throw err;
  }
  return cluster;
}
