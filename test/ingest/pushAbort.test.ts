import http from 'node:http';
import { listeningApp } from '../helpers/app';
import { usingPostgres } from '../helpers/env';
import { parseApiKeys } from '../../src/security/apiKey';
import type { Store } from '../../src/data/store';

/*
 * An upload that does not finish stores nothing: a client that disconnects mid-body (while its rows are
 * already flowing into COPY) and a client that stops sending (cut after REQUEST_TIMEOUT_MS) leave the
 * database as it was, and the push slot and connection are given back.
 */

const KEY = 'abort-key-0123456789';
const B = 'abort-boundary';

function rows(code: string, n: number, day = '2030-01'): string {
  let s = 'dataset_id,time,value,qc\n';
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.parse(`${day}-01T00:00:00Z`) + i * 60_000).toISOString().replace('.000', '');
    s += `${code},${t},${(i % 300) / 10},1\n`;
  }
  return s;
}

const STATIONS = 'station_id,name,network,producer,country,lat,lon,depth_m\nAB_S,Abort,AbortNet,,NCL,-22,166,1\n';
const DATASETS = 'dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end\nAB_TEMP,AB_S,TEMP,sea_water_temperature,Sea temperature,Cel,RAW DATA,SBE56,,\n';

function multipart(obs: string): Buffer {
  const part = (name: string, content: string) => `--${B}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.csv"\r\n\r\n${content}\r\n`;
  return Buffer.from(part('stations', STATIONS) + part('datasets', DATASETS) + part('observations', obs) + `--${B}--\r\n`);
}

/** Sends the first `send` bytes of body (announcing all of it), then either hangs up or waits for the answer. */
function partialUpload(base: string, path: string, body: Buffer, send: number, then: 'hang-up' | 'wait', contentType: string): Promise<{ status?: number; text?: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const req = http.request(u, { method: 'POST', headers: { 'X-API-Key': KEY, 'Content-Type': contentType, 'Content-Length': String(body.length) } });
    req.on('error', () => resolve({}));
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', reject);
    });
    req.write(body.subarray(0, send), () => {
      if (then === 'hang-up') {
        // Let the server start on what it got (its COPY is running), then vanish.
        setTimeout(() => {
          req.destroy();
          resolve({});
        }, 300);
      }
    });
  });
}

async function counts(store: Store) {
  const r = await store.query<{ st: number; ds: number; obs: number; runs: number }>(
    `SELECT (SELECT count(*)::int FROM station) st, (SELECT count(*)::int FROM dataset) ds, (SELECT count(*)::int FROM observation) obs, (SELECT count(*)::int FROM import_run) runs`,
  );
  return r.rows[0];
}

describe('aborted uploads', () => {
  // One push at a time: the next push starts only after the aborted one has released its slot.
  const srv = listeningApp({ apiKeys: parseApiKeys(KEY), ingestMaxConcurrent: 1, requestTimeoutMs: 1500 });

  const good = () =>
    fetch(`${srv.base}/ingest/observations`, { method: 'POST', headers: { 'X-API-Key': KEY, 'Content-Type': 'text/csv' }, body: rows('OUVEA01_TEMP_0A_SBE56', 3, '2031-01') });

  it('a client that disconnects mid-body leaves nothing: not its stations, datasets nor the rows already sent', async () => {
    const before = await counts(srv.app.db.store);
    const body = multipart(rows('AB_TEMP', 60_000));
    await partialUpload(srv.base, '/ingest', body, Math.floor(body.length * 0.6), 'hang-up', `multipart/form-data; boundary=${B}`);
    // Queued behind the aborted push: answered once that one has rolled back and let go of its slot.
    const r = await good();
    expect(r.status).toBe(200);
    expect(await counts(srv.app.db.store)).toEqual({ ...before, obs: before.obs + 3, runs: before.runs + 1 });
    expect((await srv.app.db.store.query("SELECT 1 FROM station WHERE code = 'AB_S'")).rows).toEqual([]);
    if (usingPostgres()) {
      // No transaction left open by the aborted push.
      const open = await srv.app.db.store.query<{ n: number }>("SELECT count(*)::int n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'");
      expect(open.rows[0].n).toBe(0);
    }
  });

  it('a client that stops sending is cut after REQUEST_TIMEOUT_MS with 408, and nothing is stored', async () => {
    const before = await counts(srv.app.db.store);
    const body = Buffer.from(rows('OUVEA01_TEMP_0A_SBE56', 20_000, '2032-01'));
    const r = await partialUpload(srv.base, '/ingest/observations', body, Math.floor(body.length / 2), 'wait', 'text/csv');
    expect(r.status).toBe(408);
    expect(JSON.parse(r.text!)).toMatchObject({ status: 408, error: expect.stringMatching(/nothing was stored/) });
    expect(await counts(srv.app.db.store)).toEqual(before);
    expect((await good()).status).toBe(200);
  });
});
