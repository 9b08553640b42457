import { recordImportProgress, rowsStreamed } from '../../src/metrics/metrics';
import { createTestDb, TestDb } from '../helpers/testStore';
import { createProbeApp } from './support';

// /metrics: request counts and latency by service, operation and status; pool, limiter, rows streamed, import progress.
let db: TestDb;
beforeAll(async () => {
  db = await createTestDb('empty');
});
afterAll(async () => {
  await db.drop();
});

/** Value of one sample line (name with its exact label set) in Prometheus text format. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('requests are counted and timed by service, operation and status', async () => {
  const p = createProbeApp(db.store);
  await p.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'sleep', ms: '0' });
  await p.http.get('/wfs').query({ service: 'WFS', request: 'getfeature', mode: 'sleep', ms: '0' });
  await p.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', mode: 'bogus' });
  await p.http.get('/wfs').query({ service: 'WFS', request: 'NoSuchOperation' });
  await p.http.get('/no/such/path');
  const res = await p.http.get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const m = res.text;
  // The operation label is the canonical name whatever the case sent.
  expect(sample(m, 'reefgate_http_requests_total{service="WFS",operation="GetFeature",status="200"}')).toBe(2);
  expect(sample(m, 'reefgate_http_requests_total{service="WFS",operation="GetFeature",status="400"}')).toBe(1);
  // Unknown operations and paths do not create new label values from user text.
  expect(sample(m, 'reefgate_http_requests_total{service="WFS",operation="none",status="400"}')).toBe(1);
  expect(m).not.toMatch(/NoSuchOperation|no\/such/);
  expect(sample(m, 'reefgate_http_requests_total{service="none",operation="other",status="404"}')).toBe(1);
  expect(sample(m, 'reefgate_http_request_duration_seconds_count{service="WFS",operation="GetFeature",status="200"}')).toBe(2);
  expect(sample(m, 'reefgate_http_request_duration_seconds_bucket{le="+Inf",service="WFS",operation="GetFeature",status="200"}')).toBe(2);
  // Pool and limiter gauges. The Node runtime metrics are the serving process's (main.ts starts them):
  // test/server/pgliteMemory.test.ts and test/scale/workers.test.ts read them from a real gateway.
  expect(sample(m, 'reefgate_db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(0);
  expect(sample(m, 'reefgate_db_pool_connections{state="waiting"}')).toBe(0);
  expect(sample(m, 'reefgate_heavy_requests{state="running"}')).toBe(0);
});

test('the embedded store reports its WebAssembly memory; PostgreSQL has none to report', async () => {
  const p = createProbeApp(db.store);
  const m = (await p.http.get('/metrics')).text;
  const wasm = sample(m, 'reefgate_pglite_wasm_memory_bytes');
  if (db.store.kind === 'pglite') {
    // PGlite starts with 128 MiB of linear memory; it is a whole number of 64 KiB WebAssembly pages.
    expect(wasm).toBeGreaterThanOrEqual(128 * 1024 * 1024);
    expect(wasm! % 65536).toBe(0);
    expect(wasm).toBe(db.store.wasmMemoryBytes!());
  } else {
    expect(wasm).toBeUndefined();
    expect(m).not.toContain('reefgate_pglite_wasm_memory_bytes');
  }
});

test('pool usage reflects the store', async () => {
  const p = createProbeApp(db.store);
  const stats = db.store.poolStats();
  const m = (await p.http.get('/metrics')).text;
  expect(sample(m, 'reefgate_db_pool_connections{state="total"}')).toBe(stats.total);
  expect(sample(m, 'reefgate_db_pool_connections{state="idle"}')).toBe(stats.idle);
});

test('two apps in one process keep separate request counts and share the process-wide counters', async () => {
  const a = createProbeApp(db.store);
  const b = createProbeApp(db.store);
  await a.http.get('/healthz');
  await a.http.get('/healthz');
  await b.http.get('/healthz');
  rowsStreamed.inc({ service: 'SOS', operation: 'GetObservation' }, 1234);
  recordImportProgress({ file: 'observations.csv.gz', rows: 5000, rowsPerSecond: 2500, done: false });
  const ma = (await a.http.get('/metrics')).text;
  const mb = (await b.http.get('/metrics')).text;
  expect(sample(ma, 'reefgate_http_requests_total{service="none",operation="healthz",status="200"}')).toBe(2);
  expect(sample(mb, 'reefgate_http_requests_total{service="none",operation="healthz",status="200"}')).toBe(1);
  for (const m of [ma, mb]) {
    expect(sample(m, 'reefgate_rows_streamed_total{service="SOS",operation="GetObservation"}')).toBeGreaterThanOrEqual(1234);
    expect(sample(m, 'reefgate_import_rows{file="observations.csv.gz"}')).toBe(5000);
    expect(sample(m, 'reefgate_import_in_progress')).toBe(1);
  }
  recordImportProgress({ file: 'observations.csv.gz', rows: 9000, rowsPerSecond: 3000, done: true });
  const done = (await a.http.get('/metrics')).text;
  expect(sample(done, 'reefgate_import_in_progress')).toBe(0);
  expect(sample(done, 'reefgate_import_rows{file="observations.csv.gz"}')).toBe(9000);
});

test('real WFS GetFeature and SOS GetObservation responses count their rows', async () => {
  const { createTestApp } = await import('../helpers/app');
  const t = await createTestApp();
  try {
    const before = (await t.http.get('/metrics')).text;
    const wfs0 = sample(before, 'reefgate_rows_streamed_total{service="WFS",operation="GetFeature"}') ?? 0;
    const sos0 = sample(before, 'reefgate_rows_streamed_total{service="SOS",operation="GetObservation"}') ?? 0;
    const gf = await t.http.get('/wfs').query({ service: 'WFS', version: '2.0.0', request: 'GetFeature', typeNames: 'reef:Station', count: '7' });
    expect(gf.status).toBe(200);
    const caps = await t.http.get('/sos').query({ service: 'SOS', request: 'GetCapabilities', acceptVersions: '2.0.0' }).buffer(true);
    const offering = /<swes:identifier>([^<]+)</.exec(caps.text ?? String(caps.body))![1];
    const go = await t.http.get('/sos').query({ service: 'SOS', version: '2.0.0', request: 'GetObservation', offering, responseFormat: 'text/csv' });
    expect(go.status).toBe(200);
    const csvRows = String(go.text).trim().split('\n').length - 1;
    expect(csvRows).toBeGreaterThan(10);
    const after = (await t.http.get('/metrics')).text;
    expect(sample(after, 'reefgate_rows_streamed_total{service="WFS",operation="GetFeature"}')).toBe(wfs0 + 7);
    expect(sample(after, 'reefgate_rows_streamed_total{service="SOS",operation="GetObservation"}')).toBe(sos0 + csvRows);
  } finally {
    await t.close();
  }
});
