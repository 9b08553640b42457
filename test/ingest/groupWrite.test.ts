import { createTestDb, TestDb } from '../helpers/testStore';
import { usingPostgres } from '../helpers/env';
import { importParts, ImportPart } from '../../src/ingest/importer';
import { ingest } from '../../src/ingest/writer';
import { ObservationColumns, writeObservations } from '../../src/ingest/groupWrite';
import { ImportError } from '../../src/ingest/validate';
import { DataChange, onDataChange } from '../../src/ingest/changes';
import type { Store } from '../../src/data/store';

/*
 * The observations-only write path of SOS-T (src/ingest/groupWrite.ts and schemas/006): the writer's
 * rules hold when requests are written in groups under one commit — each request all or nothing with a
 * run of its own, re-sending changes nothing, corrections recorded, counts and extents exact, every
 * changing run its own updateSequence — on both backends (PGlite takes the writer's transaction).
 */

const STATIONS = `station_id,name,network,producer,country,lat,lon,depth_m
G_A,Group A,GroupNet,IRD,NCL,-22.3,166.4,5
`;
const DATASETS = `dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end
GA_TEMP,G_A,TEMP,sea_water_temperature,Sea temperature,Cel,RAW DATA,SBE56,,
GA_PSAL,G_A,PSAL,sea_water_practical_salinity,Salinity,1,RAW DATA,SBE37,,
`;

function part(kind: ImportPart['kind'], text: string): ImportPart {
  return { kind, file: `${kind}.csv`, text: (async function* () { yield text; })() };
}

const source = { description: 'groupWrite.test' };
const BASE = Date.parse('2024-06-01T00:00:00Z');
const MIN = 60_000;

function cols(rows: [number, number, number | null, number][]): ObservationColumns {
  return { datasetIds: rows.map((r) => r[0]), times: rows.map((r) => r[1]), values: rows.map((r) => r[2]), qcs: rows.map((r) => r[3]) };
}

async function stats(store: Store, id: number) {
  const ds = (await store.query<{ n: number; t0: string; t1: string }>(`SELECT obs_count::int n, time_start::text t0, time_end::text t1 FROM dataset WHERE id = $1`, [id])).rows[0];
  const rc = (await store.query<{ n: number; t0: string; t1: string }>(`SELECT count(*)::int n, min(time)::text t0, max(time)::text t1 FROM observation WHERE dataset_id = $1`, [id])).rows[0];
  return { ds, rc };
}

describe('grouped observation writes (both backends)', () => {
  let db: TestDb;
  let ids: Record<string, number>;
  const changes: DataChange[] = [];
  let stop: () => void;
  beforeAll(async () => {
    db = await createTestDb('empty');
    await importParts(db.store, source, [part('stations', STATIONS), part('datasets', DATASETS)]);
    ids = Object.fromEntries((await db.store.query<{ id: number; code: string }>(`SELECT id, code FROM dataset WHERE code LIKE 'GA_%'`)).rows.map((r) => [r.code, r.id]));
    stop = onDataChange((_s, c) => changes.push(c));
  });
  afterAll(async () => {
    stop();
    await db.drop();
  });

  it('inserts, then a re-send changes nothing and a different value is a recorded correction, each with its own run', async () => {
    const t = ids.GA_TEMP;
    const first = await writeObservations(db.store, source, cols([[t, BASE, 20.5, 1], [t, BASE + MIN, null, 9], [ids.GA_PSAL, BASE, 35.1, 1]]));
    expect(first.observations).toEqual({ read: 3, inserted: 3, corrected: 0, unchanged: 0, written: 3 });
    expect(first.changed).toBe(true);
    expect(changes.at(-1)).toMatchObject({ catalogue: false });
    expect([...(changes.at(-1)!.datasets as number[])].sort()).toEqual([t, ids.GA_PSAL].sort());
    const seen = changes.length;
    const again = await writeObservations(db.store, source, cols([[t, BASE, 20.5, 1], [t, BASE + MIN, null, 9]]));
    expect(again.observations).toEqual({ read: 2, inserted: 0, corrected: 0, unchanged: 2, written: 0 });
    expect(again.changed).toBe(false);
    expect(changes.length).toBe(seen);
    // One row older than the series' end (probed, corrected), one later (appended without a look-up).
    const fix = await writeObservations(db.store, source, cols([[t, BASE + MIN, 21, 1], [t, BASE + 2 * MIN, 22, 1]]));
    expect(fix.observations).toEqual({ read: 2, inserted: 1, corrected: 1, unchanged: 0, written: 2 });
    const rec = (await db.store.query<{ old_value: number | null; old_qc: number; new_value: number; run: number }>(`SELECT old_value, old_qc, new_value, import_run_id run FROM observation_correction WHERE dataset_id = $1`, [t])).rows;
    expect(rec).toEqual([{ old_value: null, old_qc: 9, new_value: 21, run: fix.runId }]);
    const runs = (await db.store.query<{ id: number; read: number; inserted: number; corrected: number; changed: boolean }>(
      `SELECT id, observations_read::int read, observations_inserted::int inserted, observations_corrected::int corrected, changed FROM import_run WHERE id = ANY($1::int[]) ORDER BY id`,
      [[first.runId, again.runId, fix.runId]],
    )).rows;
    expect(runs).toEqual([
      { id: first.runId, read: 3, inserted: 3, corrected: 0, changed: true },
      { id: again.runId, read: 2, inserted: 0, corrected: 0, changed: false },
      { id: fix.runId, read: 2, inserted: 1, corrected: 1, changed: true },
    ]);
    const s = await stats(db.store, t);
    expect(s.ds).toEqual(s.rc);
    expect(s.ds.n).toBe(3);
  });

  it('a row stored behind the writer after the dataset\'s recorded end (plain SQL) is found and corrected, not a failure', async () => {
    const t = ids.GA_TEMP;
    const at = BASE + 2000 * MIN;
    await db.store.query(`INSERT INTO observation (dataset_id, time, value, qc) VALUES ($1, $2, 7, 1)`, [t, new Date(at)]);
    const s = await writeObservations(db.store, source, cols([[t, at, 8, 1], [t, at + MIN, 9, 1]]));
    expect(s.observations).toEqual({ read: 2, inserted: 1, corrected: 1, unchanged: 0, written: 2 });
    const v = (await db.store.query<{ value: number }>(`SELECT value FROM observation WHERE dataset_id = $1 AND time >= $2 ORDER BY time`, [t, new Date(at)])).rows;
    expect(v).toEqual([{ value: 8 }, { value: 9 }]);
    // The stray row is not the writer's to count; everything else is.
    await db.store.query(`UPDATE dataset SET obs_count = obs_count + 1 WHERE id = $1`, [t]);
    const st = await stats(db.store, t);
    expect(st.ds).toEqual(st.rc);
  });

  it('refuses a request with a (dataset, time) twice or a bad row before writing anything', async () => {
    const t = ids.GA_TEMP;
    const dup = writeObservations(db.store, source, cols([[t, BASE + 10 * MIN, 1, 1], [t, BASE + 11 * MIN, 1, 1], [t, BASE + 10 * MIN, 2, 1]]), 'block', [4, 5, 7]);
    await expect(dup).rejects.toBeInstanceOf(ImportError);
    await expect(dup).rejects.toMatchObject({ line: 7, column: 'time', reason: expect.stringMatching(/duplicate observation at 2024-06-01T00:10:00Z in one request \(also at 4\)/) });
    await expect(writeObservations(db.store, source, cols([[t, BASE + 12 * MIN, 1, 12]]))).rejects.toMatchObject({ line: 1, column: 'qc' });
    const n = (await db.store.query<{ n: number }>(`SELECT count(*)::int n FROM observation WHERE dataset_id = $1 AND time >= $2 AND time < $3`, [t, new Date(BASE + 10 * MIN), new Date(BASE + 13 * MIN)])).rows[0].n;
    expect(n).toBe(0);
  });

  it('many concurrent requests on one dataset, some sending the same times: exact counts, extents and corrections, one updateSequence per changing run', async () => {
    const t = ids.GA_PSAL;
    const start = BASE + 1000 * MIN;
    // 40 requests of 5 rows; request w overlaps request w-1 on 2 times, with other values (corrections).
    const reqs = Array.from({ length: 40 }, (_, w) => cols(Array.from({ length: 5 }, (_, i) => [t, start + (w * 3 + i) * MIN, w, 1] as [number, number, number, number])));
    const out = await Promise.all(reqs.map((r) => writeObservations(db.store, source, r)));
    const inserted = out.reduce((n, s) => n + s.observations.inserted, 0);
    const corrected = out.reduce((n, s) => n + s.observations.corrected, 0);
    // 40 * 3 + 2 distinct times; every other row is a later request's re-send with another value.
    expect(inserted).toBe(122);
    expect(inserted + corrected).toBe(200);
    const s = await stats(db.store, t);
    expect(s.ds).toEqual(s.rc);
    // Concurrent requests have no order: a time two of them sent holds the value of one of them.
    const shared = (await db.store.query<{ value: number }>(`SELECT value FROM observation WHERE dataset_id = $1 AND time = $2`, [t, new Date(start + 39 * 3 * MIN)])).rows[0];
    expect([38, 39]).toContain(shared.value);
    const rec = (await db.store.query<{ n: number }>(`SELECT count(*)::int n FROM observation_correction WHERE dataset_id = $1 AND time >= $2`, [t, new Date(start)])).rows[0].n;
    expect(rec).toBe(corrected);
    const seq = (await db.store.query<{ runs: number; distinct: number; unfinished: number }>(
      `SELECT count(*)::int runs, count(DISTINCT date_trunc('milliseconds', finished_at))::int AS distinct, count(*) FILTER (WHERE finished_at IS NULL)::int unfinished FROM import_run WHERE changed`,
    )).rows[0];
    expect(seq.unfinished).toBe(0);
    expect(seq.distinct).toBe(seq.runs);
  });

  it('on PostgreSQL, requests arriving together share commits (group commit), each still with its own run', async () => {
    const start = BASE + 3000 * MIN;
    const out = await Promise.all(Array.from({ length: 30 }, (_, w) => writeObservations(db.store, source, cols([[ids.GA_TEMP, start + w * MIN, w, 1]]))));
    expect(out.every((s) => s.observations.inserted === 1)).toBe(true);
    const runs = out.map((s) => s.runId);
    expect(new Set(runs).size).toBe(30);
    // Rows written by one transaction share its xmin.
    const tx = (await db.store.query<{ n: number }>(`SELECT count(DISTINCT xmin::text)::int n FROM import_run WHERE id = ANY($1::int[])`, [runs])).rows[0].n;
    if (usingPostgres()) expect(tx).toBeLessThan(30);
    else expect(tx).toBe(30);
  });

  it('a dataset deleted after the look-up: only the requests naming it are refused, the others of the group are written', async () => {
    const gone = `dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end
GA_GONE,G_A,PSAL,sea_water_practical_salinity,Salinity,1,RAW DATA,SBE37GONE,,
`;
    await importParts(db.store, source, [part('datasets', gone)]);
    const id = (await db.store.query<{ id: number }>(`SELECT id FROM dataset WHERE code = 'GA_GONE'`)).rows[0].id;
    await ingest(db.store, source, async (b) => expect(await b.deleteSensor('G_A_SBE37GONE')).toEqual([id]));
    const t = BASE + 5000 * MIN;
    const [ok1, bad, ok2] = await Promise.allSettled([
      writeObservations(db.store, source, cols([[ids.GA_TEMP, t, 1, 1]])),
      writeObservations(db.store, source, cols([[ids.GA_TEMP, t + MIN, 1, 1], [id, t, 1, 1]])),
      writeObservations(db.store, source, cols([[ids.GA_TEMP, t + 2 * MIN, 1, 1]])),
    ]);
    expect(ok1).toMatchObject({ status: 'fulfilled', value: { observations: { inserted: 1 } } });
    expect(ok2).toMatchObject({ status: 'fulfilled', value: { observations: { inserted: 1 } } });
    expect(bad).toMatchObject({ status: 'rejected', reason: { line: 0, column: 'dataset_id', reason: expect.stringMatching(/no longer exists/) } });
    const times = (await db.store.query<{ t: string }>(`SELECT time::text t FROM observation WHERE dataset_id = $1 AND time >= $2 ORDER BY time`, [ids.GA_TEMP, new Date(t)])).rows;
    expect(times).toHaveLength(2);
    const s = await stats(db.store, ids.GA_TEMP);
    expect(s.ds).toEqual(s.rc);
  });
});
