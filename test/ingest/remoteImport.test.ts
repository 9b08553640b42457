import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { freePort, ROOT } from '../helpers/gatewayProcess';
import { pushDirectory } from '../../src/ingest/remote';
import { oneSeriesSet, writeImportSet } from '../helpers/importSet';

/*
 * `reefgate import DIR --url URL --key KEY` against a real `reefgate serve` on the embedded store (PGlite):
 * the DATA_DIR lock keeps a local import out (exit 75), the push goes in as one run and is served at
 * once, a bad row stores nothing and is reported with file, line and column, a wrong key is refused.
 * Real processes (dist/, so `npm run build` first).
 */

const BIN = path.join(ROOT, 'bin/reefgate.js');
const KEY = 'remote-key-0123456789abcdef';

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', LOAD_DEMO_DATA: 'false' };
  delete e.DATABASE_URL;
  delete e.NODE_OPTIONS;
  delete e.REEFGATE_API_KEY;
  return { ...e, ...extra };
}

/** Runs a reefgate command to its end; resolves with its status and stderr. */
function run(args: string[], e: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: e, cwd: ROOT });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.stdout.resume();
    p.on('exit', (status) => resolve({ status, stderr }));
  });
}

const writeSet = (files: Record<string, string | Buffer>) => writeImportSet(files, 'rg-remote-');

// Station R_A, dataset RA_TEMP: 25.1 … 25.5 at 00:00 … 04:00 on 2024-05-01.
const { STATIONS, DATASETS, OBS } = oneSeriesSet({ station: 'R_A', name: 'Remote A', network: 'ReefTEMPS', producer: 'IRD Nouméa' }, 'RA_TEMP', '2024-05-01');

describe('reefgate import --url against a running embedded gateway', () => {
  let dataDir: string;
  let serve: ChildProcess;
  let base: string;
  let out = '';
  const dirs: string[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-remote-data-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    serve = spawn(process.execPath, [BIN, 'serve'], { env: env({ DATA_DIR: dataDir, PORT: String(port), API_KEYS: KEY }), cwd: ROOT });
    serve.stdout!.on('data', (d) => (out = (out + d).slice(-100_000)));
    serve.stderr!.on('data', (d) => (out = (out + d).slice(-100_000)));
    for (const t0 = Date.now(); Date.now() - t0 < 240_000; ) {
      if (serve.exitCode !== null) throw new Error(`serve exited ${serve.exitCode}: ${out.slice(-3000)}`);
      const r = await fetch(`${base}/readyz`).catch(() => undefined);
      if (r?.status === 200) return;
      await new Promise((res) => setTimeout(res, 250));
    }
    throw new Error(`serve not ready: ${out.slice(-3000)}`);
  }, 300_000);

  afterAll(async () => {
    if (serve && serve.exitCode === null) {
      const exited = new Promise((r) => serve.once('exit', r));
      serve.kill('SIGTERM');
      await exited;
    }
    for (const d of [dataDir, ...dirs]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  const datasetCount = async () => {
    const r = await fetch(`${base}/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=reef:Dataset&outputFormat=application/json&resourceId=Dataset.RA_TEMP`);
    const fc = (await r.json()) as { features: { properties: { observationCount: number; endTime: string } }[] };
    return fc.features[0]?.properties;
  };

  it('a local import is refused by the DATA_DIR lock; import --url sends the directory as one run, served at once', async () => {
    const dir = writeSet({ 'stations.csv': STATIONS, 'datasets.csv': DATASETS, 'observations.csv.gz': zlib.gzipSync(OBS) });
    dirs.push(dir);
    const local = await run(['import', dir], env({ DATA_DIR: dataDir }));
    expect(local.status).toBe(75);

    const r = await run(['import', dir, '--url', base, '--key', KEY], env({}));
    expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status: 0 });
    expect(r.stderr).toMatch(/sent [\d.]+ of [\d.]+ MiB/);
    expect(r.stderr).toMatch(/observations 5\/5 written/);
    expect(r.stderr).toMatch(/: 5 inserted, 0 corrected, 0 unchanged/);
    expect(await datasetCount()).toMatchObject({ observationCount: 5, endTime: '2024-05-01T04:00:00Z' });
    const caps = await (await fetch(`${base}/sos?service=SOS&request=GetCapabilities&AcceptVersions=2.0.0`)).text();
    expect(caps).toContain('<swes:identifier>RA_TEMP</swes:identifier>');

    // The key may come from the environment; a re-send changes nothing.
    const again = await run(['import', '--url', base, dir], env({ REEFGATE_API_KEY: KEY }));
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/nothing changed/);
    expect(again.stderr).toMatch(/0 inserted, 0 corrected, 5 unchanged/);
  }, 120_000);

  it('a bad row stores nothing and is reported with file, line and column; a wrong key is refused', async () => {
    const bad = writeSet({ 'observations.csv': OBS.replace('RA_TEMP,2024-05-01T02:00:00Z,25.3,1', 'RA_TEMP,2024-05-01T02:00:00Z,25.3,x').replace(/2024-05-01/g, '2024-06-01') });
    dirs.push(bad);
    const r = await run(['import', bad, '--url', base, '--key', KEY], env({}));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/import failed \(HTTP 400\), nothing was written: observations\.csv:4: column qc: quality flag must be a digit 0-9: "x"/);
    expect(await datasetCount()).toMatchObject({ observationCount: 5 });

    const wrong = await run(['import', bad, '--url', base, '--key', 'not-the-key'], env({}));
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/HTTP 403/);
    const none = await run(['import', bad, '--url', base], env({}));
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/needs --key/);
    expect(out).not.toContain(KEY);
  }, 120_000);

  it('a refused push is answered, not reset, while its body is still being sent', async () => {
    // The gateway answers 403 from the headers; the client is still writing a ~0.7 MB body. The answer
    // must reach it every time: before, the socket was destroyed under the unread body, and some pushes
    // (8 in 100 here) ended in EPIPE instead of the 403.
    const big = writeSet({ 'observations.csv': OBS + 'RA_TEMP,2024-07-01T00:00:00Z,25.3,1\n'.repeat(20_000) });
    dirs.push(big);
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < 60; i++) {
      const r = await pushDirectory(big, base, 'not-the-key').then(
        (x) => String(x.status),
        (e: NodeJS.ErrnoException) => e.code ?? e.message,
      );
      outcomes[r] = (outcomes[r] ?? 0) + 1;
    }
    expect(outcomes).toEqual({ '403': 60 });
    expect(await datasetCount()).toMatchObject({ observationCount: 5 });
  }, 120_000);
});
