import { Config, loadConfig } from '../../src/config/config';
import { openServingStore } from '../../src/data/openStore';
import { PgStore } from '../../src/data/pgStore';
import { Store } from '../../src/data/store';
import { migrate } from '../../src/data/migrate';
import { importDirectory } from '../../src/ingest/importer';
import { CHANGES_CHANNEL, changePayload, listenForChanges } from '../../src/ingest/changes';
import { createLogger } from '../../src/log';
import { DEMO_DIR, usingPostgres } from '../helpers/env';
import { freePort, GatewayProcess, startGateway } from '../helpers/gatewayProcess';
import { canCreateClusters, TestCluster } from '../helpers/pgCluster';
import { insertResultDoc, insertResultTemplateDoc, TEMP_URI } from '../sos/transactionalDocs';
import { eventually, freshGet, sample } from './support';

/*
 * Issue 16 point 2 on real replication: the test makes its own primary cluster and a hot standby
 * cloned from it with `pg_basebackup -R`, on ports of their own (the main cluster is not touched),
 * imports the demo network into the primary and reads it through the gateway (WORKERS=2) from the
 * standby. Then the standby is stopped and started again under load: no request may fail, and reads
 * must come back to it. Read-your-writes and the lag bound are checked on the store itself, with the
 * standby's replay paused (pg_wal_replay_pause) so that it is behind for as long as the test needs.
 */
const run = usingPostgres() && canCreateClusters() ? describe : describe.skip;

run('read replicas (READ_DATABASE_URLS) on a real primary and pg_basebackup standby', () => {
  const id = `${process.pid}_${Date.now() % 100_000}`;
  let primary: TestCluster;
  let standby: TestCluster;
  let gw: GatewayProcess | undefined;
  const DB = 'reef';
  const KEY = 'replica-test-key-0123456789';
  let offering = '';

  /** Waits until the standby has replayed everything the primary has flushed so far. */
  async function replayed(): Promise<void> {
    const [{ lsn }] = await primary.sql<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn');
    await eventually('the standby to replay the primary', async () => {
      const [r] = await standby.sql<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn]);
      return r.ok ? true : undefined;
    });
  }

  beforeAll(async () => {
    primary = new TestCluster(`rg_prim_${id}`, await freePort());
    standby = new TestCluster(`rg_stby_${id}`, await freePort());
    await primary.create();
    await primary.start();
    await primary.sql(`CREATE DATABASE ${DB}`);
    await standby.create();
    await standby.cloneFrom(primary);
    await standby.start();
    expect((await standby.sql<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0].r).toBe(true);
    // The schema and the demo network are written on the primary only; the standby gets them by replication.
    const store = new PgStore({ connectionString: primary.url(DB), max: 2, statementTimeoutMs: 0 });
    await migrate(store);
    await importDirectory(store, DEMO_DIR);
    await store.query('VACUUM (ANALYZE)');
    offering = (await store.query<{ code: string }>('SELECT code FROM dataset ORDER BY obs_count DESC, code LIMIT 1')).rows[0].code;
    await store.close();
    await replayed();
  });
  afterAll(async () => {
    if (gw?.proc.exitCode === null) gw.proc.kill('SIGKILL');
    await standby?.drop();
    await primary?.drop();
  });

  /** Requests of every kind that read the database, each with a check of its body. */
  const reads = () => [
    { url: `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${offering}&responseFormat=text/csv&temporalFilter=om:phenomenonTime,2024-03-01T00:00:00Z/2024-04-01T00:00:00Z`, ok: (b: string) => b.split('\n').length > 100 },
    { url: '/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=reef:Station&outputFormat=application/json', ok: (b: string) => JSON.parse(b).features.length === 30 },
    { url: '/ogcapi/collections/stations/items?limit=5&f=json', ok: (b: string) => JSON.parse(b).features.length === 5 },
    { url: '/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=reef:Observation&resultType=hits', ok: (b: string) => /numberMatched="[1-9]\d*"/.test(b) },
  ];
  const metrics = async () => (await freshGet(`${gw!.base}/metrics`)).body;
  const replicaReads = async () => sample(await metrics(), 'reefgate_db_reads_total{target="replica"}') ?? 0;
  const primaryReads = async () => sample(await metrics(), 'reefgate_db_reads_total{target="primary"}') ?? 0;

  test('the gateway reads from the standby: its queries are in the standby\'s pg_stat_activity', async () => {
    gw = await startGateway({ DATABASE_URL: primary.url(DB), READ_DATABASE_URLS: standby.url(DB), WORKERS: '2', PG_POOL_MAX: '6', LOG_LEVEL: 'warn', API_KEYS: KEY }, 180_000);
    // Each worker checks the standby before it serves; both must be serving (a worker still starting
    // answers 503: on a loaded machine one can lag the other by seconds) and count it in rotation, in
    // one scrape that heard from both.
    await eventually('both workers serving, the standby in rotation in both', async () => {
      const m = await metrics();
      const both = sample(m, 'reefgate_cluster_workers_ready') === 2 && sample(m, 'reefgate_cluster_workers_reporting') === 2;
      return both && sample(m, 'reefgate_db_replica_in_rotation{replica="0"}') === 1 ? true : undefined;
    });
    const ready = JSON.parse((await freshGet(`${gw.base}/readyz`)).body);
    expect(ready).toMatchObject({ status: 'ready', readReplicas: { inRotation: 1, configured: 1 } });

    const before = { replica: await replicaReads(), primary: await primaryReads() };
    // A hot standby counts the scans run on it (its own cumulative statistics).
    const scans = async (c: TestCluster) => (await c.sql<{ n: number }>(`SELECT (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::int AS n FROM pg_stat_user_tables WHERE relname = 'observation'`, [], DB))[0].n;
    const scansBefore = { standby: await scans(standby), primary: await scans(primary) };
    for (let i = 0; i < 3; i++) {
      for (const r of reads()) {
        const res = await freshGet(`${gw.base}${r.url}`);
        expect([r.url, res.status]).toEqual([r.url, 200]);
        expect(r.ok(res.body)).toBe(true);
      }
    }
    // Every read of these requests ran on the standby, none on the primary.
    expect(await replicaReads()).toBeGreaterThanOrEqual(before.replica + 12);
    expect(await primaryReads()).toBe(before.primary);
    const onStandby = await standby.sql<{ query: string }>(`SELECT query FROM pg_stat_activity WHERE datname = $1 AND application_name = 'reefgate-read'`, [DB]);
    // Each session's last statement: the catalogue's and the requests' reads (a stream's last is its RESET).
    expect(onStandby.some((r) => /\bFROM (station|dataset|observed_property|observation)\b/.test(r.query))).toBe(true);
    // Backends report their scans when idle, within seconds: the observation reads ran on the standby...
    await eventually('the standby to count scans of observation', async () => ((await scans(standby)) > scansBefore.standby ? true : undefined), 60_000);
    // ...and none on the primary.
    expect(await scans(primary)).toBe(scansBefore.primary);
  });

  test('SOS-T write operations run on the primary, look-ups included, and the writer reads its write back', async () => {
    const [t] = await primary.sql<{ offering: string; procedure: string; station: string }>(
      `SELECT d.code AS offering, se.code AS procedure, s.code AS station FROM dataset d JOIN sensor se ON se.id = d.sensor_id
         JOIN station s ON s.id = d.station_id JOIN observed_property p ON p.id = d.property_id
        WHERE p.vocabulary_uri = $1 AND p.uom = 'Cel' ORDER BY d.code LIMIT 1`,
      [TEMP_URI],
      DB,
    );
    // The standby stops replaying: whatever is written now, only the primary has.
    await standby.sql('SELECT pg_wal_replay_pause()', [], DB);
    try {
      // One keep-alive connection: one worker, the one that writes.
      const post = (xml: string) => fetch(`${gw!.base}/sos`, { method: 'POST', headers: { 'Content-Type': 'application/xml', 'X-API-Key': KEY }, body: xml }).then(async (r) => ({ status: r.status, body: await r.text() }));
      // The template is stored with a plain INSERT (a standby would refuse it), InsertResult looks it up first.
      const tr = await post(insertResultTemplateDoc(t.offering, t.procedure, t.station));
      expect([tr.status, tr.body.slice(0, 300)]).toEqual([200, expect.stringContaining('acceptedTemplate')]);
      const id = /<sos:acceptedTemplate>([^<]+)</.exec(tr.body)![1];
      const ir = await post(insertResultDoc(id, '2025-06-01T00:00:00Z,21.25,1@@2025-06-01T01:00:00Z,21.5,1@@'));
      expect([ir.status, ir.body.slice(0, 300)]).toEqual([200, expect.stringContaining('InsertResultResponse')]);
      const read = await fetch(`${gw!.base}/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${t.offering}&responseFormat=text/csv&temporalFilter=om:phenomenonTime,2025-06-01T00:00:00Z/2025-06-02T00:00:00Z`);
      const csv = await read.text();
      expect(read.status).toBe(200);
      expect(csv).toContain('21.25');
      expect(csv).toContain('21.5');
      // The standby has neither the template nor the values yet.
      expect(await standby.sql('SELECT 1 FROM sos_result_template WHERE id = $1', [id], DB)).toEqual([]);
    } finally {
      await standby.sql('SELECT pg_wal_replay_resume()', [], DB);
    }
    await replayed();
  });

  test('WORKERS=1: the one process migrates on the primary, then reads on the standby', async () => {
    // Migrations write: they must not be routed like the reads (a standby refuses them).
    const one = await startGateway({ DATABASE_URL: primary.url(DB), READ_DATABASE_URLS: standby.url(DB), WORKERS: '1', LOG_LEVEL: 'warn' }, 180_000);
    try {
      expect(JSON.parse((await freshGet(`${one.base}/readyz`)).body)).toMatchObject({ status: 'ready', readReplicas: { configured: 1 } });
      // The monitor's first probe may still be running on a busy machine: until it has found the standby
      // in rotation, reads go to the primary (by design), and this test is about where they go after.
      await eventually('the standby in rotation', async () => (JSON.parse((await freshGet(`${one.base}/readyz`)).body).readReplicas?.inRotation === 1 ? true : undefined));
      for (const r of reads()) {
        const res = await freshGet(`${one.base}${r.url}`);
        expect([r.url, res.status]).toEqual([r.url, 200]);
        expect(r.ok(res.body)).toBe(true);
      }
      const m = (await freshGet(`${one.base}/metrics`)).body;
      expect(sample(m, 'reefgate_db_reads_total{target="replica"}')).toBeGreaterThan(0);
      expect(sample(m, 'reefgate_cluster_workers')).toBeUndefined(); // one process, no cluster
    } finally {
      one.proc.kill('SIGTERM');
      await new Promise((res) => one.proc.once('exit', res));
    }
  });

  test('the standby stopped and started again under load: no request fails, and reads come back to it', async () => {
    const failures: string[] = [];
    let served = 0;
    let stop = false;
    const load = async (k: number) => {
      const list = reads();
      for (let i = k; !stop; i++) {
        const r = list[i % list.length];
        try {
          const res = await fetch(`${gw!.base}${r.url}`);
          const body = await res.text();
          if (res.status !== 200 || !r.ok(body)) failures.push(`${res.status} ${r.url}: ${body.slice(0, 300)}`);
        } catch (err) {
          failures.push(`${(err as Error).message} ${r.url}`);
        }
        served++;
      }
    };
    const loops = [0, 1, 2, 3].map(load);
    try {
      await eventually('load running', () => (served > 20 ? true : undefined));
      const primaryBefore = await primaryReads();
      await standby.stop();
      const atStop = served;
      // Reads go on from the primary while the standby is down.
      await eventually('requests served while the standby is down', () => (served > atStop + 100 ? true : undefined));
      expect(sample(await metrics(), 'reefgate_db_replica_in_rotation{replica="0"}')).toBe(0);
      expect(await primaryReads()).toBeGreaterThan(primaryBefore);
      await standby.start();
      await eventually('the standby back in rotation', async () => (sample(await metrics(), 'reefgate_db_replica_in_rotation{replica="0"}') === 1 ? true : undefined));
      const back = await replicaReads();
      await eventually('reads on the standby again', async () => ((await replicaReads()) > back + 20 ? true : undefined));
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(120);
    const onStandby = await standby.sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'reefgate-read'`, [DB]);
    expect(onStandby[0].n).toBeGreaterThan(0);
  });

  describe('on the store (openServingStore), replay paused on the standby', () => {
    let store: Store;
    let other: PgStore;
    const cfg = (maxLagMs: number): Config =>
      loadConfig({ DATABASE_URL: primary.url(DB), READ_DATABASE_URLS: standby.url(DB), READ_MAX_LAG_MS: String(maxLagMs), PG_POOL_MAX: '2', WORKERS: '1' });
    const stationName = async (db: { query: Store['query'] }) => (await db.query<{ name: string }>('SELECT name FROM station WHERE code = $1', ['NCL_OUVEA01'])).rows[0]?.name;
    const stats = () => store.routingStats!();
    /** Waits until the store counts the standby in rotation (or, with false, out of it). */
    const rotation = (what: string, inRotation = true) => eventually(what, () => (stats().replicas[0].inRotation === inRotation ? true : undefined));
    /** The standby in rotation, then its replay paused: what is written from now on, only the primary has. */
    async function pauseStandby(): Promise<void> {
      await rotation('the standby in rotation');
      await standby.sql('SELECT pg_wal_replay_pause()', [], DB);
    }
    /** The standby's replay resumed: once it is back in rotation, it serves the next read, which sees `renamed`. */
    async function resumedStandbyServes(renamed: string): Promise<void> {
      await standby.sql('SELECT pg_wal_replay_resume()', [], DB);
      await rotation('the standby back in rotation');
      const replicaBefore = stats().reads.replica;
      expect(await stationName(store)).toBe(renamed);
      expect(stats().reads.replica).toBe(replicaBefore + 1);
    }

    beforeAll(async () => {
      other = new PgStore({ connectionString: primary.url(DB), max: 1 });
      const exists = await stationName(other);
      expect(exists).toBeDefined();
    });
    afterEach(async () => {
      await standby.sql('SELECT pg_wal_replay_resume()', [], DB);
      await store?.close();
    });
    afterAll(async () => {
      await other.close();
    });

    test('read-your-writes: after a commit through the store, its reads stay on the primary until the standby has replayed it', async () => {
      store = await openServingStore(cfg(60_000));
      await pauseStandby();
      const renamed = `Ouvéa renamed ${Date.now()}`;
      await store.transaction((s) => s.query('UPDATE station SET name = $1 WHERE code = $2', [renamed, 'NCL_OUVEA01']));
      const viaStandby = new PgStore({ connectionString: standby.url(DB), max: 1 });
      try {
        // The standby still has the old name, and will while its replay is paused...
        expect(await stationName(viaStandby)).not.toBe(renamed);
        // ...but the store's reads see the write, from the primary.
        const primaryBefore = stats().reads.primary;
        expect(await stationName(store)).toBe(renamed);
        expect(stats().reads.primary).toBe(primaryBefore + 1);
        expect(stats().replicas[0].inRotation).toBe(false);
        // Streams too.
        for await (const rows of store.stream<{ name: string }>('SELECT name FROM station WHERE code = $1', ['NCL_OUVEA01'])) expect(rows[0].name).toBe(renamed);
        // Once replayed, the standby serves again, with the write.
        await resumedStandbyServes(renamed);
      } finally {
        await viaStandby.close();
      }
    });

    test('a change another process announces (NOTIFY) sends reads to the primary until the standby has replayed it', async () => {
      store = await openServingStore(cfg(60_000));
      const sub = listenForChanges(store, createLogger('silent'))!;
      try {
        await sub.ready;
        await pauseStandby();
        // Another gateway's write: committed with its notification, as the one write path does.
        const renamed = `Ouvéa announced ${Date.now()}`;
        await other.transaction(async (s) => {
          await s.query('UPDATE station SET name = $1 WHERE code = $2', [renamed, 'NCL_OUVEA01']);
          await s.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, changePayload({ runId: 0, datasets: [], catalogue: true })]);
        });
        await eventually('the notification', () => (sub.received > 0 ? true : undefined));
        // Well within READ_MAX_LAG_MS (60 s): only the notification can have taken the standby out.
        expect(await stationName(store)).toBe(renamed);
        expect(stats().replicas[0].inRotation).toBe(false);
        await resumedStandbyServes(renamed);
      } finally {
        await sub.close();
      }
    });

    test('a read running on the standby when it stops is run again on the primary, query and stream alike', async () => {
      store = await openServingStore(cfg(60_000));
      await rotation('the standby in rotation');
      const slow = 'SELECT pg_sleep(3) AS slept, (SELECT count(*)::int FROM station) AS n';
      const query = store.query<{ n: number }>(slow);
      const stream = (async () => {
        const out: { n: number }[] = [];
        for await (const rows of store.stream<{ n: number }>(slow, [])) out.push(...rows);
        return out;
      })();
      // Both are running on the standby...
      await eventually('both reads running on the standby', async () => {
        const [r] = await standby.sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'reefgate-read' AND state = 'active' AND query LIKE 'SELECT pg_sleep(3)%'`);
        return r.n === 2 ? true : undefined;
      });
      // ...when it shuts down (fast: their sessions are ended at once).
      await standby.stop();
      try {
        expect((await query).rows[0].n).toBe(30);
        expect((await stream).map((r) => r.n)).toEqual([30]);
        expect(stats().retried).toBe(2);
        expect(stats().replicas[0]).toMatchObject({ up: false, inRotation: false });
        // Later reads go straight to the primary.
        const before = stats();
        expect(await stationName(store)).toBeDefined();
        expect(stats().reads.primary).toBe(before.reads.primary + 1);
        expect(stats().retried).toBe(2);
      } finally {
        await standby.start();
      }
      await rotation('the standby back in rotation');
    });

    test('a standby further behind than READ_MAX_LAG_MS is skipped until it catches up, whoever wrote', async () => {
      store = await openServingStore(cfg(500));
      await pauseStandby();
      // Written by another process: this store learns of it only by measuring the standby's lag.
      const renamed = `Ouvéa elsewhere ${Date.now()}`;
      await other.query('UPDATE station SET name = $1 WHERE code = $2', [renamed, 'NCL_OUVEA01']);
      await rotation('the standby out of rotation', false);
      expect(stats().replicas[0].up).toBe(true);
      expect(stats().replicas[0].lagMs).toBeGreaterThan(500);
      expect(await stationName(store)).toBe(renamed);
      await resumedStandbyServes(renamed);
    });
  });
});
