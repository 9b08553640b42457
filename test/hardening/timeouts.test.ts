import { PgStore } from '../../src/data/pgStore';
import { usingPostgres } from '../helpers/env';
import { waitFor, watchedPgStore, WatchedStore } from '../helpers/pgWatch';
import { createTestDb, TestDb } from '../helpers/testStore';
import { expectValidXml } from '../helpers/xmllint';
import { bodyText, createProbeApp, exceptionOf, ProbeApp } from './support';

// statement_timeout, the overall request deadline and client-disconnect cancellation, on a real PostgreSQL
// (pg_stat_activity is how we see that the backend query really stopped).
const pgOnly = usingPostgres() ? describe : describe.skip;

pgOnly('timeouts and cancellation (PostgreSQL)', () => {
  let w: WatchedStore;
  let store: PgStore;
  const sleepingBackends = () => w.sleeping();

  beforeAll(async () => {
    w = await watchedPgStore({ max: 4, statementTimeoutMs: 800, applicationName: 'reefgate-timeouts' });
    store = w.store;
  });
  afterAll(async () => {
    await w.close();
  });

  test('statement_timeout from STATEMENT_TIMEOUT_MS is in force on pooled connections and cursors', async () => {
    const r = await store.query<{ statement_timeout: string }>('SHOW statement_timeout');
    expect(r.rows[0].statement_timeout).toBe('800ms');
    const rows: unknown[] = [];
    await expect(
      (async () => {
        for await (const b of store.stream('SELECT pg_sleep(3)', [])) rows.push(...b);
      })(),
    ).rejects.toMatchObject({ code: '57014' });
  });

  test('a statement cut by statement_timeout becomes a 503 ExceptionReport with Retry-After', async () => {
    const p = createProbeApp(store, { requestTimeoutMs: 10_000 });
    const res = await p.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'query', s: '30' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    const body = bodyText(res);
    // The statement timeout (800 ms) answered, not the 10 s request deadline nor the 30 s sleep: the
    // message tells them apart without timing anything.
    expect(exceptionOf(body)).toMatchObject({ code: 'NoApplicableCode', locator: 'request' });
    expect(exceptionOf(body)!.text).toMatch(/took too long and was cancelled/);
    expect(body).not.toMatch(/statement timeout|canceling|57014/);
    expectValidXml(body, 'ows11');
  });

  describe('with a long statement_timeout', () => {
    let slow: PgStore;
    let probe: ProbeApp;
    let base: string;
    beforeAll(async () => {
      slow = new PgStore({ connectionString: w.db.url!, max: 4, statementTimeoutMs: 60_000 });
      probe = createProbeApp(slow, { requestTimeoutMs: 700 });
      base = await probe.listen();
    });
    afterAll(async () => {
      await probe.close();
      await slow.close();
    });

    test('REQUEST_TIMEOUT_MS answers 503 before anything was sent, and cancels the cursor query', async () => {
      const res = await fetch(`${base}/wfs?service=WFS&request=GetFeature&mode=pgsleep&s=90`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const body = await res.text();
      expect(exceptionOf(body)).toMatchObject({ code: 'NoApplicableCode', locator: 'request' });
      expect(exceptionOf(body)!.text).toMatch(/did not complete within 700 ms/);
      expectValidXml(body, 'ows11');
      // The backend stopped too: the deadline aborted the request's signal, which cancels the cursor. The
      // poll is capped far below the 90 s sleep, so passing means cancelled, not finished.
      expect(await waitFor(async () => (await sleepingBackends()) === 0, 30_000)).toBe(true);
    });

    test('a client that disconnects cancels its backend query (pg_stat_activity)', async () => {
      const p2 = createProbeApp(slow, { requestTimeoutMs: 60_000 });
      const base2 = await p2.listen();
      try {
        const ac = new AbortController();
        const pending = fetch(`${base2}/wfs?service=WFS&request=GetFeature&mode=pgsleep&s=90`, { signal: ac.signal }).catch((e) => e);
        expect(await waitFor(async () => (await sleepingBackends()) === 1, 30_000)).toBe(true);
        ac.abort();
        await pending;
        // Capped far below the 90 s sleep: passing means the backend was cancelled, not that it finished.
        expect(await waitFor(async () => (await sleepingBackends()) === 0, 30_000)).toBe(true);
        // The pool is usable afterwards: the cancelled connection was discarded, not reused half-read.
        const ok = await p2.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'count' });
        expect(ok.status).toBe(200);
      } finally {
        await p2.close();
      }
    });

    test('a request under the deadline is untouched', async () => {
      const res = await fetch(`${base}/wfs?service=WFS&request=GetFeature&mode=sleep&ms=100`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('<slept/>');
    });
  });
});

describe('request deadline (any backend)', () => {
  let db: TestDb;
  let probe: ProbeApp;
  beforeAll(async () => {
    db = await createTestDb('empty');
    probe = createProbeApp(db.store, { requestTimeoutMs: 300 });
  });
  afterAll(async () => {
    await probe.close();
    await db.drop();
  });

  test('an operation that outlives REQUEST_TIMEOUT_MS gets a 503 ExceptionReport, and its signal is aborted', async () => {
    const res = await probe.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'sleep', ms: '5000' });
    expect(res.status).toBe(503);
    expect(exceptionOf(bodyText(res))).toMatchObject({ code: 'NoApplicableCode', locator: 'request' });
    expect(exceptionOf(bodyText(res))!.text).toMatch(/did not complete within 300 ms/);
    expectValidXml(bodyText(res), 'ows11');
  });

  test('the app keeps serving after timeouts (no leaked limiter slots)', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await probe.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'sleep', ms: '2000' });
      expect(r.status).toBe(503);
    }
    const h = (probe.app.locals.hardening as { heavy: { stats(): { running: number; queued: number } } }).heavy;
    expect(h.stats()).toEqual({ running: 0, queued: 0 });
    const ok = await probe.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'count' });
    expect(ok.status).toBe(200);
    expect(bodyText(ok)).toBe('<count>0</count>');
  });
});
