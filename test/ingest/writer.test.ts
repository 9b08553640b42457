import { createTestDb, TestDb } from '../helpers/testStore';
import { usingPostgres } from '../helpers/env';
import { importParts, ImportPart } from '../../src/ingest/importer';
import { ingest } from '../../src/ingest/writer';
import { ImportError } from '../../src/ingest/validate';
import { DataChange, onDataChange } from '../../src/ingest/changes';
import { updateSequence } from '../../src/query/datasets';
import type { Store } from '../../src/data/store';

/*
 * The one write path's rules (src/ingest/writer.ts), on both backends: re-sending changes nothing, a
 * different value or qc is a correction that is recorded, a run is all or nothing, counts and extents
 * follow, and the updateSequence grows with every changing run.
 */

const STATIONS = `station_id,name,network,producer,country,lat,lon,depth_m
W_A,Writer A,WriterNet,IRD,NCL,-22.3,166.4,5
`;
const DATASETS = `dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end
WA_TEMP,W_A,TEMP,sea_water_temperature,Sea temperature,Cel,RAW DATA,SBE56,,
`;
const OBS = `dataset_id,time,value,qc
WA_TEMP,2024-03-01T00:00:00Z,25.1,1
WA_TEMP,2024-03-01T01:00:00Z,25.2,1
WA_TEMP,2024-03-01T02:00:00Z,,9
WA_TEMP,2024-03-01T03:00:00Z,25.4,1
`;

function part(kind: ImportPart['kind'], text: string): ImportPart {
  return { kind, file: `${kind}.csv`, text: (async function* () { yield text; })() };
}

const source = { description: 'writer.test' };

async function rows(store: Store) {
  return (await store.query<{ t: string; value: number | null; qc: number }>(
    `SELECT to_char(o.time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') t, o.value, o.qc FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = 'WA_TEMP' ORDER BY o.time`,
  )).rows;
}

async function dataset(store: Store) {
  return (await store.query<{ id: number; n: number; t0: string; t1: string; updated: string }>(
    `SELECT id, obs_count::int n, to_char(time_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') t0, to_char(time_end AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') t1, updated_at::text updated
       FROM dataset WHERE code = 'WA_TEMP'`,
  )).rows[0];
}

/** The stored count and extent, counted from the rows (what the incremental update must equal). */
async function recount(store: Store) {
  return (await store.query<{ n: number; t0: string; t1: string }>(
    `SELECT count(*)::int n, to_char(min(o.time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') t0, to_char(max(o.time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') t1
       FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = 'WA_TEMP'`,
  )).rows[0];
}

async function corrections(store: Store) {
  return (await store.query<{ t: string; old_value: number | null; old_qc: number; new_value: number | null; new_qc: number; run: number }>(
    `SELECT to_char(c.time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') t, c.old_value, c.old_qc, c.new_value, c.new_qc, c.import_run_id run
       FROM observation_correction c JOIN dataset d ON d.id = c.dataset_id WHERE d.code = 'WA_TEMP' ORDER BY c.id`,
  )).rows;
}

const ms = (iso: string) => Date.parse(iso);

describe('the ingest writer (both backends)', () => {
  let db: TestDb;
  const changes: DataChange[] = [];
  let stopListening: () => void;
  beforeAll(async () => {
    db = await createTestDb('empty');
    stopListening = onDataChange((_store, c) => changes.push(c));
  });
  afterAll(async () => {
    stopListening();
    await db.drop();
  });

  it('stores a set, and re-sending it changes nothing: same rows, counts unchanged, no correction, same updateSequence', async () => {
    const first = await importParts(db.store, source, [part('stations', STATIONS), part('datasets', DATASETS), part('observations', OBS)]);
    expect(first.observations).toEqual({ read: 4, inserted: 4, corrected: 0, unchanged: 0, written: 4 });
    expect(first.changed).toBe(true);
    expect(changes.at(-1)).toMatchObject({ runId: first.runId, catalogue: true });
    const before = { rows: await rows(db.store), ds: await dataset(db.store), seq: await updateSequence(db.store) };
    expect(before.ds).toMatchObject({ n: 4, t0: '2024-03-01T00:00', t1: '2024-03-01T03:00' });
    expect(before.rows[2]).toEqual({ t: '2024-03-01T02:00:00', value: null, qc: 9 });
    const seen = changes.length;

    const again = await importParts(db.store, source, [part('stations', STATIONS), part('datasets', DATASETS), part('observations', OBS)]);
    expect(again.observations).toEqual({ read: 4, inserted: 0, corrected: 0, unchanged: 4, written: 0 });
    expect(again.changed).toBe(false);
    expect(await rows(db.store)).toEqual(before.rows);
    expect(await dataset(db.store)).toEqual(before.ds);
    expect(await updateSequence(db.store)).toBe(before.seq);
    expect(await corrections(db.store)).toEqual([]);
    // Nothing changed: no cache anywhere is dropped.
    expect(changes.length).toBe(seen);
  });

  it('a different value or qc replaces the stored one and is recorded with the old and new values and the run', async () => {
    const seq = await updateSequence(db.store);
    const ds0 = await dataset(db.store);
    const changed = OBS.replace('2024-03-01T01:00:00Z,25.2,1', '2024-03-01T01:00:00Z,25.3,1').replace('2024-03-01T03:00:00Z,25.4,1', '2024-03-01T03:00:00Z,25.4,4');
    const s = await importParts(db.store, source, [part('observations', changed)]);
    expect(s.observations).toEqual({ read: 4, inserted: 0, corrected: 2, unchanged: 2, written: 2 });
    expect(s.changed).toBe(true);
    expect(await corrections(db.store)).toEqual([
      { t: '2024-03-01T01:00', old_value: 25.2, old_qc: 1, new_value: 25.3, new_qc: 1, run: s.runId },
      { t: '2024-03-01T03:00', old_value: 25.4, old_qc: 1, new_value: 25.4, new_qc: 4, run: s.runId },
    ]);
    const r = await rows(db.store);
    expect(r[1]).toEqual({ t: '2024-03-01T01:00:00', value: 25.3, qc: 1 });
    expect(r[3]).toEqual({ t: '2024-03-01T03:00:00', value: 25.4, qc: 4 });
    // A correction keeps the count and extent, marks the dataset changed and moves the updateSequence on.
    const ds1 = await dataset(db.store);
    expect(ds1).toMatchObject({ n: 4, t0: ds0.t0, t1: ds0.t1 });
    expect(ds1.updated > ds0.updated).toBe(true);
    expect(await updateSequence(db.store) > seq).toBe(true);
    expect(changes.at(-1)).toEqual({ runId: s.runId, datasets: [ds1.id], catalogue: false });
    const run = await db.store.query<{ inserted: number; corrected: number; written: number }>(
      'SELECT observations_inserted::int inserted, observations_corrected::int corrected, observations_written::int written FROM import_run WHERE id = $1',
      [s.runId],
    );
    expect(run.rows[0]).toEqual({ inserted: 0, corrected: 2, written: 2 });
  });

  it('the few-rows path (SOS-T, MQTT) inserts, corrects and skips by the same rules, and keeps counts and extents exact', async () => {
    const { id } = await dataset(db.store);
    const s = await ingest(db.store, source, async (b) => {
      const ids = await b.datasetIds();
      expect(ids.ids.get('WA_TEMP')).toBe(id);
      await b.addObservations([
        { datasetId: id, time: ms('2024-02-29T23:00:00Z'), value: 24.9, qc: 1 }, // before the first: extends the start
        { datasetId: id, time: ms('2024-03-01T00:00:00Z'), value: 25.1, qc: 1 }, // as stored
        { datasetId: id, time: ms('2024-03-01T01:00:00Z'), value: 25.0, qc: 2 }, // a correction
        { datasetId: id, time: ms('2024-03-02T00:00:00.250Z'), value: null, qc: 9 }, // after the last, with milliseconds
      ]);
    });
    expect(s.observations).toEqual({ read: 4, inserted: 2, corrected: 1, unchanged: 1, written: 3 });
    expect(await dataset(db.store)).toMatchObject({ n: 6, t0: '2024-02-29T23:00', t1: '2024-03-02T00:00' });
    expect(await recount(db.store)).toEqual({ n: 6, t0: '2024-02-29T23:00', t1: '2024-03-02T00:00' });
    expect((await corrections(db.store)).at(-1)).toEqual({ t: '2024-03-01T01:00', old_value: 25.3, old_qc: 1, new_value: 25, new_qc: 2, run: s.runId });
  });

  it('every changing run moves the updateSequence forward, however quickly they follow each other', async () => {
    const { id } = await dataset(db.store);
    let prev = await updateSequence(db.store);
    for (let i = 0; i < 5; i++) {
      await ingest(db.store, source, (b) => b.addObservations([{ datasetId: id, time: ms('2024-04-01T00:00:00Z') + i * 60_000, value: i, qc: 1 }]));
      const seq = await updateSequence(db.store);
      expect(seq > prev).toBe(true);
      prev = seq;
    }
  });

  it('a run that fails after writing leaves nothing: no rows, no run, no correction, counts unchanged, no change announced', async () => {
    const { id } = await dataset(db.store);
    const before = { rows: await rows(db.store), ds: await dataset(db.store), runs: (await db.store.query<{ n: number }>('SELECT count(*)::int n FROM import_run')).rows[0].n };
    const corr = (await corrections(db.store)).length;
    const seen = changes.length;
    await expect(
      ingest(db.store, source, async (b) => {
        await b.addObservations([
          { datasetId: id, time: ms('2024-05-01T00:00:00Z'), value: 1, qc: 1 },
          { datasetId: id, time: ms('2024-03-01T00:00:00Z'), value: 99, qc: 1 },
        ]);
        throw new Error('the caller fails after its rows were merged');
      }),
    ).rejects.toThrow('the caller fails');
    expect(await rows(db.store)).toEqual(before.rows);
    expect(await dataset(db.store)).toEqual(before.ds);
    expect((await db.store.query<{ n: number }>('SELECT count(*)::int n FROM import_run')).rows[0].n).toBe(before.runs);
    expect((await corrections(db.store)).length).toBe(corr);
    expect(changes.length).toBe(seen);
  });

  it('refuses a (dataset, time) twice in one call, a qc outside 0-9 and a time outside PostgreSQL years, naming the row', async () => {
    const { id } = await dataset(db.store);
    const t = ms('2024-06-01T00:00:00Z');
    const attempt = (rows: { datasetId: number; time: number; value: number | null; qc: number }[]) => ingest(db.store, source, (b) => b.addObservations(rows, 'InsertObservation'));
    await expect(attempt([{ datasetId: id, time: t, value: 1, qc: 1 }, { datasetId: id, time: t, value: 1, qc: 1 }])).rejects.toMatchObject({ file: 'InsertObservation', line: 2, column: 'time' });
    await expect(attempt([{ datasetId: id, time: t, value: 1, qc: 10 }])).rejects.toMatchObject({ line: 1, column: 'qc' });
    await expect(attempt([{ datasetId: id, time: Date.UTC(10000, 0, 1), value: 1, qc: 1 }])).rejects.toBeInstanceOf(ImportError);
    await expect(attempt([{ datasetId: id, time: t, value: Number.NaN, qc: 1 }])).rejects.toMatchObject({ column: 'value' });
    expect((await rows(db.store)).some((r) => r.t.startsWith('2024-06-01'))).toBe(false);
  });

  (usingPostgres() ? it : it.skip)('concurrent writers of one dataset keep its count and extent exact (PostgreSQL)', async () => {
    const { id } = await dataset(db.store);
    const base = ms('2025-01-01T00:00:00Z');
    // 8 writers, each 50 rows; consecutive writers overlap by 25 rows (same values: unchanged for the later one).
    const writers = Array.from({ length: 8 }, (_, w) =>
      ingest(db.store, source, (b) => b.addObservations(Array.from({ length: 50 }, (_, i) => ({ datasetId: id, time: base + (w * 25 + i) * 60_000, value: (w * 25 + i) / 10, qc: 1 })))),
    );
    const out = await Promise.all(writers);
    expect(out.reduce((n, s) => n + s.observations.inserted, 0)).toBe(7 * 25 + 50);
    expect(out.reduce((n, s) => n + s.observations.corrected, 0)).toBe(0);
    const ds = await dataset(db.store);
    const rc = await recount(db.store);
    expect({ n: ds.n, t0: ds.t0, t1: ds.t1 }).toEqual(rc);
    // Their ends went through the one-script end (lock, finished_at, NOTIFY, COMMIT): every changing run
    // still has an updateSequence of its own, at the millisecond shown.
    const seq = (await db.store.query<{ runs: number; distinct: number; unfinished: number }>(
      `SELECT count(*)::int runs, count(DISTINCT date_trunc('milliseconds', finished_at))::int AS distinct, count(*) FILTER (WHERE finished_at IS NULL)::int unfinished FROM import_run WHERE changed`,
    )).rows[0];
    expect(seq.unfinished).toBe(0);
    expect(seq.distinct).toBe(seq.runs);
  });
  it('a dataset deleted between a writer\'s look-up and its write is refused under the dataset lock, on both paths, and nothing is stored', async () => {
    // SOS-T looks datasets up before its transaction; a DeleteSensor may commit in between. Here the delete
    // simply happens between the look-up and the write, as it would in that race.
    const gone = `dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end
WA_GONE,W_A,PSAL,sea_water_practical_salinity,Salinity,1,RAW DATA,SBE37GONE,,
`;
    await importParts(db.store, source, [part('stations', STATIONS), part('datasets', gone)]);
    const id = (await db.store.query<{ id: number }>(`SELECT id FROM dataset WHERE code = 'WA_GONE'`)).rows[0].id;
    await ingest(db.store, source, async (b) => expect(await b.deleteSensor('W_A_SBE37GONE')).toEqual([id]));
    const t = ms('2024-05-01T00:00:00Z');
    const few = ingest(db.store, source, (b) => b.addObservations([{ datasetId: id, time: t, value: 1, qc: 1 }], 'InsertObservation'));
    await expect(few).rejects.toBeInstanceOf(ImportError);
    await expect(few).rejects.toMatchObject({ column: 'dataset_id', reason: expect.stringMatching(/no longer exists/) });
    const staged = ingest(db.store, source, async (b) => {
      const stage = b.stage('resultValues');
      await b.copyObservations(stage, (async function* () { yield stage.line(1, id, 'WA_GONE', t, new Date(t).toISOString(), '1', '1'); })());
    });
    await expect(staged).rejects.toMatchObject({ column: 'dataset_id', reason: expect.stringMatching(/no longer exists/) });
    expect((await db.store.query<{ n: number }>('SELECT count(*)::int n FROM observation WHERE dataset_id = $1', [id])).rows[0].n).toBe(0);
  });
});
