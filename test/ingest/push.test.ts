import zlib from 'node:zlib';
import { Writable } from 'node:stream';
import supertest from 'supertest';
import { createTestApp, TestApp } from '../helpers/app';
import { usingPostgres } from '../helpers/env';
import { oneSeriesSet } from '../helpers/importSet';
import { parseApiKeys } from '../../src/security/apiKey';
import { PgStore } from '../../src/data/pgStore';
import { createApp } from '../../src/server';
import { createLogger } from '../../src/log';
import { listenForChanges } from '../../src/ingest/changes';
import type { Store } from '../../src/data/store';

/*
 * POST /ingest against the app (supertest) on a demo database: authentication, the import layout as
 * multipart or one file, gzip, the CLI's validation and all-or-nothing rule, JSON answers, and the
 * change visible at once in SOS and WFS, here and (PostgreSQL) on a second instance through NOTIFY.
 */

const KEY = 'push-key-0123456789';
const NET_KEY = 'net-key-0123456789';
const DEMO_DATASET = 'OUVEA01_TEMP_0A_SBE56';

// Station T_A (network TestNet), dataset TA_TEMP: 25.1 … 25.5 at 00:00 … 04:00 on 2024-03-01.
const { STATIONS, DATASETS, OBS } = oneSeriesSet({ station: 'T_A', name: 'Test A', network: 'TestNet', producer: 'IRD' }, 'TA_TEMP', '2024-03-01');

async function stored(store: Store) {
  const r = await store.query<{ st: number; ds: number; obs: number; runs: number; corr: number; sum: number }>(
    `SELECT (SELECT count(*)::int FROM station) st, (SELECT count(*)::int FROM dataset) ds, (SELECT count(*)::int FROM observation) obs,
            (SELECT count(*)::int FROM import_run) runs, (SELECT count(*)::int FROM observation_correction) corr,
            (SELECT coalesce(sum(value), 0)::float8 FROM observation) sum`,
  );
  return r.rows[0];
}

/** The last observation time of the demo dataset, as capabilities write it (before any push, in the demo data's year). */
async function demoEnd(store: Store): Promise<string> {
  const r = await store.query<{ t: string }>(`SELECT to_char(time_end AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') t FROM dataset WHERE code = $1`, [DEMO_DATASET]);
  expect(r.rows[0].t < '2025-01-01').toBe(true);
  return r.rows[0].t;
}

/** The end of an offering's phenomenon time in SOS 2.0 capabilities. */
function offeringEnd(xml: string, code: string): string | undefined {
  const at = xml.indexOf(`<swes:identifier>${code}</swes:identifier>`);
  if (at < 0) return undefined;
  return /<gml:endPosition>([^<]+)<\/gml:endPosition>/.exec(xml.slice(at))?.[1];
}

const sosCaps = (http: supertest.Agent) => http.get('/sos').query({ service: 'SOS', request: 'GetCapabilities', AcceptVersions: '2.0.0' });
const updateSeq = (xml: string) => /updateSequence="([^"]+)"/.exec(xml)![1];
const text = (r: supertest.Response) => (typeof r.text === 'string' ? r.text : String(r.body));

async function wfsCount(http: supertest.Agent, code: string): Promise<number | undefined> {
  const r = await http.get('/wfs').query({ service: 'WFS', version: '2.0.0', request: 'GetFeature', typeNames: 'reef:Dataset', outputFormat: 'application/json', resourceId: `Dataset.${code}` });
  const fc = JSON.parse(text(r)) as { features: { properties: { observationCount: number } }[] };
  return fc.features[0]?.properties.observationCount;
}

describe('POST /ingest', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ apiKeys: parseApiKeys(`${KEY},${NET_KEY}:TestNet`) });
  });
  afterAll(async () => {
    await t.close();
  });

  const push = (path = '/ingest') => t.http.post(path).set('X-API-Key', KEY);

  it('needs a key: none 401 (WWW-Authenticate), a wrong one 403, both JSON; nothing stored', async () => {
    const before = await stored(t.db.store);
    const none = await t.http.post('/ingest/observations').type('text/csv').send(OBS);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.headers['content-type']).toMatch(/^application\/json/);
    expect(none.body).toMatchObject({ status: 401, error: expect.stringMatching(/API key/) });
    const wrong = await t.http.post('/ingest/observations').set('Authorization', 'Bearer not-the-key').type('text/csv').send(OBS);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toBe('The API key is not valid');
    expect(JSON.stringify(wrong.body)).not.toContain(KEY);
    expect(await stored(t.db.store)).toEqual(before);
    // Reads stay anonymous.
    expect((await sosCaps(t.http)).status).toBe(200);
  });

  it('takes the layout as multipart (one run), and a re-send changes nothing', async () => {
    const first = await push().attach('stations', Buffer.from(STATIONS), 'stations.csv').attach('datasets', Buffer.from(DATASETS), 'datasets.csv').attach('observations', Buffer.from(OBS), 'observations.csv');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'ok',
      stations: { read: 1, written: 1 },
      datasets: { read: 1, written: 1 },
      observations: { read: 5, inserted: 5, corrected: 0, unchanged: 0, written: 5 },
      changed: true,
    });
    const runs = await t.db.store.query<{ source: string }>('SELECT source FROM import_run WHERE id = $1', [first.body.runId]);
    expect(runs.rows[0].source).toBe(`POST /ingest (key ${first.body.key})`);
    const before = await stored(t.db.store);
    const rows = (await t.db.store.query("SELECT o.* FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = 'TA_TEMP' ORDER BY time")).rows;
    const again = await push().attach('stations', Buffer.from(STATIONS), 'stations.csv').attach('datasets', Buffer.from(DATASETS), 'datasets.csv').attach('observations', Buffer.from(OBS), 'observations.csv');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ stations: { written: 0 }, datasets: { written: 0 }, observations: { read: 5, inserted: 0, corrected: 0, unchanged: 5, written: 0 }, changed: false });
    expect(await stored(t.db.store)).toEqual({ ...before, runs: before.runs + 1 });
    expect((await t.db.store.query("SELECT o.* FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = 'TA_TEMP' ORDER BY time")).rows).toEqual(rows);
  });

  it('a changed value is a correction, recorded; one file per request at /ingest/observations', async () => {
    const r = await push('/ingest/observations').type('text/csv').send(OBS.replace('25.3,1', '25.9,3'));
    expect(r.status).toBe(200);
    expect(r.body.observations).toEqual({ read: 5, inserted: 0, corrected: 1, unchanged: 4, written: 1 });
    const c = await t.db.store.query<{ old_value: number; old_qc: number; new_value: number; new_qc: number; import_run_id: number }>(
      `SELECT old_value, old_qc, new_value, new_qc, import_run_id FROM observation_correction ORDER BY id DESC LIMIT 1`,
    );
    expect(c.rows[0]).toEqual({ old_value: 25.3, old_qc: 1, new_value: 25.9, new_qc: 3, import_run_id: r.body.runId });
  });

  it('a bad row in the middle stores nothing of the request (stations and datasets included) and names file, line and column', async () => {
    const before = await stored(t.db.store);
    const bad = OBS.replace('TA_TEMP,2024-03-01T02:00:00Z,25.3,1', 'TA_TEMP,2024-03-01T02:00:00Z,2x5.3,1').replace(/TA_TEMP/g, 'TB_TEMP');
    const r = await push()
      .attach('stations', Buffer.from(STATIONS.replace(/T_A/g, 'T_B')), 'stations.csv')
      .attach('datasets', Buffer.from(DATASETS.replace(/T_A/g, 'T_B').replace('TA_TEMP', 'TB_TEMP')), 'datasets.csv')
      .attach('observations', Buffer.from(bad), 'observations.csv');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      status: 400,
      error: 'observations.csv:4: column value: not a number: "2x5.3"; nothing was stored',
      file: 'observations.csv',
      line: 4,
      column: 'value',
      reason: 'not a number: "2x5.3"',
    });
    expect(await stored(t.db.store)).toEqual(before);
    const st = await t.db.store.query("SELECT 1 FROM station WHERE code = 'T_B'");
    expect(st.rows).toEqual([]);
  });

  it('takes gzip: by Content-Encoding, and a gzip file part recognised by its content; corrupt gzip is a 400', async () => {
    const more = 'dataset_id,time,value,qc\nTA_TEMP,2024-03-01T05:00:00Z,25.6,1\n';
    const enc = await push('/ingest/observations').set('Content-Encoding', 'gzip').type('text/csv').send(zlib.gzipSync(more));
    expect(enc.status).toBe(200);
    expect(enc.body.observations).toMatchObject({ read: 1, inserted: 1 });
    const part = await push().attach('observations', zlib.gzipSync(more.replace('05:00:00Z,25.6', '06:00:00Z,25.7')), 'observations.csv.gz');
    expect(part.status).toBe(200);
    expect(part.body.observations).toMatchObject({ read: 1, inserted: 1 });
    const before = await stored(t.db.store);
    const corrupt = zlib.gzipSync(more.replace('05:00', '07:00'));
    corrupt[corrupt.length - 6] ^= 0xff; // breaks the CRC
    const bad = await push('/ingest/observations').set('Content-Encoding', 'gzip').type('text/csv').send(corrupt);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/gzip/);
    expect(await stored(t.db.store)).toEqual(before);
  });

  it('a key limited to networks writes those, and is refused (403, file/line/column) for another network', async () => {
    const ok = await t.http.post('/ingest/observations').set('X-API-Key', NET_KEY).type('text/csv').send('dataset_id,time,value,qc\nTA_TEMP,2024-03-02T00:00:00Z,26,1\n');
    expect(ok.status).toBe(200);
    const before = await stored(t.db.store);
    const obs = `dataset_id,time,value,qc\nTA_TEMP,2024-03-02T01:00:00Z,26,1\n${DEMO_DATASET},2025-01-01T00:00:00Z,26,1\n`;
    const r = await t.http.post('/ingest/observations').set('X-API-Key', NET_KEY).type('text/csv').send(obs);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ file: 'observations.csv', line: 3, column: 'dataset_id', reason: expect.stringMatching(/network "ReefTEMPS"/) });
    const st = await t.http.post('/ingest/stations').set('X-API-Key', NET_KEY).type('text/csv').send(STATIONS.replace('TestNet', 'ReefTEMPS'));
    expect(st.status).toBe(403);
    expect(st.body).toMatchObject({ file: 'stations.csv', line: 2, column: 'network' });
    expect(await stored(t.db.store)).toEqual(before);
  });

  it('refuses bodies it cannot take, with JSON: wrong media type, unknown part, parts out of order, wrong method', async () => {
    const before = await stored(t.db.store);
    const plain = await push().type('text/csv').send(OBS);
    expect(plain.status).toBe(415);
    const unknown = await push().attach('readings', Buffer.from(OBS), 'readings.csv');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/Unknown part "readings"/);
    const order = await push().attach('observations', Buffer.from(OBS), 'observations.csv').attach('stations', Buffer.from(STATIONS), 'stations.csv');
    expect(order.status).toBe(400);
    expect(order.body).toMatchObject({ file: 'stations.csv', reason: expect.stringMatching(/stations comes after observations/) });
    const enc = await push('/ingest/observations').set('Content-Encoding', 'br').type('text/csv').send(OBS);
    expect(enc.status).toBe(415);
    const get = await t.http.get('/ingest');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(await stored(t.db.store)).toEqual(before);
  });

  it('CORS preflight lets browsers send the key and a gzip body', async () => {
    const r = await t.http.options('/ingest').set('Origin', 'https://tools.example').set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'x-api-key, authorization, content-encoding');
    expect(r.status).toBe(204);
    const allowed = String(r.headers['access-control-allow-headers']).toLowerCase();
    for (const h of ['x-api-key', 'authorization', 'content-encoding', 'content-type']) expect(allowed).toContain(h);
  });

  it('the push is visible at once: SOS updateSequence and offering extent, WFS Dataset count', async () => {
    const caps0 = text(await sosCaps(t.http)); // also loads the catalogue this instance reuses for 2 s
    const n0 = (await wfsCount(t.http, DEMO_DATASET))!;
    expect(offeringEnd(caps0, DEMO_DATASET)).toBe(await demoEnd(t.db.store));
    const r = await push('/ingest/observations').type('text/csv').send(`dataset_id,time,value,qc\n${DEMO_DATASET},2025-01-01T00:30:00Z,27.5,1\n`);
    expect(r.status).toBe(200);
    const caps1 = text(await sosCaps(t.http));
    expect(updateSeq(caps1) > updateSeq(caps0)).toBe(true);
    expect(offeringEnd(caps1, DEMO_DATASET)).toBe('2025-01-01T00:30:00Z');
    expect(await wfsCount(t.http, DEMO_DATASET)).toBe(n0 + 1);
  });

  it('a body over INGEST_MAX_BODY_BYTES is refused with 413 and nothing stored', async () => {
    const small = await createTestApp({ apiKeys: parseApiKeys(KEY), ingestMaxBodyBytes: 2048 });
    try {
      const before = await stored(small.db.store);
      const big = 'dataset_id,time,value,qc\n' + Array.from({ length: 200 }, (_, i) => `${DEMO_DATASET},2026-01-01T00:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z,1,1`).join('\n');
      // Content-Length over the limit: refused before reading.
      const r = await small.http.post('/ingest/observations').set('X-API-Key', KEY).type('text/csv').send(big);
      expect(r.body).toMatchObject({ status: 413, error: expect.stringMatching(/INGEST_MAX_BODY_BYTES/) });
      // gzip shrinks the upload below the limit, but it is counted decoded: found while streaming, after
      // part of the rows went to COPY.
      const z = await small.http.post('/ingest/observations').set('X-API-Key', KEY).set('Content-Encoding', 'gzip').type('text/csv').send(zlib.gzipSync(big));
      expect(z.status).toBe(413);
      expect(await stored(small.db.store)).toEqual(before);
    } finally {
      await small.close();
    }
  });

  it('writes are disabled without API keys (403), and keys never reach the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    const log = createLogger('debug', sink);
    const off = createApp({ config: { ...t.config, apiKeys: [] }, store: t.db.store, log });
    const r = await supertest(off).post('/ingest/observations').set('X-API-Key', KEY).type('text/csv').send(OBS);
    expect(r.status).toBe(403);
    expect(r.body.error).toMatch(/disabled/);
    const on = createApp({ config: t.config, store: t.db.store, log });
    expect((await supertest(on).post('/ingest/observations').set('Authorization', `Bearer ${KEY}`).type('text/csv').send(OBS)).status).toBe(200);
    expect((await supertest(on).post('/ingest/observations').set('X-API-Key', `${KEY}-wrong`).type('text/csv').send(OBS)).status).toBe(403);
    // Were a future log line to include request headers or the configuration, they are redacted.
    log.info({ req: { headers: { authorization: `Bearer ${KEY}`, 'x-api-key': KEY } }, config: t.config }, 'probe');
    const out = lines.join('');
    expect(out).toMatch(/ingest committed/);
    expect(out).toMatch(/\[redacted\]/);
    expect(out).not.toContain(KEY);
  });
});

(usingPostgres() ? describe : describe.skip)('POST /ingest seen by a second gateway on the same database (PostgreSQL NOTIFY)', () => {
  let t: TestApp;
  let other: PgStore;
  beforeAll(async () => {
    t = await createTestApp({ apiKeys: parseApiKeys(KEY) });
    other = new PgStore({ connectionString: t.db.url! });
  });
  afterAll(async () => {
    await other.close();
    await t.close();
  });

  it('drops the other instance cached catalogue at commit, so its capabilities show the push at once', async () => {
    const log = createLogger('silent');
    const sub = listenForChanges(other, log)!;
    try {
      await sub.ready;
      const second = supertest(createApp({ config: t.config, store: other, log }));
      const caps0 = text(await sosCaps(second as unknown as supertest.Agent));
      expect(offeringEnd(caps0, DEMO_DATASET)).toBe(await demoEnd(t.db.store));
      const r = await t.http.post('/ingest/observations').set('X-API-Key', KEY).type('text/csv').send(`dataset_id,time,value,qc\n${DEMO_DATASET},2025-02-01T00:00:00Z,27,1\n`);
      expect(r.status).toBe(200);
      // The notification travels through PostgreSQL; wait for it, not for the catalogue's 2 s reuse period.
      for (let i = 0; i < 100 && sub.received === 0; i++) await new Promise((res) => setTimeout(res, 20));
      expect(sub.received).toBe(1);
      const caps1 = text(await sosCaps(second as unknown as supertest.Agent));
      expect(offeringEnd(caps1, DEMO_DATASET)).toBe('2025-02-01T00:00:00Z');
      expect(updateSeq(caps1) > updateSeq(caps0)).toBe(true);
    } finally {
      await sub.close();
    }
  });
});
