import { Client } from 'pg';
import { PgStore } from '../../src/data/pgStore';
import { QueryAbortedError } from '../../src/data/store';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/log';
import { createApp, listen } from '../../src/server';
import { usingPostgres } from '../helpers/env';
import { adminClient, waitFor, watchedPgStore, WatchedStore } from '../helpers/pgWatch';
import { createTestDb, TestDb } from '../helpers/testStore';

// Issue 11.3: every database call of a request stops when the client leaves or the request deadline
// passes, not only cursor streams. The query is made slow deterministically: another connection holds
// an ACCESS EXCLUSIVE lock on the table, so the request's statement waits in pg_stat_activity (as a
// sort of millions of rows would run) until it is cancelled. Nothing here measures speed: the poll
// only bounds how long a test waits for the backend to go (bench/abandoned.mjs measures the effect).
const pgOnly = usingPostgres() ? describe : describe.skip;
const pgliteOnly = usingPostgres() ? describe.skip : describe;

/**
 * The gateway over a fresh demo database whose statement_timeout (10 min) is far beyond POLL_MS, so a
 * backend that goes away within the poll was cancelled, not timed out.
 */
async function startGateway(requestTimeoutMs: number): Promise<{ db: TestDb; base: string; close(): Promise<void> }> {
  const db = await createTestDb('demo', { statementTimeoutMs: 600_000 });
  const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), requestTimeoutMs };
  const server: Server = await listen(createApp({ config, store: db.store, log: createLogger(config.logLevel) }), 0, '127.0.0.1');
  return {
    db,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(() => r(undefined)));
      await db.drop();
    },
  };
}

pgOnly('abandoned requests stop their database work (PostgreSQL, pg_stat_activity)', () => {
  let app: Awaited<ReturnType<typeof startGateway>>;
  let base: string;
  let admin: Client;
  let locker: Client;
  let offering: string;

  beforeAll(async () => {
    // The deadline is far away here; the deadline case has an app of its own below.
    app = await startGateway(120_000);
    base = app.base;
    admin = await adminClient();
    locker = new Client({ connectionString: app.db.url });
    await locker.connect();
    const r = await locker.query<{ code: string }>('SELECT code FROM dataset WHERE obs_count > 0 ORDER BY code LIMIT 1');
    offering = r.rows[0].code;
  });
  afterAll(async () => {
    await locker.query('ROLLBACK').catch(() => undefined);
    await locker.end();
    await admin.end();
    await app.close();
  });

  /** Queries of the test database waiting on the held lock (the request's statements), with their text. */
  async function waiting(): Promise<string[]> {
    const r = await admin.query<{ query: string }>(
      `SELECT query FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> $2`,
      [app.db.name, (locker as unknown as { processID: number }).processID],
    );
    return r.rows.map((x) => x.query);
  }

  async function lockObservations(): Promise<void> {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE observation IN ACCESS EXCLUSIVE MODE');
  }

  /**
   * Sends the request, waits until its statement blocks on the lock, checks the statement is the one
   * expected, disconnects the client and waits until no statement of the request is left; then the lock
   * is released and an ordinary request is answered (the pool got its connections back).
   */
  async function abandonWhileBlocked(path: string, expected: RegExp): Promise<void> {
    await lockObservations();
    try {
      const ac = new AbortController();
      const pending = fetch(`${base}${path}`, { signal: ac.signal }).catch((e: unknown) => e);
      expect(await waitFor(async () => (await waiting()).length > 0)).toBe(true);
      expect((await waiting()).join('\n')).toMatch(expected);
      ac.abort();
      await pending;
      expect(await waitFor(async () => (await waiting()).length === 0)).toBe(true);
    } finally {
      await locker.query('ROLLBACK');
    }
    const ok = await fetch(`${base}/wfs?service=WFS&version=2.0.0&request=GetFeature&typenames=reef:Station&count=1`);
    expect(ok.status).toBe(200);
    await ok.text();
  }

  test('a WFS GetFeature page (default COUNT, plain query) is cancelled when the client disconnects', async () => {
    await abandonWhileBlocked('/wfs?service=WFS&version=2.0.0&request=GetFeature&typenames=reef:Observation', /FROM observation|observation o/i);
  });

  test('a resultType=hits count is cancelled when the client disconnects', async () => {
    await abandonWhileBlocked(
      '/wfs?service=WFS&version=2.0.0&request=GetFeature&typenames=reef:Observation&resulttype=hits&bbox=-90,-180,90,180,urn:ogc:def:crs:EPSG::4326',
      /count\(/i,
    );
  });

  test('a SOS GetObservation series batch is cancelled when the client disconnects', async () => {
    await abandonWhileBlocked(
      `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${encodeURIComponent(offering)}&temporalFilter=om:phenomenonTime,1900-01-01T00:00:00Z/2100-01-01T00:00:00Z`,
      /string_agg/i,
    );
  });

  test('REQUEST_TIMEOUT_MS answers 503 and cancels the blocked page query', async () => {
    const timed = await startGateway(700);
    const timedBase = timed.base;
    const hold = new Client({ connectionString: timed.db.url });
    await hold.connect();
    const blocked = async () =>
      (
        await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> $2`, [
          timed.db.name,
          (hold as unknown as { processID: number }).processID,
        ])
      ).rows[0].n;
    try {
      await hold.query('BEGIN');
      await hold.query('LOCK TABLE observation IN ACCESS EXCLUSIVE MODE');
      const res = await fetch(`${timedBase}/wfs?service=WFS&version=2.0.0&request=GetFeature&typenames=reef:Observation`);
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/did not complete within 700 ms/);
      // The lock is still held: only a cancel ends the waiting statement.
      expect(await waitFor(async () => (await blocked()) === 0)).toBe(true);
    } finally {
      await hold.query('ROLLBACK').catch(() => undefined);
      await hold.end();
      await timed.close();
    }
  });
});

pgOnly('PgStore.query with a signal (PostgreSQL)', () => {
  let w: WatchedStore;
  let store: PgStore;
  beforeAll(async () => {
    w = await watchedPgStore({ max: 2, statementTimeoutMs: 60_000, applicationName: 'reefgate-cancel-test' });
    store = w.store;
  });
  afterAll(async () => {
    await w.close();
  });

  const sleeping = () => w.sleeping();

  test('aborting rejects with QueryAbortedError and the backend stops; the pool stays usable', async () => {
    const ac = new AbortController();
    const q = store.query('SELECT pg_sleep(60)', [], { signal: ac.signal });
    q.catch(() => undefined);
    expect(await waitFor(async () => (await sleeping()) === 1)).toBe(true);
    ac.abort(new Error('client disconnected'));
    await expect(q).rejects.toBeInstanceOf(QueryAbortedError);
    expect(await waitFor(async () => (await sleeping()) === 0)).toBe(true);
    // Both pool slots are usable again (the cancelled connection was released once its query returned).
    const rs = await Promise.all([store.query<{ n: number }>('SELECT 1 AS n'), store.query<{ n: number }>('SELECT 2 AS n')]);
    expect(rs.map((r) => r.rows[0].n)).toEqual([1, 2]);
    expect(store.poolStats().waiting).toBe(0);
  });

  test('an already aborted signal runs nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(store.query('SELECT pg_sleep(60)', [], { signal: ac.signal })).rejects.toBeInstanceOf(QueryAbortedError);
    expect(await sleeping()).toBe(0);
  });

  test('a query waiting for a pool connection leaves when aborted, and never runs', async () => {
    const hold = new AbortController();
    const busy = [store.query('SELECT pg_sleep(60)', [], { signal: hold.signal }), store.query('SELECT pg_sleep(60)', [], { signal: hold.signal })];
    busy.forEach((p) => p.catch(() => undefined));
    expect(await waitFor(async () => (await sleeping()) === 2)).toBe(true);
    const ac = new AbortController();
    const queued = store.query("SELECT pg_sleep(60), 'queued'", [], { signal: ac.signal });
    ac.abort();
    await expect(queued).rejects.toBeInstanceOf(QueryAbortedError);
    hold.abort();
    expect(await waitFor(async () => (await sleeping()) === 0)).toBe(true);
    const r = await store.query<{ n: number }>('SELECT 3 AS n');
    expect(r.rows[0].n).toBe(3);
    // The abandoned query was first in the pool's queue: had it run, it would be sleeping now.
    expect(await sleeping()).toBe(0);
  });
});

pgliteOnly('PgliteStore.query with a signal (embedded)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb('empty');
  });
  afterAll(async () => {
    await db.drop();
  });

  test('a statement still queued when its signal aborts is skipped and never runs', async () => {
    await db.store.query("SELECT set_config('reefgate.ran', 'no', false)");
    const ahead = db.store.query('SELECT pg_sleep(0.3)');
    const ac = new AbortController();
    const queued = db.store.query("SELECT set_config('reefgate.ran', 'yes', false)", [], { signal: ac.signal });
    ac.abort(new Error('client disconnected'));
    await expect(queued).rejects.toBeInstanceOf(QueryAbortedError);
    await ahead;
    const r = await db.store.query<{ v: string }>("SELECT current_setting('reefgate.ran') AS v");
    expect(r.rows[0].v).toBe('no');
  });

  test('statements keep their order and run when not aborted', async () => {
    const ac = new AbortController();
    const results = await Promise.all([1, 2, 3].map((n) => db.store.query<{ n: number }>('SELECT $1::int AS n', [n], { signal: ac.signal })));
    expect(results.map((r) => r.rows[0].n)).toEqual([1, 2, 3]);
  });
});
