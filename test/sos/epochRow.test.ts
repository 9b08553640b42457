import type { Offering } from '../../src/catalog/offerings';
import { ChunkWriter } from '../../src/encoders/chunkWriter';
import { SosCsvEncoder } from '../../src/encoders/series/csv';
import { EdrCsvEncoder } from '../../src/encoders/series/edrCsv';
import { SosJsonEncoder } from '../../src/encoders/series/json';
import { Om10ObservationEncoder } from '../../src/encoders/series/om10';
import { Om20Encoder } from '../../src/encoders/series/om20';
import { EPOCH, EPOCH_QC_VALUE, QC, TIME_ISO, VALUE_JSON } from '../../src/encoders/series/sqlText';
import { Wml2Encoder } from '../../src/encoders/series/wml2';
import type { Sink } from '../../src/ows/types';
import { createTestDb, TestDb } from '../helpers/testStore';

/*
 * The per-row encoders read PostgreSQL's cheapest row text (EPOCH_QC_VALUE) and write time, value and
 * flag themselves. Their output must be what PostgreSQL wrote when it formatted the rows (the texts
 * below are those expressions): edge values are run through a real database both ways.
 */
const TIME_VALUE_QC_SQL = `${TIME_ISO} || ',' || coalesce(o.value::text, '') || ',' || ${QC}`;
const JSON_POINT_SQL = `'["' || ${TIME_ISO} || '",' || ${VALUE_JSON} || ',' || ${QC} || ']'`;

/** Times around the epoch (fractions before it), leap days, far years; values missing, non-finite, signed zero, extremes. */
const ROWS_SQL = `
  SELECT t::timestamptz AS time, v AS value, q::smallint AS qc FROM (VALUES
    ('2016-01-01T00:00:00Z', 25.6688::float8, 1),
    ('1969-12-31T23:59:59.5Z', NULL, 0),
    ('1969-12-31T23:59:58.999999Z', 'NaN', 9),
    ('1970-01-01T00:00:00.25Z', 'Infinity', 4),
    ('1970-01-01T00:00:07Z', 2.5, 6),
    ('1900-02-28T23:59:59Z', '-Infinity', 3),
    ('2024-02-29T12:34:56.789Z', '-0', 2),
    ('0001-01-01T00:00:00Z', 1.7976931348623157e308, 1),
    ('9999-12-31T23:59:59Z', -1.2345678901234567e-308, 5),
    ('2000-02-29T00:00:00Z', 1e-05, 1)
  ) AS x(t, v, q)`;

const ds = { id: 1, code: 'A_B', station: 'ST', propertyCode: 'TEMP', uom: 'Cel', procedure: 'P', propertyUri: 'http://x/TEMP' } as unknown as Offering;

/** What an encoder writes for the row texts, joined by newlines as the series queries join them. */
async function encode(
  make: (w: ChunkWriter) => { text(ds: Offering, text: string): Promise<void>; seriesStart(ds: Offering, e?: unknown): Promise<void>; seriesEnd?(ds: Offering): Promise<void> },
  rows: string[],
  withEnd = false,
): Promise<string> {
  const out: Buffer[] = [];
  const sink: Sink = { write: async (c) => void out.push(Buffer.from(c)), signal: new AbortController().signal };
  const w = new ChunkWriter(sink);
  const enc = make(w);
  await enc.seriesStart(ds, { begin: '', end: '', count: rows.length });
  await w.flush();
  out.length = 0;
  // Two batches, as a long series arrives.
  await enc.text(ds, rows.slice(0, 4).join('\n'));
  await enc.text(ds, rows.slice(4).join('\n'));
  if (withEnd) await enc.seriesEnd?.(ds);
  await w.flush();
  return Buffer.concat(out).toString('utf8');
}

describe('row texts written by the encoders (EPOCH_QC_VALUE) against the texts PostgreSQL formats', () => {
  let db: TestDb;
  let rows: { r: string; tvq: string; point: string; time: string; value: string | null; epoch: string; qc: number }[];
  beforeAll(async () => {
    db = await createTestDb('empty');
    const res = await db.store.query<{ r: string; tvq: string; point: string; time: string; value: string | null; epoch: string; qc: number }>(
      `SELECT ${EPOCH_QC_VALUE} AS r, ${TIME_VALUE_QC_SQL} AS tvq, ${JSON_POINT_SQL} AS point, ${TIME_ISO} AS time, o.value::text AS value, ${EPOCH}::text AS epoch, o.qc FROM (${ROWS_SQL}) o`,
    );
    rows = res.rows;
  });
  afterAll(() => db?.drop());
  const texts = () => rows.map((x) => x.r);

  test('CSV (SOS and the portal download): the offering, then time,value,qc as PostgreSQL wrote them', async () => {
    expect(await encode((w) => new SosCsvEncoder(w), texts())).toBe(rows.map((x) => `A_B,${x.tvq}\n`).join(''));
    // The cases the rows are there for: a missing value is an empty field, non-finite ones are PostgreSQL's words.
    expect(rows.map((x) => x.tvq)).toEqual(
      expect.arrayContaining(['1969-12-31T23:59:59Z,,0', '1969-12-31T23:59:58Z,NaN,9', '1970-01-01T00:00:00Z,Infinity,4', '1900-02-28T23:59:59Z,-Infinity,3', '0001-01-01T00:00:00Z,1.7976931348623157e+308,1']),
    );
  });

  test('EDR CSV: the same fields between the station/parameter and the unit', async () => {
    expect(await encode((w) => new EdrCsvEncoder(w), texts())).toBe(rows.map((x) => `ST,TEMP,${x.tvq},Cel\n`).join(''));
  });

  test('SOS 1.0 DataArray: the same fields as blocks separated by semicolons', async () => {
    expect(await encode((w) => new Om10ObservationEncoder(w), texts())).toBe(rows.map((x) => x.tvq).join(';'));
  });

  test('JSON points: missing and non-finite values are null', async () => {
    const json = await encode((w) => new SosJsonEncoder(w), texts());
    expect(json).toBe(rows.map((x) => x.point).join(','));
    const points = JSON.parse(`[${json}]`) as [string, number | null, number][];
    expect(points.filter((p) => p[1] === null)).toHaveLength(4);
  });

  test('WaterML 2.0 points: xsi:nil when missing, INF/-INF for the infinities', async () => {
    const xml = await encode((w) => new Wml2Encoder(w), texts());
    const xsDouble = (v: string) => (v === 'Infinity' ? 'INF' : v === '-Infinity' ? '-INF' : v);
    const want = rows.map(
      (x) =>
        `<wml2:point><wml2:MeasurementTVP><wml2:time>${x.time}</wml2:time>` +
        (x.value === null ? '<wml2:value xsi:nil="true"/>' : `<wml2:value>${xsDouble(x.value)}</wml2:value>`) +
        '</wml2:MeasurementTVP></wml2:point>',
    );
    expect(xml).toBe(want.join(''));
  });
  test('O&M 2.0 observations: the epoch in the ids, the time twice, the flag, the value as xs:double', async () => {
    // The epoch's digits are the stamp's (epoch * 10 + qc) but its last when the stamp is positive, down to
    // one digit (00:00:07 with flag 6 is 76); before 1970 and in its first ten seconds it is written out.
    expect(rows.filter((x) => x.r.startsWith('-') || x.r.split(' ')[0].length < 2).map((x) => x.r.split(' ')[0])).toEqual(['-10', '-11', '4', '-22038912007', '-621355967999']);
    expect(rows.map((x) => x.r)).toContain('76 2.5');
    const xml = await encode((w) => new Om20Encoder(w), texts(), true);
    const xsDouble = (v: string | null) => (v === null ? 'NaN' : v === 'Infinity' ? 'INF' : v === '-Infinity' ? '-INF' : v);
    const obs = [...xml.matchAll(/<om:OM_Observation gml:id="o_1_([^"]+)">(.*?)<\/om:OM_Observation>/g)];
    expect(obs).toHaveLength(rows.length);
    obs.forEach(([, id, body], i) => {
      const x = rows[i];
      expect(id).toBe(x.epoch);
      expect(body).toContain(`>A_B/${x.epoch}</gml:identifier>`);
      expect(body).toContain(`<gml:TimeInstant gml:id="to_1_${x.epoch}"><gml:timePosition>${x.time}</gml:timePosition>`);
      expect(body).toContain(`<gml:TimeInstant gml:id="ro_1_${x.epoch}"><gml:timePosition>${x.time}</gml:timePosition>`);
      expect(body).toContain(`<om:value xsi:type="xs:integer">${x.qc}</om:value>`);
      expect(body).toContain(`uom="Cel">${xsDouble(x.value)}</om:result>`);
    });
  });
});
