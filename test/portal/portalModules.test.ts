import { coverageSeries } from '../../portal/src/api';
import { niceTicks, timeTicks } from '../../portal/src/chart';
import { featurePageUrl, itemsUrl, PortalSettings, rebase } from '../../portal/src/api';
import { degreesDecimalMinutes, displayUnit, formatInstant, formatLatLon, lonLatOf, normaliseLon, unwrapLongitudes } from '../../portal/src/coords';
import { allMessages, initialLang } from '../../portal/src/i18n';
import { dayRange } from '../../portal/src/panels';

describe('coordinates in degrees and decimal minutes', () => {
  it('formats the example of the issue (Ouvéa 01)', () => {
    expect(formatLatLon(166.560983, -20.548883)).toBe("20°32.933'S, 166°33.659'E");
  });
  it('handles hemispheres, zero and rounding up to a whole degree', () => {
    expect(degreesDecimalMinutes(-176.2, 'lon')).toBe("176°12.000'W");
    expect(degreesDecimalMinutes(0, 'lat')).toBe("0°0.000'N");
    expect(degreesDecimalMinutes(10.99999999, 'lat')).toBe("11°0.000'N");
    expect(formatLatLon(183.8, 10)).toBe("10°0.000'N, 176°12.000'W");
  });
  it('normalises shifted longitudes back into [-180, 180)', () => {
    expect(normaliseLon(183.8)).toBeCloseTo(-176.2, 9);
    expect(normaliseLon(-180)).toBe(-180);
    expect(normaliseLon(134.5)).toBe(134.5);
  });
});

describe('antimeridian', () => {
  it('shifts negative longitudes when the network spans the antimeridian', () => {
    const r = unwrapLongitudes([134.5, 166.5, -176.2, -149.6]);
    expect(r.shift).toBe(true);
    expect(r.lons).toEqual([134.5, 166.5, 183.8, expect.closeTo(210.4, 9)]);
  });
  it('leaves a network around Greenwich alone', () => {
    expect(unwrapLongitudes([-5, 3, 10]).shift).toBe(false);
  });
});

describe('period and time helpers', () => {
  it('turns two calendar days into an inclusive instant range', () => {
    expect(dayRange('2024-03-01', '2024-03-02')).toEqual({ from: '2024-03-01T00:00:00Z', to: '2024-03-02T23:59:59Z' });
    expect(dayRange('2024-03-02', '2024-03-01')).toBeUndefined();
    expect(dayRange('2024-3-1', '2024-03-02')).toBeUndefined();
  });
  it('shows UCUM codes people read differently as their symbols', () => {
    expect(displayUnit('Cel')).toBe('°C');
    expect(displayUnit('1')).toBe('');
    expect(displayUnit('dbar')).toBe('dbar');
  });
  it('formats instants in UTC', () => {
    expect(formatInstant('2024-01-23T06:00:00Z')).toBe('2024-01-23 06:00 UTC');
    expect(formatInstant(null)).toBe('—');
  });
  it('reads EDR CoverageJSON (one coverage or a collection) into columns by dataset: gaps for missing values, the _QC flags', () => {
    const coverage = (id: string, code: string, values: (number | null)[]) => ({
      type: 'Coverage',
      id,
      domain: { type: 'Domain', domainType: 'PointSeries', axes: { x: { values: [166] }, y: { values: [-22] }, t: { values: ['2024-01-01T00:00:00Z', '2024-01-01T00:30:00Z'] } } },
      ranges: { [code]: { type: 'NdArray', values }, [`${code}_QC`]: { type: 'NdArray', values: [1, 9] } },
    });
    const c = coverageSeries(coverage('A_TEMP', 'TEMP', [25.1, null])).get('A_TEMP')!;
    expect(Array.from(c.times)).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 0, 30)]);
    expect(c.values[0]).toBe(25.1);
    expect(Number.isNaN(c.values[1])).toBe(true);
    expect(Array.from(c.qc)).toEqual([1, 9]);
    const many = coverageSeries({ type: 'CoverageCollection', coverages: [coverage('A_TEMP', 'TEMP', [1, 2]), coverage('A_PSAL', 'PSAL', [35, 35.1])] });
    expect([...many.keys()]).toEqual(['A_TEMP', 'A_PSAL']);
    expect(Array.from(many.get('A_PSAL')!.values)).toEqual([35, 35.1]);
  });
  it('chooses round axis ticks inside the range', () => {
    const ticks = niceTicks(21.3, 28.9, 4);
    expect(ticks).toEqual([22, 24, 26, 28]);
  });
});

describe('time axis', () => {
  const iso = (t: number) => new Date(t).toISOString();
  it('labels a year of data on round months, at least two of them', () => {
    const to = Date.UTC(2024, 11, 31, 22);
    const { ticks, label } = timeTicks(to - 365 * 86_400_000, to, 4);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.length).toBeLessThanOrEqual(5);
    for (const t of ticks) expect(iso(t)).toMatch(/^\d{4}-\d{2}-01T00:00:00/);
    expect(label(ticks[0])).toMatch(/^\d{4}-\d{2}$/);
  });
  it('labels ten years on whole years and a day on hours', () => {
    const ten = timeTicks(Date.UTC(2015, 0, 1), Date.UTC(2024, 11, 31), 6);
    expect(ten.ticks.length).toBeGreaterThanOrEqual(2);
    for (const t of ten.ticks) expect(iso(t)).toMatch(/-01-01T00:00:00/);
    const day = timeTicks(Date.UTC(2024, 5, 1), Date.UTC(2024, 5, 2), 6);
    expect(day.ticks.length).toBeGreaterThanOrEqual(4);
    expect(day.label(day.ticks[1])).toMatch(/^06-01 \d{2}:00$/);
  });
});

describe('labels', () => {
  it('has every message in French and English, none empty', () => {
    expect(Object.keys(allMessages.fr).sort()).toEqual(Object.keys(allMessages.en).sort());
    for (const l of ['fr', 'en'] as const) for (const v of Object.values(allMessages[l])) expect(v.trim()).not.toBe('');
  });
  it('defaults to the browser language, a saved choice first', () => {
    expect(initialLang(null, 'fr-FR')).toBe('fr');
    expect(initialLang(null, 'en-GB')).toBe('en');
    expect(initialLang(null, undefined)).toBe('en');
    expect(initialLang('en', 'fr-FR')).toBe('en');
  });
});

describe('OGC API requests', () => {
  const s: PortalSettings = { baseUrl: 'http://10.0.0.5:8080/rg', advertisedBaseUrl: 'https://data.example.org/reefgate', ogcapiPath: '/features', basemapUrl: '', landAsset: '' };
  it('asks the configured API path for GeoJSON pages and links feature pages', () => {
    expect(itemsUrl(s, 'stations')).toBe('http://10.0.0.5:8080/rg/features/collections/stations/items?f=json&limit=1000');
    expect(featurePageUrl(s, 'datasets', 'A B/C')).toBe('http://10.0.0.5:8080/rg/features/collections/datasets/items/A%20B%2FC?f=html');
  });
  it('follows next links written under the advertised URL from the page origin, and leaves others alone', () => {
    expect(rebase('https://data.example.org/reefgate/features/collections/stations/items?offset=7', s)).toBe('http://10.0.0.5:8080/rg/features/collections/stations/items?offset=7');
    expect(rebase('https://data.example.org/reefgateway/x', s)).toBe('https://data.example.org/reefgateway/x');
    expect(rebase('http://10.0.0.5:8080/rg/x', { ...s, advertisedBaseUrl: 'http://10.0.0.5:8080/rg' })).toBe('http://10.0.0.5:8080/rg/x');
  });
});

describe('map positions from the OGC API CRSs', () => {
  it('reads CRS84 as lon/lat, EPSG:4326 as lat/lon and EPSG:3857 back to degrees', () => {
    expect(lonLatOf([166.5, -22.4], 'http://www.opengis.net/def/crs/OGC/1.3/CRS84')).toEqual([166.5, -22.4]);
    expect(lonLatOf([-22.4, 166.5], 'http://www.opengis.net/def/crs/EPSG/0/4326')).toEqual([166.5, -22.4]);
    // 166.5°E, 22.4°S in spherical Mercator (PostGIS ST_Transform).
    const [lon, lat] = lonLatOf([18534695.21708005, -2559618.2595014037], 'http://www.opengis.net/def/crs/EPSG/0/3857')!;
    expect(lon).toBeCloseTo(166.5, 9);
    expect(lat).toBeCloseTo(-22.4, 9);
  });
  it('places nothing in a projected CRS it cannot invert, nor from bad numbers', () => {
    expect(lonLatOf([500000, 7500000], 'http://www.opengis.net/def/crs/EPSG/0/32758')).toBeUndefined();
    expect(lonLatOf([Number.NaN, 1], 'http://www.opengis.net/def/crs/OGC/1.3/CRS84')).toBeUndefined();
  });
});
