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
    const PER = 5; // observations per message: 20,000 messages, alternately a JSON array and CSV lines
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
});
