import http from 'node:http';
import { AddressInfo } from 'node:net';
import { fetchGuarded, StalledRequestError } from '../helpers/stallGuard';

/** The fuzz suites' hang detector: slow but progressing answers pass, silence fails and names the request. */
describe('fetchGuarded', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/drip') {
        // 20 chunks, one every 100 ms: longer in total than the stall limit used below, never silent that long.
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        let n = 0;
        const t = setInterval(() => {
          res.write(`${n}\n`);
          if (++n === 20) {
            clearInterval(t);
            res.end('end');
          }
        }, 100);
      } else if (req.url === '/silent-body') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('start');
        // then nothing: a body that stops mid-way
      }
      // any other path: no answer at all
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  test('a slow answer that keeps progressing is read whole, however long it takes in total', async () => {
    const r = await fetchGuarded(`${base}/drip`, {}, 'GET /drip', 1000);
    expect(r.status).toBe(200);
    expect(r.text.split('\n')).toHaveLength(21);
    expect(r.text.endsWith('end')).toBe(true);
  });

  test('no answer at all fails as a hang and names the request', async () => {
    await expect(fetchGuarded(`${base}/never`, {}, 'GET /never (fuzz case 7)', 300)).rejects.toThrow(new StalledRequestError('no progress for 300 ms (hung) for GET /never (fuzz case 7)'));
  });

  test('a body that stops mid-way fails as a hang too', async () => {
    await expect(fetchGuarded(`${base}/silent-body`, {}, 'GET /silent-body', 300)).rejects.toThrow(/no progress for 300 ms \(hung\) for GET \/silent-body/);
  });

  test('a refused connection is reported as such, not as a hang', async () => {
    await expect(fetchGuarded('http://127.0.0.1:1/x', {}, 'GET port 1', 300)).rejects.toThrow(/connection failed: .* for GET port 1/);
  });
});
