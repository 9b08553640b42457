import { createTestApp, TestApp } from '../helpers/app';
import { EDR, edrGet, enc } from './helpers';

/** HTTP caching of the EDR resources (src/http/caching.ts): as the Features items are cached. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('validates a data query in a closed datetime window (304 on its tag), not an open one; errors are not stored', async () => {
  const url = `${EDR}/locations/NCL_AMEDEE?datetime=${enc('2024-06-01T00:00:00Z/2024-06-02T00:00:00Z')}`;
  const closed = await edrGet(t, url);
  expect(closed.status).toBe(200);
  expect(closed.headers['cache-control']).toBe('public, max-age=86400');
  expect(closed.headers.etag).toBeDefined();
  expect((await edrGet(t, url, { 'If-None-Match': closed.headers.etag })).status).toBe(304);
  // Another format is another representation.
  const csv = await edrGet(t, `${url}&f=CSV`);
  expect(csv.headers.etag).not.toBe(closed.headers.etag);
  const open = await edrGet(t, `${EDR}/locations/NCL_AMEDEE?datetime=${enc('2024-06-01T00:00:00Z/..')}&downsample=10`);
  expect(open.status).toBe(200);
  expect(open.headers.etag).toBeUndefined();
  expect(open.headers['cache-control']).toBe('no-cache');
  const bad = await edrGet(t, `${EDR}/locations/NCL_AMEDEE?datetime=${enc('2024-06-01T00:00:00Z/2024-06-02T00:00:00Z')}&parameter-name=NOPE`);
  expect(bad.status).toBe(400);
  expect(bad.headers['cache-control']).toBe('no-store');
  // No validator of ours (Express's weak body-hash tag aside, as on every error).
  expect(bad.headers.etag ?? 'W/').toMatch(/^W\//);
  expect(bad.headers['last-modified']).toBeUndefined();
});

it('validates the locations list from the catalogue', async () => {
  const r = await edrGet(t, `${EDR}/locations`);
  expect(r.headers['cache-control']).toBe('public, max-age=60, must-revalidate');
  expect((await edrGet(t, `${EDR}/locations`, { 'If-None-Match': r.headers.etag })).status).toBe(304);
});

it('names the answer file after the series and the window', async () => {
  const r = await edrGet(t, `${EDR}/locations/NCL_AMEDEE?parameter-name=TEMP&datetime=${enc('2024-06-01T00:00:00Z/2024-06-02T00:00:00Z')}`);
  expect(r.headers['content-disposition']).toBe('inline; filename="AMEDEE_TEMP_0A_SBE56_2024-06-01_2024-06-02.covjson"');
  const csv = await edrGet(t, `${EDR}/locations/NCL_AMEDEE?datetime=${enc('2024-06-01T00:00:00Z/2024-06-02T00:00:00Z')}&f=CSV`);
  expect(csv.headers['content-disposition']).toBe('inline; filename="NCL_AMEDEE_2024-06-01_2024-06-02.csv"');
});
