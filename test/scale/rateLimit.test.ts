import http from 'node:http';
import { Client } from 'pg';
import { TEMPLATE_DB, usingPostgres, withDatabase } from '../helpers/env';
import { GatewayProcess, startGateway } from '../helpers/gatewayProcess';
import { eventually, freshGet, logLines } from './support';

/*
 * RATE_LIMIT_PER_MINUTE holds for the whole gateway with WORKERS=2 (the primary counts, cluster/rateBroker.ts),
 * not per worker: requests on new connections, which Node spreads over both workers, are limited as one.
 * Counted per worker, the same requests would be served up to twice the limit.
 */
(usingPostgres() ? describe : describe.skip)('RATE_LIMIT_PER_MINUTE with WORKERS=2 (real process)', () => {
  const dbName = `${TEMPLATE_DB}_ratelimit_${process.pid}`;
  const LIMIT = 3;
  let gw: GatewayProcess;
  const admin = new Client({ connectionString: process.env.DATABASE_URL });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    gw = await startGateway({ DATABASE_URL: withDatabase(process.env.DATABASE_URL!, dbName), WORKERS: '2', PG_POOL_MAX: '4', RATE_LIMIT_PER_MINUTE: String(LIMIT), LOG_LEVEL: 'info' }, 180_000);
    await eventually('both workers ready', () => (logLines(gw.stdout(), 'ready').length === 2 ? true : undefined));
  });
  afterAll(async () => {
    if (gw?.proc.exitCode === null) gw.proc.kill('SIGKILL');
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  test('new connections reach both workers (probes are exempt from the limit)', async () => {
    for (let i = 0; i < 8; i++) expect((await freshGet(`${gw.base}/healthz`)).status).toBe(200);
    const pids = new Set(logLines(gw.stdout(), 'request').filter((l) => l.url === '/healthz').map((l) => l.pid));
    expect(pids.size).toBe(2);
  });

  test('the limit counts the requests of both workers together', async () => {
    const t0 = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await freshGet(`${gw.base}/wfs?SERVICE=WFS&REQUEST=GetCapabilities`);
      statuses.push(r.status);
      if (r.status === 429) expect(r.body).toContain('Too many requests from this client');
    }
    // A token comes back every 60/LIMIT s: on a slow machine one may have been refilled meanwhile.
    const allowed = LIMIT + Math.floor((Date.now() - t0) / (60_000 / LIMIT));
    expect(statuses.filter((s) => s === 200)).toHaveLength(allowed);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10 - allowed);
    // The first LIMIT requests are the ones served (a burst of LIMIT, then refusals).
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(200));
    // Only the served ones reached the workers' apps (a refusal is answered before the request log).
    const served = logLines(gw.stdout(), 'request').filter((l) => String(l.url).includes('GetCapabilities'));
    expect(served).toHaveLength(allowed);
  });

  test('a refusal says when to retry', async () => {
    const r = await new Promise<{ status: number; retry?: string }>((resolve, reject) => {
      http
        .get(`${gw.base}/wfs?SERVICE=WFS&REQUEST=GetCapabilities`, { agent: false }, (res) => {
          res.resume();
          resolve({ status: res.statusCode!, retry: res.headers['retry-after'] as string | undefined });
        })
        .on('error', reject);
    });
    expect(r.status).toBe(429);
    expect(Number(r.retry)).toBeGreaterThanOrEqual(1);
    expect(Number(r.retry)).toBeLessThanOrEqual(60 / LIMIT);
  });
});
