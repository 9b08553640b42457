import net from 'node:net';
import { Client, PoolClient } from 'pg';

/** What a cancel needs to know about a pooled connection (pg sets these after the handshake). */
interface BackendKey {
  processID: number | null;
  secretKey: number | null;
  host?: string;
  port?: number;
}

/** PostgreSQL's CancelRequest code (protocol: 1234 in the high 16 bits, 5678 in the low). */
const CANCEL_REQUEST_CODE = 80877102;
/** A cancel that has not been taken within this time is retried through SQL. */
const CANCEL_WAIT_MS = 1000;

/**
 * Cancels whatever the connection's backend is running. First the protocol's CancelRequest on a fresh
 * socket (what psql's Ctrl-C sends: no login, no pool slot, works while every pooled connection is busy);
 * if that socket cannot be used, `pg_cancel_backend(pid)` from a new connection. Resolves once the
 * server has taken the request; never rejects (a failed cancel leaves statement_timeout as the bound).
 */
export async function cancelBackend(client: PoolClient, connectionString: string): Promise<void> {
  const key = client as unknown as BackendKey;
  if (key.processID == null || key.secretKey == null) return;
  if (await sendCancelRequest(key.host ?? 'localhost', key.port ?? 5432, key.processID, key.secretKey)) return;
  await cancelBySql(connectionString, key.processID);
}

/** Sends one CancelRequest; true when the server accepted the socket and closed it (its way of answering). */
function sendCancelRequest(host: string, port: number, pid: number, secret: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = host.startsWith('/') ? net.connect(`${host}/.s.PGSQL.${port}`) : net.connect(port, host);
    let sent = false;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), CANCEL_WAIT_MS);
    socket.on('connect', () => {
      const msg = Buffer.alloc(16);
      msg.writeInt32BE(16, 0);
      msg.writeInt32BE(CANCEL_REQUEST_CODE, 4);
      msg.writeInt32BE(pid, 8);
      msg.writeInt32BE(secret, 12);
      socket.write(msg, () => (sent = true));
    });
    // The server closes the socket once it has signalled the backend; it never writes an answer.
    socket.on('close', () => done(sent));
    socket.on('error', () => done(false));
  });
}

/** Fallback: `pg_cancel_backend` from a connection of its own (the pool may be full of the very queries to stop). */
async function cancelBySql(connectionString: string, pid: number): Promise<void> {
  const c = new Client({ connectionString, connectionTimeoutMillis: CANCEL_WAIT_MS, application_name: 'reefgate-cancel' });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // Unreachable database: the query's own connection fails as well, which ends it.
  } finally {
    await c.end().catch(() => undefined);
  }
}
