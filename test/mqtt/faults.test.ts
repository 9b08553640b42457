import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { Client } from 'pg';
import { usingPostgres } from '../helpers/env';
import { GatewayProcess, ROOT, startGateway } from '../helpers/gatewayProcess';
import { createCluster, ScratchCluster } from './cluster';
import { BROKER_URL, connectClient, dropSession, publishAll, uniqueFeed, until } from './support';

/*
 * Nothing lost, nothing doubled: the real gateway process (`npm start` with MQTT_URL) consuming from the
 * real Mosquitto into a PostgreSQL cluster of the test's own, which the test stops and starts mid-stream;
 * a gateway killed with SIGKILL while writing; two gateways of which only the leader consumes.
 */
const pgOnly = usingPostgres() ? describe : describe.skip;

const DATASETS = Array.from({ length: 10 }, (_, i) => `MQ${i}_TEMP`);

pgOnly('MQTT feed faults (own PostgreSQL cluster, real gateway processes)', () => {
  let cluster: ScratchCluster;
  let db: Client | undefined;
  let pub: MqttClient;
  const gateways: GatewayProcess[] = [];
  const sessions: string[] = [];

  beforeAll(async () => {
    cluster = await createCluster('mqtt');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-mqtt-'));
    fs.writeFileSync(path.join(dir, 'stations.csv'), 'station_id,name,network,producer,country,lat,lon,depth_m\nMQ_ST,MQTT station,MqttNet,IRD,NCL,-22.3,166.4,5\n');
    fs.writeFileSync(path.join(dir, 'datasets.csv'), 'dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end\n' +
      DATASETS.map((d, i) => `${d},MQ_ST,TEMP,sea_water_temperature,Sea temperature,Cel,RAW DATA,F${i},,`).join('\n') + '\n');
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: cluster.url, LOG_LEVEL: 'warn' };
    delete env.NODE_OPTIONS;
    execFileSync(process.execPath, ['dist/src/main.js', 'migrate'], { cwd: ROOT, env, stdio: 'pipe' });
    execFileSync(process.execPath, ['dist/src/main.js', 'import', dir], { cwd: ROOT, env, stdio: 'pipe' });
    fs.rmSync(dir, { recursive: true });
    pub = await connectClient();
  }, 120_000);

  afterAll(async () => {
    for (const g of gateways) if (g.proc.exitCode === null) g.proc.kill('SIGKILL');
    await pub?.endAsync();
    await db?.end().catch(() => undefined);
    for (const s of sessions) await dropSession(s);
    cluster?.drop();
  });

  /** A fresh client each time: the cluster goes down under it. */
  async function query<R>(text: string, values: unknown[] = []): Promise<R[]> {
    for (;;) {
      try {
        if (!db) {
          db = new Client({ connectionString: cluster.url });
          db.on('error', () => undefined);
          await db.connect();
        }
        return (await db.query(text, values)).rows as R[];
      } catch {
        await db?.end().catch(() => undefined);
        db = undefined;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  const count = async (after: string) => (await query<{ n: number }>(`SELECT count(*)::int n FROM observation WHERE time >= $1`, [after]))[0].n;

  async function gateway(feed: { prefix: string; clientId: string }, extra: Record<string, string> = {}): Promise<GatewayProcess> {
    const g = await startGateway({ DATABASE_URL: cluster.url, MQTT_URL: BROKER_URL, MQTT_TOPIC_PREFIX: feed.prefix, MQTT_CLIENT_ID: feed.clientId, MQTT_LEADER_POLL_MS: '300', LOG_LEVEL: 'info', ...extra }, 120_000);
    gateways.push(g);
    return g;
  }
  const subscribed = (g: GatewayProcess) => until(() => g.stdout().includes('MQTT feed subscribed'), 'the gateway to subscribe');

  /** Every expected (dataset, time, value) stored exactly once. */
  async function expectExactly(after: string, n: number, datasetOf: (i: number) => string, valueOf: (i: number) => number) {
    const rows = await query<{ code: string; ms: string; value: number }>(
      `SELECT d.code, (extract(epoch FROM o.time) * 1000)::bigint AS ms, o.value FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE o.time >= $1`, [after]);
    expect(rows.length).toBe(n);
    const t0 = Date.parse(after);
    const seen = new Set<number>();
    for (const r of rows) {
      const i = (Number(r.ms) - t0) / 60_000;
      expect(r.code).toBe(datasetOf(i));
      expect(Number(r.value)).toBeCloseTo(valueOf(i), 6);
      seen.add(i);
    }
    expect(seen.size).toBe(n);
  }

  const iso = (t0: string, i: number) => new Date(Date.parse(t0) + i * 60_000).toISOString();

  test('100,000 observations published while the database is stopped and restarted: every one stored exactly once', async () => {
    const feed = uniqueFeed();
    sessions.push(feed.clientId);
    const g = await gateway(feed, { MQTT_BATCH_MESSAGES: '1000' });
    await subscribed(g);
    const T0 = '2040-01-01T00:00:00.000Z';
    // 5 observations per message: 20,000 messages, alternately a JSON array and CSV lines. Fewer than the
    // gateway's Receive Maximum (65,535), so the broker can hand all of them over unacknowledged and its
    // packaged per-session queue limit (1000, beyond which Mosquitto drops) never comes into play.
    const PER = 5;
    const N = 100_000;
    const payload = (m: number) => {
      const idx = Array.from({ length: PER }, (_, k) => m * PER + k);
      // Observation i belongs to dataset i mod 10; one message carries consecutive ones of one dataset.
      return m % 2 === 0
        ? JSON.stringify(idx.map((i) => ({ time: iso(T0, i), value: i / 100, qc: 1 })))
        : idx.map((i) => `${iso(T0, i)},${i / 100},1`).join('\n');
    };
    // Message m carries observations m*PER … m*PER+PER-1, all of dataset m mod 10.
    const topicOf = (m: number) => `${feed.prefix}/obs/${DATASETS[m % DATASETS.length]}`;
    const publishing = publishAll(pub, N / PER, topicOf, payload, 200);
    await until(async () => (await count(T0)) > 10_000, 'a tenth stored');
    cluster.stop();
    await new Promise((r) => setTimeout(r, 3000));
    expect(g.proc.exitCode).toBeNull(); // the gateway rides the outage out
    cluster.start();
    await publishing;
    await until(async () => (await count(T0)) >= N, 'all 100,000 stored', 300_000);
    expect(g.stdout()).toMatch(/MQTT batch not stored; retrying/); // the outage did hit a batch
    await expectExactly(T0, N, (i) => DATASETS[Math.floor(i / PER) % DATASETS.length], (i) => i / 100);
  }, 600_000);

  test('a gateway killed with SIGKILL mid-batch loses nothing: the next one gets the unacknowledged messages again', async () => {
    const feed = uniqueFeed();
    sessions.push(feed.clientId);
    // Small batches and a long batch wait keep the writing slow enough to be cut in the middle.
    const a = await gateway(feed, { MQTT_BATCH_MESSAGES: '200', MQTT_BATCH_MS: '200' });
    await subscribed(a);
    const T0 = '2041-01-01T00:00:00.000Z';
    const N = 20_000;
    const topic = (i: number) => `${feed.prefix}/obs/${DATASETS[i % DATASETS.length]}`;
    const body = (i: number) => JSON.stringify({ time: iso(T0, i), value: i / 10, qc: 2 });
    // Everything is published while the gateway runs: the broker hands it all over unacknowledged
    // (Receive Maximum), so none waits in its offline queue while no gateway is connected. The first
    // half is partly stored; then a lock holds every insert back while the second half arrives, so the
    // kill finds the gateway mid-write whatever the machine's speed (a gateway that kept up with the
    // publisher used to have stored all of it before the kill).
    await publishAll(pub, N / 2, topic, body, 200);
    await until(async () => (await count(T0)) > 0, 'a first batch stored');
    const locker = new Client({ connectionString: cluster.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE observation IN SHARE MODE');
    await publishAll(pub, N / 2, (i) => topic(i + N / 2), (i) => body(i + N / 2), 200);
    await until(
      async () => (await query<{ n: number }>(`SELECT count(*)::int n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> $1`, [(await locker.query('SELECT pg_backend_pid() p')).rows[0].p]))[0].n > 0,
      'the gateway waiting to insert',
    );
    a.proc.kill('SIGKILL');
    await new Promise((r) => a.proc.once('exit', r));
    const atKill = await count(T0);
    await locker.query('ROLLBACK');
    await locker.end();
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThanOrEqual(N / 2); // killed while writing: nothing of the second half was stored
    const b = await gateway(feed);
    await until(async () => (await count(T0)) >= N, 'all stored after the restart', 300_000);
    expect(b.stdout()).toMatch(/session resumed/);
    await expectExactly(T0, N, (i) => DATASETS[i % DATASETS.length], (i) => i / 10);
    b.proc.kill('SIGTERM');
    await new Promise((r) => b.proc.once('exit', r));
  }, 600_000);

  test('two gateways: only the leader consumes; when it dies the other takes over', async () => {
    const feed = uniqueFeed();
    sessions.push(feed.clientId);
    const a = await gateway(feed);
    await subscribed(a);
    const b = await gateway(feed);
    await until(() => /"state":"other"/.test(b.stdout()), 'the second gateway to stand by');
    const T0 = '2042-01-01T00:00:00.000Z';
    const topic = (i: number) => `${feed.prefix}/obs/${DATASETS[i % DATASETS.length]}`;
    const body = (i: number) => `${iso(T0, i)},${i},1`;
    await publishAll(pub, 500, topic, body, 100);
    await until(async () => (await count(T0)) >= 500, 'the first 500');
    const sources = async () => (await query<{ source: string }>(`SELECT DISTINCT source FROM import_run WHERE source LIKE $1`, [`%client ${feed.clientId},%`])).map((r) => r.source);
    expect(await sources()).toEqual([expect.stringContaining(`:${a.proc.pid})`)]);
    expect(b.stdout()).not.toMatch(/MQTT feed subscribed/);

    a.proc.kill('SIGKILL');
    await new Promise((r) => a.proc.once('exit', r));
    await subscribed(b);
    await publishAll(pub, 500, (i) => topic(500 + i), (i) => body(500 + i), 100);
    await until(async () => (await count(T0)) >= 1000, 'the next 500, through the new leader');
    await expectExactly(T0, 1000, (i) => DATASETS[i % DATASETS.length], (i) => i);
    const after = await sources();
    expect(after).toHaveLength(2);
    expect(after).toEqual(expect.arrayContaining([expect.stringContaining(`:${b.proc.pid})`)]));
    b.proc.kill('SIGTERM');
    await new Promise((r) => b.proc.once('exit', r));
  }, 600_000);
});
