import { createTestDb, TestDb } from '../helpers/testStore';
import { isMigrated, loadMigrations, migrate } from '../../src/data/migrate';

describe('store (both backends)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb('demo');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('runs parameterized queries with PostGIS available', async () => {
    const r = await db.store.query<{ x: number; wkt: string }>(
      'SELECT $1::int + 1 AS x, ST_AsText(ST_Transform(ST_SetSRID(ST_MakePoint($2, $3), 4326), 3163)) AS wkt',
      [41, 166.45, -22.3],
    );
    expect(r.rows[0].x).toBe(42);
    expect(r.rows[0].wkt).toMatch(/^POINT\(446\d{3}\.\d+ 211\d{3}\.\d+\)$/);
  });

  it('a store opened without a statement limit (the CLI) runs statements longer than the client-side slack', async () => {
    if (!db.url) return; // PGlite has no client-side query timeout
    const { PgStore } = await import('../../src/data/pgStore');
    // statementTimeoutMs 0 = no limit; the client-side guard (limit + 5 s) once made that 5 s, and the
    // VACUUM after a 7.6M-row import failed with "Database did not answer in time" after the data were in.
    const unlimited = new PgStore({ connectionString: db.url, max: 1, statementTimeoutMs: 0 });
    try {
      const r = await unlimited.query<{ slept: string }>('SELECT pg_sleep(6)::text AS slept');
      expect(r.rows).toEqual([{ slept: '' }]);
    } finally {
      await unlimited.close();
    }
  });

  it('a stream is bounded per read, not in total, plans for its first rows, and hands its connection back as it found it', async () => {
    if (!db.url) return; // PGlite: one process, no statement_timeout per connection or parallel workers
    const { PgStore } = await import('../../src/data/pgStore');
    const store = new PgStore({ connectionString: db.url, max: 1, statementTimeoutMs: 1000 });
    const collect = async (sql: string, batchSize: number, jit?: boolean) => {
      const out: unknown[][] = [];
      for await (const b of store.stream<unknown[]>(sql, [], { batchSize, rowMode: 'array', jit })) out.push(...b);
      return out;
    };
    try {
      // 300 rows at 10 ms each: 3 s in all, three times the limit, but no read waits 1 s.
      const rows = await collect('SELECT g, pg_sleep(0.01)::text FROM generate_series(1, 300) g', 10);
      expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      // One read that waits longer than the limit is cancelled with the statement-timeout code.
      await expect(collect('SELECT g, pg_sleep(CASE WHEN g = 25 THEN 3 ELSE 0 END)::text FROM generate_series(1, 50) g', 10)).rejects.toMatchObject({ code: '57014' });
      // Inside a stream no parallel plan (its first rows must come at once); after it the one pooled
      // connection (max 1) is back to the session's own settings.
      const settings = "SELECT current_setting('max_parallel_workers_per_gather') AS w, current_setting('statement_timeout') AS t";
      expect(await collect(settings, 10)).toEqual([['0', '0']]);
      const plain = (await store.query<{ w: string; t: string }>(settings)).rows[0];
      expect(plain.w).not.toBe('0');
      expect(plain.t).toBe('1s');
      // jit: false turns JIT compilation off for that stream only.
      const jit = "SELECT current_setting('jit') AS j";
      const own = (await store.query<{ j: string }>(jit)).rows[0].j;
      expect(await collect(jit, 10, false)).toEqual([['off']]);
      expect(await collect(jit, 10)).toEqual([[own]]);
      expect((await store.query<{ j: string }>(jit)).rows[0].j).toBe(own);
    } finally {
      await store.close();
    }
  });

  it('writes timestamps in the ISO style the SOS writers rely on, whatever the database default', async () => {
    if (db.url) {
      // A database whose default DateStyle is not ISO: every new session of the store must still use ISO.
      const { Client } = await import('pg');
      const admin = new Client({ connectionString: db.url });
      await admin.connect();
      await admin.query(`ALTER DATABASE ${db.name} SET DateStyle = 'SQL, DMY'`);
      await admin.end();
      const { PgStore } = await import('../../src/data/pgStore');
      const fresh = new PgStore({ connectionString: db.url, max: 1 });
      try {
        const r = await fresh.query<{ t: string }>(`SELECT date_trunc('second', $1::timestamptz AT TIME ZONE 'UTC')::text AS t`, ['2024-02-03T04:05:06.7Z']);
        expect(r.rows[0].t).toBe('2024-02-03 04:05:06');
      } finally {
        await fresh.close();
      }
    }
    const r = await db.store.query<{ t: string }>(`SELECT date_trunc('second', $1::timestamptz AT TIME ZONE 'UTC')::text AS t`, ['2024-02-03T04:05:06.7Z']);
    expect(r.rows[0].t).toBe('2024-02-03 04:05:06');
  });

  it('has every migration recorded, and migrating again applies nothing', async () => {
    expect(await isMigrated(db.store)).toBe(true);
    expect(await migrate(db.store)).toEqual([]);
    const r = await db.store.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(r.rows[0].n).toBe(loadMigrations().length);
  });

  it('streams a large result in batches without losing or repeating rows', async () => {
    const seen: number[] = [];
    let batches = 0;
    for await (const batch of db.store.stream<{ g: number }>('SELECT g FROM generate_series(1, $1::int) g ORDER BY g', [10_001], { batchSize: 1000 })) {
      batches++;
      for (const r of batch) seen.push(r.g);
    }
    expect(batches).toBe(11);
    expect(seen.length).toBe(10_001);
    expect(seen[0]).toBe(1);
    expect(seen[10_000]).toBe(10_001);
  });

  it('streams rows in array mode', async () => {
    const rows: unknown[][] = [];
    for await (const b of db.store.stream<unknown[]>('SELECT 1 AS a, $1::text AS b', ['x'], { rowMode: 'array' })) rows.push(...b);
    expect(rows).toEqual([[1, 'x']]);
  });

  it('stops streaming when the signal aborts', async () => {
    const ac = new AbortController();
    let n = 0;
    for await (const batch of db.store.stream<{ g: number }>('SELECT g FROM generate_series(1, 100000) g', [], { batchSize: 100, signal: ac.signal })) {
      n += batch.length;
      if (n >= 300) ac.abort();
    }
    expect(n).toBe(300);
    // The store is still usable afterwards.
    expect((await db.store.query<{ one: number }>('SELECT 1 AS one')).rows[0].one).toBe(1);
  });

  it('rolls a transaction back entirely when its function throws', async () => {
    await db.store.query('CREATE TABLE IF NOT EXISTS tx_probe (v int)');
    await expect(
      db.store.transaction(async (s) => {
        await s.query('INSERT INTO tx_probe VALUES (1)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const r = await db.store.query<{ n: number }>('SELECT count(*)::int AS n FROM tx_probe');
    expect(r.rows[0].n).toBe(0);
    await db.store.transaction(async (s) => {
      await s.query('INSERT INTO tx_probe VALUES (2)');
      await s.copyIn('COPY tx_probe (v) FROM STDIN', (async function* () {
        yield '3\n4\n';
        yield '5\n';
      })());
    });
    const after = await db.store.query<{ v: number }>('SELECT v FROM tx_probe ORDER BY v');
    expect(after.rows.map((x) => x.v)).toEqual([2, 3, 4, 5]);
  });
});
