import { spawn } from 'node:child_process';

/** What a client process left: its exit status (null when killed) and its whole output. */
export interface ClientRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a real client (ogrinfo, ogr2ogr, python3) to its end, asynchronously: the gateway it talks to
 * answers from this same process, so a blocking spawnSync would deadlock. `timeoutMs` kills a hang.
 */
export function runClient(cmd: string, args: string[], timeoutMs: number): Promise<ClientRun> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (c: string) => (stdout += c));
    p.stderr.on('data', (c: string) => (stderr += c));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
