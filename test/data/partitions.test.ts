import { partitionObservations, ensurePartitionsAhead, vacuumTargets } from '../../src/data/migrate';
import type { Store } from '../../src/data/store';
import { writeObservations } from '../../src/ingest/groupWrite';
import { importParts, ImportPart } from '../../src/ingest/importer';
import { insertNewStaged, mergeCorrections, STAGING } from '../../src/ingest/importSql';
import { ingest } from '../../src/ingest/writer';
import { createTestApp, TestApp } from '../helpers/app';
import { usingPostgres } from '../helpers/env';

/*
 * Yearly time partitions of observation (schemas/007, `reefgate partition-observations`): the conversion
 * keeps every row and the key, writes create the years they lack (also when several writers race for the
 * same new year), and every reader answers byte for byte as on the plain table. PostgreSQL only: the
 * embedded store stays a plain table.
 */
const maybe = usingPostgres() ? describe : describe.skip;

const source = { description: 'partitions.test' };
const OFF = 'OUVEA01_TEMP_0A_SBE56';
const enc = encodeURIComponent;

function part(kind: ImportPart['kind'], text: string): ImportPart {
  return { kind, file: `${kind}.csv`, text: (async function* () { yield text; })() };
}

/** Observations CSV of one dataset: n rows every `stepMin` minutes from `from`, values from `v0`. */
function obsCsv(code: string, from: string, n: number, stepMin: number, v0: number): string {
  const t0 = Date.parse(from);
  let s = 'dataset_id,time,value,qc\n';
  for (let i = 0; i < n; i++) s += `${code},${new Date(t0 + i * stepMin * 60_000).toISOString().replace('.000Z', 'Z')},${(v0 + i * 0.01).toFixed(2)},${i % 50 === 0 ? 3 : 1}\n`;
  return s;
}

async function partitions(store: Store): Promise<string[]> {
  const r = await store.query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'observation'::regclass ORDER BY 1`);
  return r.rows.map((x) => x.name);
}

/** Every row, as one digest and a count: what a conversion must keep. */
async function fingerprint(store: Store): Promise<{ n: number; digest: string }> {
  const r = await store.query<{ n: number; digest: string }>(
    `SELECT count(*)::int AS n, md5(string_agg(dataset_id || '|' || time::text || '|' || coalesce(value::text, '-') || '|' || qc, ',' ORDER BY dataset_id, time)) AS digest FROM observation`,
  );
  return r.rows[0];
}

/** The key of a table: its primary key's columns, in order. */
async function primaryKey(store: Store, table: string): Promise<string> {
  const r = await store.query<{ def: string }>(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'`, [table]);
  return r.rows.map((x) => x.def).join(';');
}

/** The same writes on both stores: a series reaching back into 2021 (bulk path) and 2022 (few-rows path), then corrections. */
async function writeOlderYears(store: Store): Promise<void> {
  await importParts(store, source, [part('observations', obsCsv(OFF, '2021-12-30T00:00:00Z', 600, 30, 20))]);
  await ingest(store, source, async (b) => {
    const id = (await b.datasetIds()).ids.get(OFF)!;
    await b.addObservations([0, 1, 2].map((i) => ({ datasetId: id, time: Date.parse('2022-06-01T00:00:00Z') + i * 3_600_000, value: 21 + i, qc: 1 })));
  });
  // Corrections of stored rows in 2021 and 2022 (an UPDATE through the partitioned parent).
  await importParts(store, source, [part('observations', obsCsv(OFF, '2021-12-30T00:00:00Z', 5, 30, 30))]);
}

maybe('observation time partitions', () => {
  let plain: TestApp;
  let parted: TestApp;

  beforeAll(async () => {
    [plain, parted] = await Promise.all([createTestApp(), createTestApp()]);
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), parted?.close()]);
  });

  test('conversion keeps every row and the primary key; writes into a year without partition create it', async () => {
    const before = await fingerprint(parted.db.store);
    expect(before.n).toBeGreaterThan(100_000);
    const y = new Date().getUTCFullYear();
    expect(await partitionObservations(parted.db.store)).toBe(before.n);
    expect(await fingerprint(parted.db.store)).toEqual(before);
    expect(await primaryKey(parted.db.store, 'observation')).toBe('PRIMARY KEY (dataset_id, "time")');
    expect(await partitions(parted.db.store)).toEqual(['observation_y2024', `observation_y${y}`, `observation_y${y + 1}`]);
    // Each partition has the key and the BRIN, and fillfactor 100.
    for (const p of await partitions(parted.db.store)) {
      expect(await primaryKey(parted.db.store, p)).toBe('PRIMARY KEY (dataset_id, "time")');
      const idx = await parted.db.store.query<{ def: string }>('SELECT indexdef AS def FROM pg_indexes WHERE tablename = $1 ORDER BY 1', [p]);
      expect(idx.rows.map((r) => r.def.replace(/ ON public\.\S+/, ''))).toEqual(['CREATE INDEX observation_time_brin USING brin ("time") WITH (pages_per_range=\'32\')'.replace('observation_time_brin', `${p}_time_idx`), `CREATE UNIQUE INDEX ${p}_pkey USING btree (dataset_id, "time")`]);
      const opts = await parted.db.store.query<{ o: string[] }>('SELECT reloptions AS o FROM pg_class WHERE relname = $1', [p]);
      expect(opts.rows[0].o).toEqual(['fillfactor=100']);
    }
    // After an import, only the partitions of the years written are vacuumed and analysed.
    expect(await vacuumTargets(parted.db.store, [1999, 2024])).toEqual(['"observation_y2024"']);
    expect(await vacuumTargets(plain.db.store, [2024])).toEqual(['observation']);
    // A second run changes nothing; the years ahead are there already.
    expect(await partitionObservations(parted.db.store)).toBe(-1);
    expect(await ensurePartitionsAhead(parted.db.store)).toBe(0);

    await Promise.all([writeOlderYears(plain.db.store), writeOlderYears(parted.db.store)]);
    expect(await partitions(parted.db.store)).toEqual(['observation_y2021', 'observation_y2022', 'observation_y2024', `observation_y${y}`, `observation_y${y + 1}`]);
    expect(await fingerprint(parted.db.store)).toEqual(await fingerprint(plain.db.store));
    const corr = 'SELECT count(*)::int AS n FROM observation_correction';
    expect((await parted.db.store.query(corr)).rows).toEqual((await plain.db.store.query(corr)).rows);
    expect((await parted.db.store.query<{ n: number }>(corr)).rows[0].n).toBe(5);
  });

  test('a series query on one dataset and a time window reads one partition, in key order without a sort', async () => {
    const id = Number((await parted.db.store.query<{ id: number }>('SELECT id FROM dataset WHERE code = $1', [OFF])).rows[0].id);
    const r = await parted.db.store.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT o.time, o.value FROM observation o WHERE o.dataset_id = ${id} AND o.time >= '2024-03-01Z' AND o.time <= '2024-04-01Z' ORDER BY o.time`,
    );
    const plan = r.rows.map((x) => x['QUERY PLAN']).join('\n');
    expect(new Set(plan.match(/observation_y\d{4}/g))).toEqual(new Set(['observation_y2024']));
    // The whole series across years, planned as on a large table (the demo's is small enough for a bitmap
    // scan and a sort): the partitions' key scans appended in time order, no sort, no merge.
    const all = await parted.db.store.transaction(async (s) => {
      await s.query('SET LOCAL enable_seqscan = off');
      await s.query('SET LOCAL enable_bitmapscan = off');
      return (await s.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT o.time FROM observation o WHERE o.dataset_id = ${id} ORDER BY o.time`)).rows.map((x) => x['QUERY PLAN']).join('\n');
    });
    expect(all).toMatch(/^Append/);
    expect(all).toMatch(/Index Only Scan using observation_y2021_pkey[^]*observation_y2022_pkey[^]*observation_y2024_pkey/);
    expect(all).not.toMatch(/Sort|Merge Append/);
  });

  test("the write path's merge reads only the partitions of the staged rows' years", async () => {
    const plan = await parted.db.store.transaction(async (s) => {
      await s.query(STAGING.create);
      await s.query(`INSERT INTO import_obs SELECT 1, dataset_id, time, value + 1, qc FROM observation WHERE time >= '2024-03-01Z' AND time < '2024-03-02Z'`);
      await s.query(STAGING.analyze);
      const w = { from: '2024-03-01T00:00:00Z', to: '2024-03-01T23:30:00Z' };
      const explain = async (q: { text: string; values: unknown[] }) => (await s.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${q.text}`, q.values)).rows.map((x) => x['QUERY PLAN']).join('\n');
      return [await explain(insertNewStaged(w)), await explain(mergeCorrections(1, [1], 'staged', w))].join('\n');
    });
    // Without the window, a hash of every partition (all stored rows) was planned for 200,000 staged rows.
    expect(new Set(plan.match(/observation_y\d{4}/g))).toEqual(new Set(['observation_y2024']));
  });

  const requests: [string, string][] = [
    ['SOS CSV, one dataset, one month', `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${OFF}&responseFormat=text/csv&temporalFilter=${enc('om:phenomenonTime,2024-03-01T00:00:00Z/2024-04-01T00:00:00Z')}`],
    ['SOS CSV, one dataset, full series across years', `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${OFF}&responseFormat=text/csv`],
    ['SOS CSV, every dataset, window across years', `/sos?service=SOS&version=2.0.0&request=GetObservation&responseFormat=text/csv&temporalFilter=${enc('om:phenomenonTime,2021-12-31T00:00:00Z/2024-02-01T00:00:00Z')}`],
    ['SOS latest value of every dataset', `/sos?service=SOS&version=2.0.0&request=GetObservation&temporalFilter=${enc('om:phenomenonTime,latest')}&responseFormat=application/json`],
    ['SOS first value of one dataset', `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${OFF}&temporalFilter=${enc('om:phenomenonTime,first')}&responseFormat=text/csv`],
    ['WFS Observation page, deep (GeoJSON)', '/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=reef:Observation&startIndex=150000&count=700&outputFormat=application/geo%2Bjson'],
    ['WFS Observation page, in the older years (GML)', '/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=reef:Observation&startIndex=300&count=700'],
    ['EDR CSV, one station and parameter, across years', `/ogcapi/collections/insitu/locations/NCL_OUVEA01?parameter-name=TEMP&f=CSV&datetime=${enc('2021-01-01T00:00:00Z/2024-06-01T00:00:00Z')}`],
  ];

  test.each(requests)('%s: byte-identical on the plain and the partitioned table', async (_name, url) => {
    const get = async (t: TestApp) => {
      const r = await t.http.get(url).set('Host', 'rg.test').buffer(true).parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      expect(r.status).toBe(200);
      // The response's own creation time is the one thing allowed to differ.
      return (r.body as Buffer).toString('utf8').replace(/timeStamp(="|":")[^"]+"/g, 'timeStamp$1"');
    };
    const [a, b] = await Promise.all([get(plain), get(parted)]);
    expect(a.length).toBeGreaterThan(50);
    expect(b).toBe(a);
  });

  test('concurrent writers into a year without partition all succeed and create it once', async () => {
    const codes = (await parted.db.store.query<{ code: string }>('SELECT code FROM dataset ORDER BY id LIMIT 4')).rows.map((r) => r.code);
    const before = await partitions(parted.db.store);
    expect(before).not.toContain('observation_y2019');
    // Each writer needs 2018 and 2019: they race for the same new partitions.
    const runs = await Promise.all(
      codes.map((c, i) => importParts(parted.db.store, source, [part('observations', obsCsv(c, '2018-12-31T00:00:00Z', 200 + i * 300, 30, 10))])),
    );
    expect(runs.map((r) => r.observations.inserted)).toEqual(codes.map((_, i) => 200 + i * 300));
    const after = await partitions(parted.db.store);
    expect(after.filter((p) => !before.includes(p))).toEqual(['observation_y2018', 'observation_y2019']);
  });

  // Not a timing assertion in spirit: the quadratic plan took minutes on 120,000 rows, the fixed one a second
  // or two, so a generous limit separates them on any machine.
  test('a bulk write into a year created ahead and analysed empty stays linear', async () => {
    const y = new Date().getUTCFullYear() + 1;
    await parted.db.store.query(`VACUUM ANALYZE observation_y${y}`);
    const r = await importParts(parted.db.store, source, [part('observations', obsCsv(OFF, `${y}-01-01T00:00:00Z`, 120_000, 1, 10))]);
    expect(r.observations.inserted).toBe(120_000);
    const n = await parted.db.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM observation_y${y}`);
    expect(n.rows[0].n).toBe(120_000);
    // Counts and extents come from the stage here (nothing was stored in its window): they equal a recount.
    const ds = await parted.db.store.query(
      `SELECT d.obs_count::int AS n, d.time_start = x.t0 AND d.time_end = x.t1 AS same FROM dataset d,
         (SELECT count(*)::int AS n, min(time) AS t0, max(time) AS t1 FROM observation o JOIN dataset d2 ON d2.id = o.dataset_id WHERE d2.code = $1) x WHERE d.code = $1 AND d.obs_count = x.n`,
      [OFF],
    );
    expect(ds.rows).toEqual([expect.objectContaining({ same: true })]);
  }, 120_000);

  test('the grouped SOS-T write (one statement) creates the years its rows need', async () => {
    const id = Number((await parted.db.store.query<{ id: number }>('SELECT id FROM dataset WHERE code = $1', [OFF])).rows[0].id);
    const times = [Date.parse('2016-05-01T00:00:00Z'), Date.parse('2016-05-01T01:00:00Z'), Date.parse('2017-02-01T00:00:00Z')];
    const r = await writeObservations(parted.db.store, source, { datasetIds: times.map(() => id), times, values: [1, 2, null], qcs: [1, 1, 9] });
    expect(r.observations.inserted).toBe(3);
    expect(await partitions(parted.db.store)).toEqual(expect.arrayContaining(['observation_y2016', 'observation_y2017']));
  });

  test('deleting a sensor removes its observations from every partition', async () => {
    const r = await ingest(parted.db.store, source, async (b) => {
      expect(await b.deleteSensor('NCL_OUVEA01_SBE56')).not.toBeNull();
    });
    expect(r.changed).toBe(true);
    const left = await parted.db.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM observation o WHERE NOT EXISTS (SELECT 1 FROM dataset d WHERE d.id = o.dataset_id)`);
    expect(left.rows[0].n).toBe(0);
  });
});
