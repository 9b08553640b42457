import { createTestApp, TestApp } from '../helpers/app';
import { EDR, edrGet, enc } from './helpers';

/**
 * Bad EDR requests get the API's JSON errors ({"code","description"}) with the status the standard
 * gives them and a description naming the problem; no input reaches a 5xx. No data is 204.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ edrMaxObservations: 50_000 });
});
afterAll(async () => {
  await t?.close();
});

const P = (wkt: string) => `${EDR}/position?coords=${enc(wkt)}`;

async function expectError(url: string, status: number, code: string, description: RegExp): Promise<void> {
  const r = await edrGet(t, url);
  expect({ url, status: r.status, type: r.headers['content-type'] }).toEqual({ url, status, type: 'application/json; charset=utf-8' });
  expect(r.json.code).toBe(code);
  expect(r.json.description).toMatch(description);
}

describe('coords', () => {
  it.each([
    [P('POINT(166.4675)'), /^coords: unexpected token '\)' at position 15, expected a coordinate/],
    [P('POINT(166 -22'), /^coords: unexpected end of coords at position 14/],
    [P('PONT(166 -22)'), /^coords: 'PONT' geometries are not supported here .*expected POINT or MULTIPOINT/],
    [P('POINT(166 -22) x'), /^coords: unexpected token 'x' at position 16, expected the end of the geometry/],
    [P('POLYGON((0 0,1 0,1 1,0 0))'), /^coords: 'POLYGON' geometries are not supported here/],
    [P('POINT(166 -95)'), /^coords: Latitude -95 is outside \[-90, 90\]/],
    [P(''), /coords is required/],
    [`${EDR}/position`, /coords is required/],
    [`${EDR}/area?coords=${enc('POINT(166 -22)')}`, /expected POLYGON or MULTIPOLYGON/],
    [`${EDR}/area?coords=${enc('POLYGON((166 -22,167 -22,167 -21))')}`, /^coords: a polygon ring needs at least four positions and must be closed/],
    [`${EDR}/radius?coords=${enc('LINESTRING(166 -22,167 -22)')}&within=10&within-units=km`, /expected POINT or MULTIPOINT/],
  ])('%s → 400', async (url, description) => {
    await expectError(url, 400, /required/.test(String(description)) ? 'MissingParameterValue' : 'InvalidParameterValue', description);
  });
});

describe('the other parameters', () => {
  const ok = P('POINT(166.4675 -22.4775)');
  it.each([
    [`${ok}&parameter-name=TEMPERATURE`, 'InvalidParameterValue', /^Unknown parameter-name "TEMPERATURE"; this collection's parameters: .*TEMP/],
    [`${ok}&parameter-name=`, 'InvalidParameterValue', /parameter-name is empty/],
    [`${ok}&datetime=yesterday`, 'InvalidParameterValue', /not an RFC 3339 date-time/],
    [`${ok}&datetime=${enc('2024-05-01T00:00:00Z/2024-04-01T00:00:00Z')}`, 'InvalidParameterValue', /begins .* after it ends/],
    [`${ok}&crs=${enc('http://www.opengis.net/def/crs/EPSG/0/3857')}`, 'InvalidParameterValue', /Unsupported crs .* for EDR queries; supported: .*CRS84/],
    [`${ok}&z=deep`, 'InvalidParameterValue', /z value "deep" is not a number/],
    [`${ok}&z=20/10`, 'InvalidParameterValue', /z range begins \(20\) above its end \(10\)/],
    [`${ok}&qualityFlag=good`, 'InvalidParameterValue', /Quality flags are integers 0-9/],
    [`${ok}&downsample=1`, 'InvalidParameterValue', /downsample is a whole number of points from 2/],
    [`${ok}&downsample=100&f=CSV`, 'InvalidParameterValue', /downsample applies to f=covjson or f=geojson only/],
    [`${ok}&limit=10`, 'InvalidParameterValue', /Unknown parameter "limit"/],
    [`${EDR}/radius?coords=${enc('POINT(166 -22)')}&within-units=km`, 'MissingParameterValue', /within is required/],
    [`${EDR}/radius?coords=${enc('POINT(166 -22)')}&within=-3&within-units=km`, 'InvalidParameterValue', /within must be a positive number/],
    [`${EDR}/radius?coords=${enc('POINT(166 -22)')}&within=3&within-units=furlong`, 'InvalidParameterValue', /Unsupported within-units "furlong"; supported: km, m, mi, nmi/],
    [`${EDR}/cube`, 'MissingParameterValue', /bbox is required/],
    [`${EDR}/cube?bbox=166,-22,167`, 'InvalidParameterValue', /bbox must be 4 numbers/],
    [`${EDR}/cube?bbox=166,-21,167,-22`, 'InvalidParameterValue', /lower corner/],
    [`${EDR}/locations?parameter-name=XX`, 'InvalidParameterValue', /Unknown parameter-name "XX"/],
  ])('%s → 400 %s', async (url, code, description) => {
    await expectError(url, 400, code, description);
  });

  it('refuses a format the route does not have with 406', async () => {
    await expectError(`${P('POINT(166.4675 -22.4775)')}&f=netcdf`, 406, 'InvalidParameterValue', /Unknown format f=netcdf; this resource is available as .*CoverageJSON|coveragejson/);
    await expectError(`${EDR}/locations?f=csv`, 406, 'InvalidParameterValue', /available as geojson/);
  });
});

describe('not found, no data, too large', () => {
  it('answers 404 for an unknown location and for EDR queries on a collection that is not an EDR one', async () => {
    await expectError(`${EDR}/locations/NCL_NOWHERE`, 404, 'NotFound', /No location "NCL_NOWHERE"/);
    await expectError(`/ogcapi/collections/stations/position?coords=${enc('POINT(166 -22)')}`, 404, 'NotFound', /has no EDR queries; EDR collections: insitu/);
    await expectError(`/ogcapi/collections/nothing/position?coords=${enc('POINT(166 -22)')}`, 404, 'NotFound', /No collection "nothing"/);
  });

  it('answers 204 without a body when the geometry, the depths, the parameters or the window select no data', async () => {
    for (const url of [
      P('POINT(0 0)'),
      `${EDR}/area?coords=${enc('POLYGON((0 0,1 0,1 1,0 1,0 0))')}`,
      `${EDR}/radius?coords=${enc('POINT(0 0)')}&within=10&within-units=km`,
      `${EDR}/cube?bbox=164,-23,168.5,-20&z=1000/2000`,
      `${P('POINT(166.4675 -22.4775)')}&parameter-name=VHM0`,
      `${P('POINT(166.4675 -22.4775)')}&datetime=2030-01-01T00:00:00Z/..`,
      `${P('POINT(166.4675 -22.4775)')}&datetime=2024-06-01T00:00:30Z`,
      `${P('POINT(166.4675 -22.4775)')}&qualityFlag=7`,
    ]) {
      const r = await edrGet(t, url);
      expect({ url, status: r.status, body: r.text }).toEqual({ url, status: 204, body: '' });
    }
  });

  it('answers 413 when the query selects more than EDR_MAX_OBSERVATIONS, unless downsampled', async () => {
    await expectError(`${EDR}/cube?bbox=164,-23,168.5,-20`, 413, 'ResponseExceedsSizeLimit', /selects more than 50000 observations \(EDR_MAX_OBSERVATIONS\) in \d+ series; narrow datetime/);
    await expectError(`${EDR}/cube?bbox=164,-23,168.5,-20&datetime=2024-06-01/..`, 413, 'ResponseExceedsSizeLimit', /more than 50000/);
    expect((await edrGet(t, `${EDR}/cube?bbox=164,-23,168.5,-20&downsample=100`)).status).toBe(200);
    expect((await edrGet(t, `${EDR}/cube?bbox=164,-23,168.5,-20&datetime=2024-06-01/2024-06-30`)).status).toBe(200);
  });

  it('answers other methods with 405', async () => {
    const r = await t.http.post(`${EDR}/position`).set('Host', 'rg.test').send('coords=POINT(0 0)');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(r.text).code).toBe('OperationNotSupported');
  });
});
