import { loadConfig } from '../../src/config/config';
import { findCollection } from '../../src/ogcapi/collections';
import { itemsQuery } from '../../src/ogcapi/itemsQuery';
import { parseQuery } from '../../src/ogcapi/request';
import { openPage } from '../../src/query/featurePages';
import { countSql, FeatureQuery, observationSeekPositionSql, observationSeekSql, pageSql, storedObservationCountSql } from '../../src/query/features';
import { usingPostgres } from '../helpers/env';
import { createTestDb, TestDb } from '../helpers/testStore';

// Unfiltered stations and datasets pages are the collection as clients page through it: their page and
// count statements are prepared (planned once per connection). A filtered, sorted or partial-property
// page has a text that follows the client's request, so it must not stay in the backend. numberMatched
// stays the exact count either way.

let db: TestDb;
beforeAll(async () => {
  // One connection, so pg_prepared_statements (per session) sees every statement the pages ran.
  db = await createTestDb('demo', { poolMax: 1 });
});
afterAll(async () => {
  await db?.drop();
});

const config = loadConfig({ LOG_LEVEL: 'silent' });
const signal = new AbortController().signal;

function query(collection: string, qs: string): FeatureQuery {
  return itemsQuery(parseQuery(qs), findCollection(config, collection)!, config);
}

async function prepared(): Promise<string[]> {
  const r = await db.store.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
  return r.rows.map((row) => row.statement);
}

async function exact(q: FeatureQuery): Promise<number> {
  const sql = countSql(q);
  return Number((await db.store.query<{ n: string }>(sql.text, sql.values)).rows[0].n);
}

// PGlite has no prepared statements to look at (the store ignores `prepare` there).
const pg = usingPostgres() ? describe : describe.skip;

pg('stations and datasets pages', () => {
  it('prepare the page and count statements of an unfiltered full page, with the exact numberMatched', async () => {
    for (const collection of ['stations', 'datasets']) {
      const q = query(collection, 'limit=10&offset=10');
      const page = await openPage(db.store, q, 'geojson-crs', signal);
      expect(page.numberReturned).toBe(10);
      expect(page.numberMatched).toBe(await exact(q));
      const statements = await prepared();
      expect(statements).toContain(pageSql(q, 'geojson-crs').text);
      expect(statements).toContain(countSql(q).text);
    }
  });

  it('leave filtered, sorted and partial-property pages unprepared (a sorted or partial page counts with the unfiltered text)', async () => {
    for (const qs of ['limit=5&bbox=160,-25,170,-15', 'limit=5&sortby=-name', 'limit=5&properties=name', 'limit=5&country=NCL']) {
      const q = query('stations', qs);
      const page = await openPage(db.store, q, 'geojson-crs', signal);
      expect(page.numberMatched).toBe(await exact(q));
      const statements = await prepared();
      expect(statements).not.toContain(pageSql(q, 'geojson-crs').text);
      if (q.filters.length > 0) expect(statements).not.toContain(countSql(q).text);
      else expect(statements).toContain(countSql(q).text);
    }
  });
});

pg('unfiltered observation pages', () => {
  it('prepare the seek position and the stored count, never the seek itself (its generic plan scans the table)', async () => {
    const total = await exact(query('observations', ''));
    expect(total).toBeGreaterThan(30);
    for (const offset of [0, 20]) {
      const q = query('observations', `limit=10&offset=${offset}`);
      const page = await openPage(db.store, q, 'geojson-crs', signal);
      expect(page.numberReturned).toBe(10);
      expect(page.numberMatched).toBe(total);
      const statements = await prepared();
      expect(statements).toContain(observationSeekPositionSql(offset).text);
      expect(statements).toContain(storedObservationCountSql().text);
      const seek = /ORDER BY o\.dataset_id, o\.time LIMIT/;
      expect(observationSeekSql(q, 'geojson-crs', 1, offset, total).text).toMatch(seek);
      expect(statements.filter((t) => seek.test(t))).toEqual([]);
    }
  });
});
