/** Download names (Content-Disposition) of every GetObservation format, and the NetCDF download of a dataset (issue 17). */
import { contentDisposition, downloadName, periodOf } from '../../src/http/downloadName';
import { createTestApp, TestApp } from '../helpers/app';

const OUVEA_TEMP = 'OUVEA01_TEMP_0A_SBE56';
const GO = 'service=SOS&version=2.0.0&request=GetObservation';

/** The response as a Buffer, whatever its type. */
const binary = (res: NodeJS.ReadableStream & { setEncoding(e: string): void; on(ev: string, cb: (x?: unknown) => void): void }, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c) => chunks.push(c as Buffer));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('download file names and the NetCDF download', () => {
  let app: TestApp;
  let start: string;
  let end: string;
  beforeAll(async () => {
    app = await createTestApp();
    const r = await app.db.store.query(`SELECT to_char(min(time) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS s, to_char(max(time) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS e, count(*)::int AS n FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1`, [OUVEA_TEMP]);
    ({ s: start, e: end } = r.rows[0] as { s: string; e: string });
  });
  afterAll(() => app.close());

  it('names a whole dataset by its code and its data period, with the extension of each format', async () => {
    for (const [fmt, ext] of [['text/csv', 'csv'], ['application/json', 'json'], ['http://www.opengis.net/om/2.0', 'xml'], ['http://www.opengis.net/waterml/2.0', 'xml']]) {
      const res = await app.http.get(`/sos?${GO}&offering=${OUVEA_TEMP}&responseFormat=${encodeURIComponent(fmt)}`).expect(200);
      expect(res.headers['content-disposition']).toBe(`inline; filename="${OUVEA_TEMP}_${start}_${end}.${ext}"`);
    }
  });

  it('names a period by its days, a station by its code, and the latest values by "latest"', async () => {
    const period = await app.http.get(`/sos?${GO}&offering=${OUVEA_TEMP}&responseFormat=text/csv&temporalFilter=om:phenomenonTime,2024-03-01T00:00:00Z/2024-03-31T23:59:59Z`).expect(200);
    expect(period.headers['content-disposition']).toBe(`inline; filename="${OUVEA_TEMP}_2024-03-01_2024-03-31.csv"`);
    const station = await app.http.get(`/sos?${GO}&featureOfInterest=NCL_OUVEA01&responseFormat=text/csv&temporalFilter=om:phenomenonTime,latest`).expect(200);
    expect(station.headers['content-disposition']).toBe('inline; filename="NCL_OUVEA01_latest.csv"');
    // Errors are not named as data.
    const bad = await app.http.get(`/sos?${GO}&offering=NOPE&responseFormat=text/csv`);
    expect(bad.status).toBe(400);
    expect(bad.headers['content-disposition']).toBeUndefined();
  });

  it('keeps file names safe whatever the codes', () => {
    expect(downloadName('a/b"c\r\nd', '2024-01-01_2024-01-02', 'csv')).toBe('a_b_c_d_2024-01-01_2024-01-02.csv');
    expect(contentDisposition(downloadName('../x', undefined, 'nc'))).toBe('inline; filename="x.nc"');
    expect(periodOf([{ op: 'During', start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 11, 31, 23) }])).toBe('2024-01-01_2024-12-31');
    expect(periodOf([], { start: null, end: null })).toBeUndefined();
  });

  it('serves a dataset as an OceanSITES NetCDF file with every row, named like the other downloads', async () => {
    const res = await app.http.get(`/datasets/${OUVEA_TEMP}.nc`).buffer(true).parse(binary as never).expect(200);
    expect(res.headers['content-type']).toBe('application/x-netcdf');
    expect(res.headers['content-disposition']).toBe(`inline; filename="${OUVEA_TEMP}_${start}_${end}.nc"`);
    const body = res.body as Buffer;
    expect(body.subarray(0, 3).toString('latin1')).toBe('CDF');
    const n = (await app.db.store.query('SELECT count(*)::int AS n FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1', [OUVEA_TEMP])).rows[0] as { n: number };
    // numrecs, the big-endian int after the 4-byte magic: one record per observation.
    expect(body.readInt32BE(4)).toBe(n.n);
    const missing = await app.http.get('/datasets/NOPE.nc').expect(404);
    expect(missing.text).toContain('ExceptionReport');
    await app.http.get(`/datasets/${OUVEA_TEMP}.txt`).expect(404);
  });

  it('serves the readable CSV of a dataset: a header people read, station/dataset/parameter/unit on every line, the rows of the period', async () => {
    const meta = (await app.db.store.query(`SELECT s.code AS station, p.label, p.uom FROM dataset d JOIN station s ON s.id = d.station_id JOIN observed_property p ON p.id = d.property_id WHERE d.code = $1`, [OUVEA_TEMP])).rows[0] as { station: string; label: string; uom: string };
    const rows = (await app.db.store.query(`SELECT to_char(o.time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t, o.value, o.qc FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1 AND o.time >= '2024-03-01T00:00:00Z' AND o.time < '2024-04-01T00:00:00Z' ORDER BY o.time`, [OUVEA_TEMP])).rows as { t: string; value: number; qc: number }[];
    expect(rows.length).toBeGreaterThan(0);
    const res = await app.http.get(`/datasets/${OUVEA_TEMP}.csv?from=2024-03-01&to=2024-03-31`).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`inline; filename="${OUVEA_TEMP}_2024-03-01_2024-03-31.csv"`);
    const lines = res.text.trimEnd().split('\n');
    expect(lines[0]).toBe('station,dataset,parameter,unit,time,value,qc');
    const field = (v: string) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    expect(lines.slice(1)).toEqual(rows.map((r) => [meta.station, OUVEA_TEMP, field(meta.label), field(meta.uom), r.t, String(r.value), String(r.qc)].join(',')));
    // Whole dataset: every row, named by the data's own period.
    const whole = await app.http.get(`/datasets/${OUVEA_TEMP}.csv`).expect(200);
    expect(whole.headers['content-disposition']).toBe(`inline; filename="${OUVEA_TEMP}_${start}_${end}.csv"`);
    const n = (await app.db.store.query('SELECT count(*)::int AS n FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1', [OUVEA_TEMP])).rows[0] as { n: number };
    expect(whole.text.trimEnd().split('\n').length).toBe(n.n + 1);
    // An open end is the dataset's own: the name says the period covered.
    const open = await app.http.get(`/datasets/${OUVEA_TEMP}.csv?from=2024-03-01`).expect(200);
    expect(open.headers['content-disposition']).toBe(`inline; filename="${OUVEA_TEMP}_2024-03-01_${end}.csv"`);
    // Bad periods are 400 ExceptionReports, not data.
    for (const q of ['from=yesterday', 'from=2024-02-30', 'from=2024-03-02&to=2024-03-01', 'to=2024-03-01&to=2024-03-02']) {
      const bad = await app.http.get(`/datasets/${OUVEA_TEMP}.csv?${q}`);
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('ExceptionReport');
      expect(bad.headers['content-disposition']).toBeUndefined();
    }
    await app.http.get('/datasets/NOPE.csv').expect(404);
  });
});
