import { createTestApp, TestApp, textBody } from '../helpers/app';
import { parseApiKeys } from '../../src/security/apiKey';
import { exceptionOf } from './helpers';
import { insertResultDoc, insertResultTemplateDoc } from './transactionalDocs';

/*
 * InsertResult's two write paths (src/sos/insertResult.ts): up to 100,000 blocks one grouped statement
 * (src/ingest/groupWrite.ts), beyond that the writer's COPY path; both refuse a (dataset, time) given
 * twice naming the block, store all or nothing, and take a re-send as unchanged.
 */

const KEY = 'sos-t-paths-key-0123456789';
// A demo dataset (its sensor is the station's code and the instrument family).
const OFFERING = { offering: 'OUVEA01_TEMP_0A_SBE56', procedure: 'NCL_OUVEA01_SBE56', station: 'NCL_OUVEA01' };

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ apiKeys: parseApiKeys(KEY), maxXmlBodyBytes: 8 * 1024 * 1024 });
});
afterAll(async () => {
  await t.close();
});

const post = (xml: string) => t.http.post('/sos').set('Content-Type', 'application/xml').set('X-API-Key', KEY).send(xml).buffer(true).parse(textBody);
const count = async () =>
  Number((await t.db.store.query<{ n: string }>('SELECT count(*) AS n FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1', [OFFERING.offering])).rows[0].n);
const written = (body: string) => Number(/<swe:value>(\d+)<\/swe:value>/.exec(body)?.[1]);
const blocks = (n: number, from: number) => Array.from({ length: n }, (_, i) => `${new Date(from + i * 60_000).toISOString()},${(i % 300) / 10},1`);

test('both paths: a duplicate time is refused naming its block, nothing stored; then all stored, and a re-send changes nothing', async () => {
  const tr = await post(insertResultTemplateDoc(OFFERING.offering, OFFERING.procedure, OFFERING.station));
  expect(tr.body).toContain("acceptedTemplate");
  const id = /<sos:acceptedTemplate>([^<]+)</.exec(tr.body)![1];
  const before = await count();
  for (const n of [5_000, 100_001]) {
    const from = Date.UTC(2027, 0, 1) + n * 60_000;
    const ok = blocks(n, from);
    // Block 3 again as the last block: out of order, so both paths have to compare times.
    const dup = await post(insertResultDoc(id, [...ok, ok[2]].join('@@')));
    expect(dup.status).toBe(400);
    expect(exceptionOf(dup.body)).toEqual({ code: 'InvalidParameterValue', locator: 'resultValues' });
    expect(dup.body).toMatch(new RegExp(`block ${n + 1}: duplicate observation`));
    expect(await count()).toBe(before + (n === 5_000 ? 0 : 5_000));
    const r = await post(insertResultDoc(id, ok.join('@@')));
    expect(r.status).toBe(200);
    expect(written(r.body)).toBe(n);
    const again = await post(insertResultDoc(id, ok.join('@@')));
    expect(again.status).toBe(200);
    expect(written(again.body)).toBe(0);
  }
  expect(await count()).toBe(before + 105_001);
  const ds = (await t.db.store.query<{ n: number; rc: number }>(
    `SELECT d.obs_count::int n, (SELECT count(*)::int FROM observation o WHERE o.dataset_id = d.id) rc FROM dataset d WHERE d.code = $1`,
    [OFFERING.offering],
  )).rows[0];
  expect(ds.n).toBe(ds.rc);
}, 120_000);
