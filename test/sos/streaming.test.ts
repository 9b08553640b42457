import http from 'node:http';
import { Client } from 'pg';
import type { Store } from '../../src/data/store';
import supertest from 'supertest';
import { createLogger } from '../../src/log';
import { createApp } from '../../src/server';
import { createTestApp, listeningApp, TestApp, textBody } from '../helpers/app';
import { countOf, exceptionOf } from './helpers';
import { usingPostgres } from '../helpers/env';

/** pg_stat_activity is PostgreSQL's; the embedded store has no second session to look from. */
const maybe = usingPostgres() ? describe : describe.skip;

/**
 * The longest series as O&M 2.0: ~1 KB per observation, far more than loopback socket buffers hold
 * (several MB each side), and many cursor batches, so a paused client holds that series' cursor open
 * mid-way. (The whole network as CSV can fit the buffers, and a pause between two series finds no
 * cursor open: both made this test depend on timing.)
 */
const seriesOm = (offering: string) =>
  `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${encodeURIComponent(offering)}&responseFormat=${encodeURIComponent('http://www.opengis.net/om/2.0')}`;
let longest = { code: '', n: 0 };

let srv: ReturnType<typeof listeningApp>;
let admin: Client;
let adminPid: number;

async function streamingBackends(): Promise<{ pid: number; state: string }[]> {
  const r = await admin.query<{ pid: number; state: string }>(
    `SELECT pid, state FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()
       AND query LIKE '%FROM observation o WHERE o.dataset_id = $1%' AND state <> 'idle'`,
    [srv.app.db.name],
  );
  return r.rows;
}

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the longest series' O&M download and pauses after the first chunk (backpressure holds the cursor open). */
function startPaused(): Promise<{ req: http.ClientRequest; res: http.IncomingMessage; first: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(srv.base + seriesOm(longest.code), (res) => {
      res.once('data', (chunk: Buffer) => {
        res.pause();
        resolve({ req, res, first: chunk.toString('utf8') });
      });
    });
    req.on('error', reject);
  });
}

maybe('streaming from a cursor (PostgreSQL)', () => {
  // Declared before listeningApp: Jest runs afterAll hooks in declaration order, and this session must
  // be gone before listeningApp's close drops the database.
  afterAll(async () => {
    await admin?.end().catch(() => undefined);
  });
  srv = listeningApp(
    {},
    {
      // The demo's series hold under 5,000 rows each, one cursor batch: a pause would land between two
      // series with no cursor open. Extend one series to span several batches (and ~35 MB of O&M).
      prepare: async (app) => {
        longest = await extendLongestSeries(app.db.store);
      },
    },
  );
  beforeAll(async () => {
    admin = new Client({ connectionString: srv.app.db.url });
    await admin.connect();
    admin.on('error', () => undefined);
    adminPid = (await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  });

  test('a client that disconnects stops the query', async () => {
    const { req, res, first } = await startPaused();
    expect(first.startsWith('<?xml')).toBe(true);
    expect(res.statusCode).toBe(200);
    const during = await waitFor(streamingBackends, (rows) => rows.length > 0);
    expect(during.length).toBeGreaterThan(0);
    req.destroy();
    const after = await waitFor(streamingBackends, (rows) => rows.length === 0);
    expect(after).toEqual([]);
  });

  test('an error after the first byte ends the response visibly (no clean end of a truncated document)', async () => {
    const NO_END = 'no end after 120 s';
    const { res } = await startPaused();
    const [backend] = await waitFor(streamingBackends, (rows) => rows.length > 0);
    expect(backend).toBeDefined();
    // The database goes away mid-stream: every session of the app is killed and new ones are refused,
    // so the cursor's next fetch fails after the headers and the first rows have been sent.
    // Listen before anything can fail: the server may notice the failure (and cut the connection)
    // before this test resumes reading.
    const ended = new Promise<{ complete: boolean; lines: number; error?: string }>((resolve) => {
      let observations = 0;
      let tail = '';
      let error: string | undefined;
      res.setEncoding('utf8');
      // Count observations without keeping the text (a chunk may cut a start tag: keep a short tail).
      res.on('data', (c: string) => {
        const s = tail + c;
        observations += s.split('<om:OM_Observation ').length - 1;
        tail = s.slice(-32).includes('<') ? s.slice(s.lastIndexOf('<')) : '';
      });
      res.on('error', (e) => (error = e.message));
      // The hang guard goes with the response: left pending, it kept this file's whole module graph
      // in the Jest worker for two minutes after the test.
      const guard = setTimeout(() => resolve({ complete: true, lines: -1, error: NO_END }), 120_000).unref();
      res.on('close', () => {
        clearTimeout(guard);
        resolve({ complete: res.complete, lines: observations, error });
      });
    });
    const root = new Client({ connectionString: process.env.DATABASE_URL });
    await root.connect();
    let outcome: { complete: boolean; lines: number; error?: string };
    try {
      await root.query(`ALTER DATABASE ${srv.app.db.name} ALLOW_CONNECTIONS false`);
      await root.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2', [srv.app.db.name, adminPid]);
      res.resume();
      outcome = await ended;
    } finally {
      await root.query(`ALTER DATABASE ${srv.app.db.name} ALLOW_CONNECTIONS true`);
      await root.end();
    }
    expect(outcome.error).not.toBe(NO_END);
    expect(outcome.complete).toBe(false);
    expect(outcome.lines).toBeLessThan(longest.n);
  });

  test('the server keeps serving after both', async () => {
    const r = await srv.app.http.get('/sos?service=SOS&version=2.0.0&request=GetObservation&offering=OUVEA01_TEMP_0A_SBE56&responseFormat=text/csv&temporalFilter=om:phenomenonTime,latest');
    expect(r.status).toBe(200);
    expect(r.text.trim().split('\n')).toHaveLength(2);
  });
});

/** Extends a demo series past several batches (30,000 one-minute rows after its end); returns its code and row count. */
async function extendLongestSeries(store: Store): Promise<{ code: string; n: number }> {
  const longest = (await store.query<{ code: string; n: number }>('SELECT code, obs_count::int AS n FROM dataset ORDER BY obs_count DESC LIMIT 1')).rows[0];
  // Every 7th value missing and a few flags other than 1, so nulls and flags cross batch boundaries too.
  await store.query(
    `INSERT INTO observation (dataset_id, time, value, qc)
     SELECT d.id, d.time_end + g * interval '1 minute', CASE WHEN g % 7 = 0 THEN NULL ELSE g * 0.001 END, CASE WHEN g % 1000 = 0 THEN 4 ELSE 1 END
       FROM dataset d, generate_series(1, 30000) g WHERE d.code = $1`,
    [longest.code],
  );
  await store.query(
    `UPDATE dataset d SET obs_count = s.n, time_end = s.e FROM (SELECT dataset_id, count(*)::int AS n, max(time) AS e FROM observation GROUP BY dataset_id) s
     WHERE s.dataset_id = d.id AND d.code = $1`,
    [longest.code],
  );
  return { code: longest.code, n: Number(longest.n) + 30_000 };
}

describe('a series longer than one batch (both stores)', () => {
  let app: TestApp;
  let series = { code: '', n: 0 };
  /** The series' rows as the database holds them: `time,value,qc` with the time as ISO 8601 UTC. */
  let expected: string[] = [];
  beforeAll(async () => {
    app = await createTestApp();
    series = await extendLongestSeries(app.db.store);
    const rows = await app.db.store.query<{ l: string }>(
      `SELECT to_char(o.time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ',' || coalesce(o.value::text, '') || ',' || o.qc AS l
         FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1 ORDER BY o.time`,
      [series.code],
    );
    expected = rows.rows.map((r) => r.l);
  });
  afterAll(async () => {
    await app.close();
  });

  test('every format, whole or windowed, gives exactly the database rows across batch boundaries', async () => {
    expect(expected).toHaveLength(series.n);
    const sos2 = (fmt: string, window = '') =>
      `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${encodeURIComponent(series.code)}&responseFormat=${encodeURIComponent(fmt)}${window}`;
    const between = (a: number, b: number) => `&temporalFilter=${encodeURIComponent(`om:phenomenonTime,${expected[a].split(',')[0]}/${expected[b - 1].split(',')[0]}`)}`;
    // Whole series (unfiltered: straight to the batch cursor); a window enclosing all of it (the one-string
    // attempt fills a batch, the cursor continues after it); a window inside one batch (one string only);
    // a window across several batch boundaries that starts mid-batch.
    const cases: [string, number, number][] = [
      ['', 0, series.n],
      [`&temporalFilter=${encodeURIComponent('om:phenomenonTime,1990-01-01T00:00:00Z/2100-01-01T00:00:00Z')}`, 0, series.n],
      [between(100, 2100), 100, 2100],
      [between(4321, 17654), 4321, 17654],
    ];
    for (const [w, a, b] of cases) {
      const want = expected.slice(a, b);
      const csv = (await app.http.get(sos2('text/csv', w))).text.trim().split('\n').slice(1);
      expect(csv.map((l) => l.split(',').slice(1).join(','))).toEqual(want);
      const json = JSON.parse((await app.http.get(sos2('application/json', w))).text);
      expect(json.series[0].points.map((p: [string, number | null, number]) => `${p[0]},${p[1] ?? ''},${p[2]}`)).toEqual(want);
      const timeValue = want.map((l) => l.split(',').slice(0, 2).join(','));
      const wml = (await app.http.get(sos2('http://www.opengis.net/waterml/2.0', w))).text;
      const wmlPoints = [...wml.matchAll(/<wml2:time>([^<]+)<\/wml2:time>(?:<wml2:value>([^<]*)<\/wml2:value>|<wml2:value xsi:nil="true"\/>)/g)].map((m) => `${m[1]},${m[2] ?? ''}`);
      expect(wmlPoints).toEqual(timeValue);
      const om = (await app.http.get(sos2('http://www.opengis.net/om/2.0', w))).text;
      const omPoints = [
        ...om.matchAll(/<om:resultTime><gml:TimeInstant[^>]*><gml:timePosition>([^<]+)<[\s\S]*?<om:value xsi:type="xs:integer">(\d)<[\s\S]*?<om:result [^>]*>([^<]*)<\/om:result>/g),
      ].map((m) => `${m[1]},${m[3] === 'NaN' ? '' : m[3]},${m[2]}`);
      expect(omPoints).toEqual(want);
    }
    const uri = (await app.db.store.query<{ u: string }>('SELECT p.vocabulary_uri AS u FROM dataset d JOIN observed_property p ON p.id = d.property_id WHERE d.code = $1', [series.code])).rows[0].u;
    const v10 = (await app.http.get(`/sos?service=SOS&version=1.0.0&request=GetObservation&offering=${encodeURIComponent(series.code)}&observedProperty=${encodeURIComponent(uri)}`)).text;
    expect(/<swe:values>([^<]*)<\/swe:values>/.exec(v10)![1].split(';')).toEqual(expected);
    expect(v10).toContain(`<swe:value>${series.n}</swe:value>`);
    // A quality-flag filter hides the size as well and keeps only the matching rows, in order.
    const flagged = JSON.parse((await app.http.get(sos2('application/json', '&qualityFlag=1'))).text);
    expect(flagged.series[0].points.map((p: [string, number | null, number]) => `${p[0]},${p[1] ?? ''},${p[2]}`)).toEqual(expected.filter((l) => l.endsWith(',1')));
  });

  test('the XML size limit of a window longer than one batch is counted: over it refused, within it whole', async () => {
    // The same database behind a gateway whose O&M 2.0 documents hold at most 10,000 observations.
    const limited = supertest(createApp({ config: { ...app.config, maxXmlBytes: 10_000 * 1150 }, store: app.db.store, log: createLogger('silent') }));
    const om = (a: number, b: number) =>
      limited
        .get(`/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${encodeURIComponent(series.code)}`)
        .query({ temporalFilter: `om:phenomenonTime,${expected[a].split(',')[0]}/${expected[b - 1].split(',')[0]}` })
        .buffer(true)
        .parse(textBody);
    const over = await om(4321, 17654);
    expect(over.status).toBe(400);
    expect(exceptionOf(over.body).code).toBe('ResponseExceedsSizeLimit');
    const within = await om(100, 9100);
    expect(within.status).toBe(200);
    expect(countOf(within.body, '<om:OM_Observation ')).toBe(9000);
  });
});
