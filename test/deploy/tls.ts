import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The path docker/haproxy/haproxy.cfg reads its certificate from (compose mounts TLS_CERT_FILE there). */
export const CERT_PATH = '/usr/local/etc/haproxy/certs/reefgate.pem';

/** A self-signed certificate for 127.0.0.1 (openssl), as the one PEM file (certificate then key) HAProxy reads; returns [pem file, certificate]. */
export function selfSignedPem(dir: string): [string, string] {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  const pem = path.join(dir, 'reefgate.pem');
  fs.writeFileSync(pem, fs.readFileSync(cert, 'utf8') + fs.readFileSync(key, 'utf8'), { mode: 0o600 });
  return [pem, fs.readFileSync(cert, 'utf8')];
}

