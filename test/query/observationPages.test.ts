import { loadConfig } from '../../src/config/config';
import { findCollection } from '../../src/ogcapi/collections';
import { itemsQuery } from '../../src/ogcapi/itemsQuery';
import { parseQuery } from '../../src/ogcapi/request';
import { FeatureQuery, joinPageSql, pageSql, Sql } from '../../src/query/features';
import { createTestDb, TestDb } from '../helpers/testStore';

// Filtered observation pages are read dataset by dataset (a LATERAL scan per dataset) instead of over
// the plain join, which sorted a whole dataset per page. Both must return the same rows: checked here
// against the plain join over filters on the observation, on its dataset/station/property, and mixed.

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.drop();
});

const config = loadConfig({ LOG_LEVEL: 'silent' });
const enc = encodeURIComponent;
/** A count above any filter's matches in the demo data: the whole result as the reference. */
const ALL = 10_000_000;

/** The FeatureQuery of an OGC API observations items request (the filters every front-end compiles). */
function obsQuery(qs: string, collection = 'observations'): FeatureQuery {
  return itemsQuery(parseQuery(qs), findCollection(config, collection)!, config);
}

async function rows(sql: Sql): Promise<unknown[][]> {
  return (await db.store.query<Record<string, unknown>>(sql.text, sql.values)).rows.map((r) => Object.values(r));
}

const FILTERS = [
  'bbox=166,-23,167,-22',
  `datetime=${enc('2024-03-01T00:00:00Z/2024-03-10T00:00:00Z')}`,
  'qc=1',
  `filter=${enc('value > 25')}`,
  `filter=${enc("property = 'Sea temperature' AND value < 24")}`,
  `filter=${enc("NOT (property = 'Sea temperature') OR qc <> 1")}`,
  `filter=${enc('S_INTERSECTS(geom, BBOX(160,-25,170,-15)) AND T_AFTER(time, TIMESTAMP(\'2024-06-01T00:00:00Z\'))')}`,
  `filter=${enc('value IS NULL OR value BETWEEN 20 AND 21')}`,
  'bbox=0,0,1,1',
];

describe('filtered observation pages, dataset by dataset', () => {
  it('are read by the LATERAL statement only for filtered or keyset observation queries in natural order', () => {
    const perDataset = /CROSS JOIN LATERAL \(SELECT o\.\* FROM observation o/;
    expect(pageSql(obsQuery('qc=1'), 'geojson').text).toMatch(perDataset);
    expect(pageSql(obsQuery(''), 'geojson').text).not.toMatch(perDataset);
    expect(pageSql(obsQuery('qc=1&sortby=-value'), 'geojson').text).not.toMatch(perDataset);
    expect(pageSql(obsQuery('bbox=166,-23,167,-22', 'stations'), 'geojson').text).not.toMatch(perDataset);
    expect(pageSql({ ...obsQuery('qc=1'), resourceIds: ['X.1'] }, 'geojson').text).not.toMatch(perDataset);
  });

  it('return the rows of the plain join, page by page and at any offset', async () => {
    let nonEmpty = 0;
    for (const f of FILTERS) {
      const all = await rows(joinPageSql({ ...obsQuery(f), count: ALL }, 'geojson'));
      if (all.length > 0) nonEmpty++;
      for (const [limit, offset] of [
        [1000, 0],
        [7, 0],
        [300, 2500],
        [5000, 1],
        [10, Math.max(0, all.length - 5)],
        [10, all.length + 5],
      ]) {
        const q = obsQuery(`${f}&limit=${limit}&offset=${offset}`);
        const got = await rows(pageSql(q, 'geojson'));
        expect({ f, limit, offset, rows: got }).toEqual({ f, limit, offset, rows: await rows(joinPageSql(q, 'geojson')) });
        expect(got).toEqual(all.slice(offset, offset + limit));
      }
    }
    expect(nonEmpty).toBeGreaterThanOrEqual(FILTERS.length - 1);
  });

  it('start after a keyset position as an offset would (every dataset boundary included)', async () => {
    const f = `datetime=${enc('2024-12-01T00:00:00Z/..')}`;
    const all = await rows(joinPageSql({ ...obsQuery(f), count: ALL }, 'geojson'));
    // The key column (last), on the last row of a full page only: `<dataset id>.<YYYY-MM-DD HH:MM:SS[.f]>` in UTC.
    const keyAt = async (i: number) => {
      const page = await rows(pageSql({ ...obsQuery(f), count: 3, startIndex: i - 2, withKey: true }, 'geojson'));
      expect(page.map((r) => r.slice(0, -1))).toEqual(all.slice(i - 2, i + 1));
      expect(page.slice(0, 2).map((r) => r[r.length - 1])).toEqual([null, null]);
      return /^(\d+)\.(.+)$/.exec(String(page[2][page[2].length - 1]))!;
    };
    const datasetOf = (r: unknown[]) => String(r[2]);
    expect(new Set(all.map(datasetOf)).size).toBeGreaterThan(2);
    // A short page has no next page: no key.
    const short = await rows(pageSql({ ...obsQuery(f), count: 5, startIndex: all.length - 3, withKey: true }, 'geojson'));
    expect(short.map((r) => r[r.length - 1])).toEqual([null, null, null]);
    // A position inside a dataset, the last row of each dataset, and the very last row.
    const at = [2, all.length - 1, ...all.flatMap((r, i) => (i > 1 && i + 1 < all.length && datasetOf(all[i + 1]) !== datasetOf(r) ? [i] : []))];
    for (const i of at) {
      const [, id, time] = await keyAt(i);
      const after = { datasetId: Number(id), time: `${time.replace(' ', 'T')}Z` };
      const page = await rows(pageSql({ ...obsQuery(f), count: 50, startIndex: i + 1, after }, 'geojson'));
      expect(page).toEqual(all.slice(i + 1, i + 51));
    }
  });

  it('number the key column without reading a row past the page', async () => {
    // Under the default RANGE frame the window read one row more than the page (the last row's
    // peers), and that row could cost the sort of a whole next dataset.
    type PlanNode = { 'Node Type': string; 'Actual Rows': number; Plans?: PlanNode[] };
    const windows = (n: PlanNode): PlanNode[] => [...(n['Node Type'] === 'WindowAgg' ? [n] : []), ...(n.Plans ?? []).flatMap(windows)];
    for (const [f, count] of [
      ['bbox=166,-23,167,-22', 7],
      [`datetime=${enc('2024-12-01T00:00:00Z/..')}`, 40],
    ] as const) {
      const all = await rows(joinPageSql({ ...obsQuery(f), count: ALL }, 'geojson'));
      expect(all.length).toBeGreaterThan(count + 1);
      const sql = pageSql({ ...obsQuery(`${f}&limit=${count}`), withKey: true }, 'geojson');
      const plan = (await db.store.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql.text}`, sql.values)).rows[0]['QUERY PLAN'];
      const root = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: PlanNode }[];
      const [w] = windows(root[0].Plan);
      expect({ f, window: w['Node Type'], read: w.Plans![0]['Actual Rows'] }).toEqual({ f, window: 'WindowAgg', read: count });
    }
  });
});
