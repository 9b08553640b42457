/**
 * The compose stack's replication scripts run for real on Debian's PostgreSQL 15 (no Docker engine
 * here): a cluster of our own on a free port plays "db" and gets docker/postgres/replication-init.sh;
 * docker/postgres/standby-entrypoint.sh then makes a hot standby of it on another port, exactly as the
 * "db-standby" container's first start does (pg_basebackup -R), and starts it. Both clusters are
 * dropped at the end; the main cluster is never touched.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../helpers/gatewayProcess';

const ROOT = path.resolve(__dirname, '../..');
const INIT = path.join(ROOT, 'docker/postgres/replication-init.sh');
const ENTRY = path.join(ROOT, 'docker/postgres/standby-entrypoint.sh');
const BIN = '/usr/lib/postgresql/15/bin';
const usable = process.getuid?.() === 0 && fs.existsSync('/usr/bin/pg_createcluster') && fs.existsSync(`${BIN}/postgres`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the scripts are valid bash', () => {
  for (const f of [INIT, ENTRY]) {
    const r = spawnSync('bash', ['-n', f], { encoding: 'utf8' });
    expect([f, r.status, r.stderr]).toEqual([f, 0, '']);
  }
});

(usable ? describe : describe.skip)('standby entrypoint against a real primary (pg_createcluster, PostgreSQL 15)', () => {
  const name = `rg_primary_${process.pid}`;
  const password = `pw:${process.pid}\\x`; // a colon and a backslash, which the password file must escape
  let primaryPort = 0;
  let standbyPort = 0;
  let tmp = '';
  let pgdata = '';
  let standby: ChildProcess | undefined;
  let output = '';
  let created = false;

  const primary = () => new Client({ host: '/var/run/postgresql', port: primaryPort, user: 'postgres', database: 'postgres' });
  const replica = () => new Client({ host: '127.0.0.1', port: standbyPort, user: 'postgres', database: 'postgres' });
  const query = async (c: Client, sql: string) => {
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };
  const initScript = () =>
    spawnSync('runuser', ['-u', 'postgres', '--', 'bash', INIT], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, PGHOST: '/var/run/postgresql', PGPORT: String(primaryPort), POSTGRES_USER: 'postgres', POSTGRES_DB: 'postgres', REPLICATION_USER: 'rg_replicator', REPLICATION_PASSWORD: password },
    });

  /** Runs the entrypoint as the container would (as root), with the test's own server settings as arguments. */
  function startStandby(): ChildProcess {
    output = '';
    const conf = path.join(tmp, 'conf');
    const child = spawn('bash', [ENTRY, '-c', `port=${standbyPort}`, '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${tmp}`, '-c', `config_file=${conf}/postgresql.conf`, '-c', `hba_file=${conf}/pg_hba.conf`, '-c', `ident_file=${conf}/pg_ident.conf`], {
      env: { PATH: `${BIN}:${process.env.PATH}`, PGDATA: pgdata, PRIMARY_HOST: '127.0.0.1', PRIMARY_PORT: String(primaryPort), REPLICATION_USER: 'rg_replicator', REPLICATION_PASSWORD: password, REPLICATION_SLOT: 'rg_test_standby', PRIMARY_WAIT_S: '60' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    return child;
  }
  async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
    const cap = Date.now() + 180_000; // a cap against a hang, not a speed check
    for (;;) {
      const v = await fn().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > cap || standby?.exitCode != null) throw new Error(`${what}: gave up\n${output}`);
      await sleep(250);
    }
  }
  const stopStandby = () => {
    if (fs.existsSync(path.join(pgdata, 'postmaster.pid'))) spawnSync('runuser', ['-u', 'postgres', '--', `${BIN}/pg_ctl`, 'stop', '-D', pgdata, '-m', 'fast', '-w'], { encoding: 'utf8' });
  };

  beforeAll(async () => {
    primaryPort = await freePort();
    standbyPort = await freePort();
    const r = spawnSync('pg_createcluster', ['-p', String(primaryPort), '15', name, '--start', '--', '--auth-local=trust', '--auth-host=scram-sha-256'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pg_createcluster: ${r.stderr}`);
    created = true;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-standby-'));
    fs.chmodSync(tmp, 0o755);
    const conf = path.join(tmp, 'conf');
    fs.mkdirSync(conf);
    // Debian keeps a cluster's configuration in /etc, so the copy has none: the standby's own, minimal.
    fs.writeFileSync(path.join(conf, 'postgresql.conf'), '');
    fs.writeFileSync(path.join(conf, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
    fs.writeFileSync(path.join(conf, 'pg_ident.conf'), '');
    spawnSync('chown', ['-R', 'postgres:postgres', conf, tmp]);
    pgdata = path.join(tmp, 'volume', 'pgdata');
  });

  afterAll(async () => {
    stopStandby();
    standby?.kill('SIGKILL');
    if (created) spawnSync('pg_dropcluster', ['--stop', '15', name], { encoding: 'utf8' });
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('replication-init.sh creates the replication role and its pg_hba.conf line, once', async () => {
    for (let i = 0; i < 2; i++) {
      const r = initScript();
      expect([r.status, r.stderr]).toEqual([0, '']);
    }
    const roles = await query(primary(), "SELECT rolreplication, rolcanlogin FROM pg_roles WHERE rolname = 'rg_replicator'");
    expect(roles).toEqual([{ rolreplication: true, rolcanlogin: true }]);
    const hba = fs.readFileSync(`/etc/postgresql/15/${name}/pg_hba.conf`, 'utf8');
    expect(hba.split('\n').filter((l) => l === 'host replication rg_replicator all scram-sha-256')).toHaveLength(1);
  });

  test('first start: pg_basebackup -R from the primary, then a hot standby that streams what the primary writes', async () => {
    await query(primary(), 'CREATE TABLE standby_probe (id int PRIMARY KEY, note text)');
    await query(primary(), "INSERT INTO standby_probe VALUES (1, 'before the copy')");
    standby = startStandby();
    await until('standby accepts connections', async () => (await query(replica(), 'SELECT 1 AS one'))[0]);
    expect(output).toContain('copying the primary');
    expect(output).toContain('copy complete');
    expect(fs.existsSync(path.join(pgdata, 'standby.signal'))).toBe(true);
    expect(fs.existsSync(`${pgdata}.partial`)).toBe(false);
    // The password is in the standby's own password file (0600), not in the copied configuration.
    const pgpass = path.join(tmp, 'volume', '.pgpass');
    expect(fs.statSync(pgpass).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(pgpass, 'utf8')).toBe(`127.0.0.1:${primaryPort}:replication:rg_replicator:${password.replace(/\\/g, '\\\\').replace(/:/g, '\\:')}\n`);
    const auto = fs.readFileSync(path.join(pgdata, 'postgresql.auto.conf'), 'utf8');
    expect(auto).toMatch(/primary_slot_name = 'rg_test_standby'/);
    expect(auto).toMatch(/primary_conninfo = '.*user=rg_replicator/);
    expect(auto).not.toContain(password);
    expect(await query(replica(), 'SELECT pg_is_in_recovery() AS r')).toEqual([{ r: true }]);
    expect(await query(replica(), 'SELECT note FROM standby_probe')).toEqual([{ note: 'before the copy' }]);
    await query(primary(), "INSERT INTO standby_probe VALUES (2, 'after the copy')");
    await until('the new row on the standby', async () => ((await query(replica(), 'SELECT count(*)::int AS n FROM standby_probe'))[0].n === 2 ? true : undefined));
    // Streaming, through the slot the script created.
    const slots = await query(primary(), "SELECT slot_name, active FROM pg_replication_slots");
    expect(slots).toEqual([{ slot_name: 'rg_test_standby', active: true }]);
    // A standby refuses writes.
    await expect(query(replica(), 'INSERT INTO standby_probe VALUES (3, null)')).rejects.toThrow(/read-only/);
  });

  test('later starts reuse the data directory (no new copy) and catch up with what was written meanwhile', async () => {
    stopStandby();
    await until('the first standby process gone', async () => (standby!.exitCode !== null || standby!.signalCode !== null ? true : undefined)).catch(() => undefined);
    await query(primary(), "INSERT INTO standby_probe VALUES (3, 'while the standby was down')");
    standby = startStandby();
    await until('standby accepts connections', async () => (await query(replica(), 'SELECT 1 AS one'))[0]);
    expect(output).not.toContain('copying the primary');
    expect(await query(replica(), 'SELECT pg_is_in_recovery() AS r')).toEqual([{ r: true }]);
    await until('caught up', async () => ((await query(replica(), 'SELECT count(*)::int AS n FROM standby_probe'))[0].n === 3 ? true : undefined));
  });
});
