import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import http from 'node:http';
import zlib from 'node:zlib';
import { listeningApp } from '../helpers/app';
import { covjsonErrors, datasetInfo, EDR, enc, extendSeries } from './helpers';

/**
 * CoverageJSON over gzip: the held columns (values, flags) are compressed as sections while the time
 * axis streams (src/http/segmentedGzip.ts), so the body is several deflate segments in one gzip member.
 * Node's zlib, curl and Python's gzip module must all read exactly the identity answer's bytes.
 */
const EXTRA = 30_000;
let urls: [string, string][] = [];

const srv = listeningApp(
  {},
  {
    prepare: async (app) => {
      const store = app.db.store;
      // The two longest series, extended past their ends: the area query from the earlier end holds both whole extensions.
      const codes = (await store.query<{ code: string }>('SELECT code FROM dataset ORDER BY obs_count DESC, code LIMIT 2')).rows.map((r) => r.code);
      const ends = await store.query<{ e: string }>(`SELECT to_char(min(time_end) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS e FROM dataset WHERE code = ANY($1)`, [codes]);
      const from = ends.rows[0].e;
      for (const code of codes) await extendSeries(store, code, EXTRA);
      const info = await datasetInfo(store);
      const [d, e] = codes.map((c) => info.get(c)!);
      const series = `${EDR}/locations/${enc(d.station)}?parameter-name=${d.property}`;
      const [x0, x1, y0, y1] = [Math.min(d.lon, e.lon) - 0.5, Math.max(d.lon, e.lon) + 0.5, Math.min(d.lat, e.lat) - 0.5, Math.max(d.lat, e.lat) + 0.5];
      const box = `POLYGON((${x0} ${y0},${x1} ${y0},${x1} ${y1},${x0} ${y1},${x0} ${y0}))`;
      urls = [
        ['one whole series (one scan from the start)', series],
        ['a window of it (a first batch, then the scan)', `${series}&datetime=${enc(`${from}/..`)}`],
        ['a collection of the area around two extended series', `${EDR}/area?coords=${enc(box)}&datetime=${enc(`${from}/..`)}`],
        ['the whole series as EDR GeoJSON (the same column driver)', `${series}&f=GeoJSON`],
      ];
    },
  },
);

/** The raw body and headers of a GET. */
function download(url: string, headers: Record<string, string>): Promise<{ body: Buffer; headers: http.IncomingHttpHeaders; status: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => resolve({ body: Buffer.concat(parts), headers: res.headers, status: res.statusCode ?? 0 }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** A client program's output; asynchronous, as the server answering it runs in this process. */
async function run(cmd: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(cmd, args, { maxBuffer: 1 << 28, encoding: 'buffer' });
  return stdout.toString('utf8');
}

/** The answer without its generation time (GeoJSON's timeStamp: two requests may fall in different seconds). */
const stable = (s: string) => s.replace(/"timeStamp":"[^"]*"/, '"timeStamp":""');

const PYTHON = `
import gzip, sys, urllib.request
r = urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers={"Accept-Encoding": "gzip"}))
assert r.headers["Content-Encoding"] == "gzip", r.headers["Content-Encoding"]
sys.stdout.buffer.write(gzip.decompress(r.read()))
`;

describe('CoverageJSON with Accept-Encoding: gzip', () => {
  it('has the prepared queries', () => {
    expect(urls).toHaveLength(4);
  });

  it.each([0, 1, 2, 3])('decodes (zlib, curl, python) to exactly the identity answer: query %i', async (i) => {
    const [, path] = urls[i];
    const url = srv.base + path;
    const plain = await download(url, { 'accept-encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gz = await download(url, { 'accept-encoding': 'gzip' });
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    const text = stable(plain.body.toString('utf8'));
    expect(stable(zlib.gunzipSync(gz.body).toString('utf8'))).toBe(text);
    expect(stable(await run('curl', ['-sS', '--compressed', '-H', 'Accept-Encoding: gzip', url]))).toBe(text);
    expect(stable(await run('python3', ['-c', PYTHON, url]))).toBe(text);
    const doc = JSON.parse(text);
    if (i === 3) {
      expect(doc.type).toBe('FeatureCollection');
      return;
    }
    expect(covjsonErrors(doc)).toEqual([]);
    expect(doc.type).toBe(i < 2 ? 'Coverage' : 'CoverageCollection');
  });
});
