#!/usr/bin/env node
// Serves one file's bytes from memory for every request, with a given content type and as many processes
// as the gateway runs by default: what sending that document costs any server (its kernel and the client's
// share of the cores), with no work of its own. The ceiling the gateway's throughput is read against.
//
//   node bench/lib/bytesServer.mjs FILE PORT CONTENT-TYPE      (WORKERS: processes, default the number of CPUs)
import cluster from 'node:cluster';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';

const [file, port, type] = process.argv.slice(2);
const workers = Number(process.env.WORKERS ?? os.availableParallelism());
if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => process.exit(0));
} else {
  const body = fs.readFileSync(file);
  http
    .createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length });
      res.end(body);
    })
    .listen(Number(port), '127.0.0.1');
}
