import { Client } from 'pg';
import { PgStore } from '../../src/data/pgStore';
import { usingPostgres, withDatabase } from '../helpers/env';
import { createTestDb, TestDb } from '../helpers/testStore';
import { expectValidXml } from '../helpers/xmllint';
import { bodyText, createProbeApp, exceptionOf, ProbeApp, TcpProxy } from './support';

// Database faults without stopping the shared server: the gateway talks to PostgreSQL through a TCP
// proxy that the test takes down, cuts or turns into a black hole, and backends are killed with
// pg_terminate_backend. Requests must fail fast with 503 and the gateway must recover by itself.
const pgOnly = usingPostgres() ? describe : describe.skip;

pgOnly('database faults (PostgreSQL through a TCP proxy)', () => {
  let db: TestDb;
  let proxy: TcpProxy;
  let store: PgStore;
  let probe: ProbeApp;
  let admin: Client;

  beforeAll(async () => {
    db = await createTestDb('demo');
    const url = new URL(db.url!);
    proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.start();
    const viaProxy = new URL(db.url!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    // As openStore builds it in production (default connect timeout), only the address differs.
    store = new PgStore({ connectionString: withDatabase(viaProxy.toString(), db.name!), max: 4, statementTimeoutMs: 30_000, applicationName: 'reefgate-faults' });
    probe = createProbeApp(store, { requestTimeoutMs: 3000 });
    admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await store.close().catch(() => undefined);
    await proxy.stop();
    await db.drop();
  });

  const count = () => probe.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'count' });
  const readyz = () => probe.http.get('/readyz');

  /**
   * A database fault is a 503 ExceptionReport. `locator` says which one: 'database' is an answer about the
   * fault itself (refused, cut, killed), 'request' means the request waited for its deadline — that is how
   * the tests tell a prompt answer from a wait without timing anything (a busy machine makes every request slow).
   */
  function expect503(res: { status: number; headers: Record<string, string>; text?: string; body?: unknown }, locator: 'database' | 'request' = 'database'): void {
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    const body = bodyText(res);
    expect(exceptionOf(body)?.code).toBe('NoApplicableCode');
    expect(exceptionOf(body)?.locator).toBe(locator);
    expect(body).not.toMatch(/ECONNREFUSED|ECONNRESET|terminat|127\.0\.0\.1|5432|\bpg\b/i);
    expectValidXml(body, 'ows11');
  }

  /**
   * Retries until the request succeeds; every failure on the way must be a 503, never a 500. The cap only
   * turns a pool that never recovers into a failure instead of a hang; it is far above any healthy figure.
   */
  async function recovers(fn: () => Promise<{ status: number }>, ms = 60_000): Promise<true> {
    const t0 = Date.now();
    for (;;) {
      const r = await fn();
      if (r.status === 200) return true;
      expect(r.status).toBe(503);
      if (Date.now() - t0 > ms) throw new Error(`no recovery within ${ms} ms (last status ${r.status})`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  test('baseline: ready, and queries answer', async () => {
    expect((await readyz()).status).toBe(200);
    const r = await count();
    expect(r.status).toBe(200);
    expect(bodyText(r)).toBe('<count>30</count>');
  });

  test('database down (connection refused): 503 ExceptionReport fast, /readyz 503, then recovery when it is back', async () => {
    await proxy.stop();
    expect503(await count()); // locator 'database': refused at connect, not left to the request deadline
    const ready = await readyz();
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not ready' });

    await proxy.start();
    expect(await recovers(count)).toBe(true);
    expect((await readyz()).status).toBe(200);
  });

  test('connections cut mid-query: 503, and the next requests recover on fresh connections', async () => {
    const slow = probe.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'query', s: '10' }).then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    proxy.cutAll();
    expect503(await slow); // 'database': the cut is reported, not waited out (the query would sleep 10 s)
    expect(await recovers(count)).toBe(true);
  });

  test('backends killed with pg_terminate_backend (idle and active): 503 at worst, then recovery', async () => {
    expect((await count()).status).toBe(200); // leaves an idle pooled connection behind
    const slow = probe.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'pgsleep', s: '10' }).then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    const killed = await admin.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [db.name]);
    expect(killed.rows[0].n).toBeGreaterThanOrEqual(1);
    expect503(await slow);
    expect(await recovers(count)).toBe(true);
    expect(await recovers(readyz)).toBe(true);
  });

  test('database unresponsive (black hole): 503 instead of a hang, and recovery even though the old connections stay silent', async () => {
    // Short statement_timeout so the client-side query timeout (statement_timeout + 5 s) is reached within the test.
    const viaProxy = new URL(db.url!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const quick = new PgStore({ connectionString: viaProxy.toString(), max: 2, statementTimeoutMs: 1000 });
    const p = createProbeApp(quick, { requestTimeoutMs: 2000 });
    try {
      expect((await p.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'count' })).status).toBe(200);
      proxy.blackholeAll(); // existing connections go silent (no reset), new ones are accepted and ignored
      const q = () => p.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'count' });
      const s = () => p.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'pgsleep', s: '0' });
      const [r1, r2] = await Promise.all([q(), s()]);
      // Silence cannot be told from slowness: the request deadline (2 s) answers, not a hang.
      expect503(r1, 'request');
      expect503(r2, 'request');
      expect((await p.http.get('/readyz')).status).toBe(503);
      // The network is back for new connections; the silent ones are never reset. The pool must still
      // recover by itself: the cursor's client was discarded on abort, and the plain query times out client-side.
      proxy.mode = 'forward';
      expect(await recovers(q)).toBe(true);
      expect(quick.poolStats().waiting).toBe(0);
    } finally {
      proxy.mode = 'forward';
      proxy.cutAll(); // the other store's idle connections were silenced too: reset them for the next test
      await p.close();
      await quick.close().catch(() => undefined);
    }
  });

  test('after all the faults the data is intact', async () => {
    const r = await admin.query('SELECT 1');
    expect(r.rowCount).toBe(1);
    expect(await recovers(count)).toBe(true);
    expect(bodyText(await count())).toBe('<count>30</count>');
    const n = await admin.query(`SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid())::int AS active`, [db.name]);
    expect(n.rows[0].active).toBe(0); // no query left running behind the faults
  });
});
