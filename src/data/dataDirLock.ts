import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Name of the lock file inside DATA_DIR. */
export const LOCK_FILE = 'reefgate.lock';

/** Exit status of a command refused because the data directory is in use (sysexits EX_TEMPFAIL). */
export const EXIT_DATA_DIR_IN_USE = 75;

/** What the lock file holds: who has the embedded database open. */
export interface LockOwner {
  pid: number;
  command: string;
  host: string;
  since: string;
}

/** The embedded data directory is held by another live process. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `the data directory ${dataDir} is in use by "reefgate ${owner.command}" (pid ${owner.pid}, since ${owner.since}). ` +
        `The embedded database (PGlite) can be opened by one process only: stop that process and try again. ` +
        `If no such process exists, delete ${path.join(dataDir, LOCK_FILE)}.`,
    );
  }
}

/** A held lock; release() is idempotent and also runs when the process exits. */
export interface DataDirLock {
  readonly file: string;
  /** True when a stale lock (dead pid) was found and taken over. */
  readonly tookOver?: LockOwner;
  release(): void;
}

/**
 * Takes the embedded data directory for this process, or throws DataDirLockedError.
 * PGlite is single-process: a second process opening the same directory works on its own copy
 * in memory and its writes are lost (or it corrupts the first's). Only the embedded store needs this.
 */
export function acquireDataDirLock(dataDir: string, command: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, command, host: os.hostname(), since: new Date().toISOString() };
  const body = `${JSON.stringify(me)}\n`;
  let tookOver: LockOwner | undefined;
  // Two attempts: the second follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // O_CREAT|O_EXCL: exactly one of several racing processes creates the file.
      fs.writeFileSync(file, body, { flag: 'wx', mode: 0o644 });
      return holdLock(file, body, tookOver);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const text = readOrEmpty(file);
    const owner = parseOwner(text);
    if (owner && isAlive(owner.pid)) throw new DataDirLockedError(dataDir, owner);
    // Dead owner (killed, crashed, power loss) or unreadable content: stale. Remove it only if it still
    // holds what we read, so that a lock a racing process has just created is not removed.
    // (A remaining window of a few microseconds between this check and unlink is accepted.)
    if (readOrEmpty(file) !== text) continue;
    tookOver = owner ?? { pid: 0, command: 'unknown', host: '', since: '' };
    try {
      fs.unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  // Lost the takeover race: whoever won holds the lock now.
  const owner = parseOwner(readOrEmpty(file));
  throw new DataDirLockedError(dataDir, owner ?? { pid: 0, command: 'unknown', host: '', since: 'unknown' });
}

function holdLock(file: string, body: string, tookOver: LockOwner | undefined): DataDirLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    // Never remove a lock that is no longer ours (e.g. deleted by hand and taken by another process).
    if (readOrEmpty(file) === body) fs.rmSync(file, { force: true });
  };
  process.on('exit', release);
  return { file, tookOver, release };
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as LockOwner;
    return Number.isInteger(o.pid) && o.pid > 0 ? o : undefined;
  } catch {
    return undefined;
  }
}

/** True if a process with this pid exists (our own pid counts as dead: a container restarts as pid 1 again). */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
