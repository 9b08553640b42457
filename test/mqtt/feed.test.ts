import type { MqttClient } from 'mqtt';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/log';
import { MqttService, startMqtt } from '../../src/mqtt/service';
import { createTestApp, TestApp } from '../helpers/app';
import { collect, connectClient, dropSession, publishAll, uniqueFeed, until, BROKER_URL } from './support';

/*
 * The MQTT feed against the real Mosquitto broker, in process over a test database (both stores): each
 * payload form is stored, redeliveries and repeats are stored once, malformed messages go to the
 * dead-letter topic without stopping the feed, and a published observation shows in GetObservation.
 */

const DS = 'OUVEA01_TEMP_0A_SBE56';

let t: TestApp;
let svc: MqttService;
let pub: MqttClient;
const feed = uniqueFeed();

beforeAll(async () => {
  t = await createTestApp();
  const cfg = loadConfig({ LOG_LEVEL: 'silent', MQTT_URL: BROKER_URL, MQTT_TOPIC_PREFIX: feed.prefix, MQTT_CLIENT_ID: feed.clientId, MQTT_LEADER_POLL_MS: '200', DATABASE_URL: t.db.url });
  svc = startMqtt(cfg, t.db.store, createLogger('silent'))!;
  pub = await connectClient();
  await until(() => svc.consuming(), 'the feed to subscribe');
});
afterAll(async () => {
  await pub?.endAsync();
  await svc?.close();
  await dropSession(feed.clientId);
  await t?.close();
});

/** The stored observations of the demo dataset at these ISO times (value and qc), by time. */
async function stored(times: string[]): Promise<Map<string, { value: number | null; qc: number }>> {
  const r = await t.db.store.query<{ t: string; value: number | null; qc: number }>(
    `SELECT to_char(o.time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') t, o.value, o.qc
       FROM observation o JOIN dataset d ON d.id = o.dataset_id
      WHERE d.code = $1 AND o.time = ANY($2::timestamptz[])`,
    [DS, times],
  );
  return new Map(r.rows.map((x) => [x.t, { value: x.value === null ? null : Number(x.value), qc: Number(x.qc) }]));
}

const topic = (ds = DS) => `${feed.prefix}/obs/${ds}`;

test('JSON object, JSON array and CSV lines are stored, with qc defaulting to 0', async () => {
  await pub.publishAsync(topic(), JSON.stringify({ time: '2030-01-01T00:00:00Z', value: 21.5, qc: 1 }), { qos: 1 });
  await pub.publishAsync(topic(), JSON.stringify([{ time: '2030-01-01T01:00:00Z', value: 21.6 }, { time: '2030-01-01T02:00:00+11:00', value: null, qc: 9 }]), { qos: 1 });
  await pub.publishAsync(topic(), '2030-01-01T03:00:00Z,21.8,2\n2030-01-01T04:00:00Z,21.9\n2030-01-01T05:00:00Z,,9\n', { qos: 1 });
  const times = ['2030-01-01T00:00:00Z', '2030-01-01T01:00:00Z', '2029-12-31T15:00:00Z', '2030-01-01T03:00:00Z', '2030-01-01T04:00:00Z', '2030-01-01T05:00:00Z'];
  await until(async () => (await stored(times)).size === 6, 'six rows');
  const rows = await stored(times);
  expect(Object.fromEntries(rows)).toEqual({
    '2030-01-01T00:00:00Z': { value: 21.5, qc: 1 },
    '2030-01-01T01:00:00Z': { value: 21.6, qc: 0 },
    '2029-12-31T15:00:00Z': { value: null, qc: 9 },
    '2030-01-01T03:00:00Z': { value: 21.8, qc: 2 },
    '2030-01-01T04:00:00Z': { value: 21.9, qc: 0 },
    '2030-01-01T05:00:00Z': { value: null, qc: 9 },
  });
});

test('a message sent many times (and repeats inside one batch) is stored once; a later value is a recorded correction', async () => {
  const body = JSON.stringify({ time: '2030-02-01T00:00:00Z', value: 22, qc: 1 });
  await publishAll(pub, 50, () => topic(), () => body, 50);
  await until(async () => (await stored(['2030-02-01T00:00:00Z'])).size === 1, 'the first value');
  await pub.publishAsync(topic(), JSON.stringify({ time: '2030-02-01T00:00:00Z', value: 22.5, qc: 1 }), { qos: 1 });
  const correction = async () =>
    (await t.db.store.query<{ n: number }>(`SELECT count(*)::int n FROM observation_correction c JOIN dataset d ON d.id = c.dataset_id WHERE d.code = $1 AND c.time = '2030-02-01T00:00:00Z'`, [DS])).rows[0].n;
  await until(async () => (await stored(['2030-02-01T00:00:00Z'])).get('2030-02-01T00:00:00Z')?.value === 22.5, 'the correction');
  const n = await t.db.store.query<{ n: number }>(`SELECT count(*)::int n FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1 AND o.time = '2030-02-01T00:00:00Z'`, [DS]);
  expect(n.rows[0].n).toBe(1);
  expect(await correction()).toBe(1);
});

test('malformed messages go to the dead-letter topic with the reason, and the feed goes on', async () => {
  const dead = await collect(`${feed.prefix}/dead/#`);
  try {
    await pub.publishAsync(topic(), '{"time": "2030-03-01T00:00:00Z", "value": ', { qos: 1 });
    await pub.publishAsync(topic('NO_SUCH_DATASET'), JSON.stringify({ time: '2030-03-01T00:00:00Z', value: 1 }), { qos: 1 });
    await pub.publishAsync(topic(), JSON.stringify({ time: '2030-02-30T00:00:00Z', value: 1 }), { qos: 1 });
    await pub.publishAsync(topic(), '2030-03-01T00:00:00,1.0', { qos: 1 }); // no zone
    await pub.publishAsync(topic(), '2030-03-01T00:00:00Z,0x1f', { qos: 1 });
    await pub.publishAsync(topic(), JSON.stringify({ time: '2030-03-01T00:00:00Z', value: 1, qc: 12 }), { qos: 1 });
    await pub.publishAsync(topic(), JSON.stringify({ time: '2030-03-01T06:00:00Z', value: 23.25, qc: 1 }), { qos: 1 });
    await until(() => dead.messages.length >= 6, 'six dead letters');
    await until(async () => (await stored(['2030-03-01T06:00:00Z'])).size === 1, 'the good message after the bad ones');
    const byTopic = dead.messages.map((m) => [m.topic, m.body.reason]);
    expect(byTopic).toEqual(expect.arrayContaining([
      [`${feed.prefix}/dead/${DS}`, 'malformed JSON'],
      [`${feed.prefix}/dead/NO_SUCH_DATASET`, 'unknown dataset "NO_SUCH_DATASET"'],
      [`${feed.prefix}/dead/${DS}`, expect.stringMatching(/invalid ISO 8601 time .*2030-02-30/)],
      [`${feed.prefix}/dead/${DS}`, expect.stringMatching(/line 1: invalid ISO 8601 time/)],
      [`${feed.prefix}/dead/${DS}`, 'line 1: value is not a number: "0x1f"'],
      [`${feed.prefix}/dead/${DS}`, 'quality flag must be a digit 0-9: 12'],
    ]));
    expect(dead.messages.every((m) => m.body.topic && typeof m.body.payload === 'string')).toBe(true);
    expect((await stored(['2030-03-01T00:00:00Z'])).size).toBe(0); // none of the bad ones stored
  } finally {
    await dead.close();
  }
});

test('a published observation is visible in GetObservation once acknowledged', async () => {
  await pub.publishAsync(topic(), JSON.stringify({ time: '2031-05-05T05:05:00Z', value: 24.125, qc: 1 }), { qos: 1 });
  const latest = () => t.http.get(`/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${DS}&responseFormat=text/csv&temporalFilter=om:phenomenonTime,latest`);
  await until(async () => (await latest()).text.includes('2031-05-05T05:05:00'), 'the latest observation');
  const r = await latest();
  expect(r.status).toBe(200);
  expect(r.text).toContain('24.125');
});
