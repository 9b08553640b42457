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

  function expect503(res: { status: number; headers: Record<string, string>; text?: string; body?: unknown }): void {
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    const body = bodyText(res);
    expect(exceptionOf(body)?.code).toBe('NoApplicableCode');
    expect(body).not.toMatch(/ECONNREFUSED|ECONNRESET|terminat|127\.0\.0\.1|5432|\bpg\b/i);
    expectValidXml(body, 'ows11');
  }

  /** Retries until the request succeeds; every failure on the way must be a 503, never a 500 or a hang. */
  async function recovers(fn: () => Promise<{ status: number }>, ms: number): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      const r = await fn();
      if (r.status === 200) return Date.now() - t0;
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
    let t0 = Date.now();
    const r = await count();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect503(r);
    t0 = Date.now();
    const ready = await readyz();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not ready' });

    await proxy.start();
    expect(await recovers(count, 5000)).toBeLessThan(5000);
    expect((await readyz()).status).toBe(200);
  });

  test('connections cut mid-query: 503, and the next requests recover on fresh connections', async () => {
    const slow = probe.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'query', s: '10' }).then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    proxy.cutAll();
    const r = await slow;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect503(r);
    expect(await recovers(count, 5000)).toBeLessThan(5000);
  });

  test('backends killed with pg_terminate_backend (idle and active): 503 at worst, then recovery', async () => {
    expect((await count()).status).toBe(200); // leaves an idle pooled connection behind
    const slow = probe.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'pgsleep', s: '10' }).then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    const killed = await admin.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [db.name]);
    expect(killed.rows[0].n).toBeGreaterThanOrEqual(1);
    expect503(await slow);
    expect(await recovers(count, 5000)).toBeLessThan(5000);
    expect(await recovers(readyz, 5000)).toBeLessThan(5000);
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
      const t0 = Date.now();
      const [r1, r2] = await Promise.all([q(), s()]);
      expect(Date.now() - t0).toBeLessThan(4000); // REQUEST_TIMEOUT_MS 2 s
      expect503(r1);
      expect503(r2);
      expect((await p.http.get('/readyz')).status).toBe(503);
      // The network is back for new connections; the silent ones are never reset. The pool must still
      // recover by itself: the cursor's client was discarded on abort, and the plain query times out client-side.
      proxy.mode = 'forward';
      expect(await recovers(q, 15_000)).toBeLessThan(15_000);
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
    expect(await recovers(count, 5000)).toBeLessThan(5000);
    expect(bodyText(await count())).toBe('<count>30</count>');
    const n = await admin.query(`SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid())::int AS active`, [db.name]);
    expect(n.rows[0].active).toBe(0); // no query left running behind the faults
  });
});
