import type { Config } from '../config/config';
import type { Store } from '../data/store';
import type { Logger } from '../log';
import { onDataChange } from '../ingest/changes';
import { sharedStore } from '../data/requestStore';
import { Leadership, LeaderState } from '../mqtt/leader';
import { refreshNetcdf } from './refreshNetcdf';

/*
 * THREDDS kept current (NETCDF_DIR set): every committed change (changes.ts, local or announced by another
 * replica through NOTIFY) marks its datasets; the marked datasets' files are rewritten at most once per
 * NETCDF_REFRESH_MS, so a feed committing every 50 ms costs one rewrite per interval, not one per batch.
 * On PostgreSQL only one gateway exports (the holder of an advisory lock, the MQTT feed's election with a
 * lock name of its own); it checks every file against its dataset's last change when it takes over, which
 * also covers changes made while no gateway exported (a CLI import, a restart).
 */

/** Name of the export's leadership lock (hashed into the advisory lock key). */
const LOCK_NAME = 'reefgate-netcdf-export';

/** A running live export. */
export interface NetcdfLive {
  /** Passes completed so far (tests, metrics). */
  readonly passes: number;
  close(): Promise<void>;
}

/** Starts keeping cfg.netcdfDir current; undefined when NETCDF_DIR is unset. */
export function startNetcdfLive(cfg: Config, store: Store, log: Logger): NetcdfLive | undefined {
  if (!cfg.netcdfDir) return undefined;
  const dir = cfg.netcdfDir;
  const interval = cfg.netcdfRefreshMs;
  const nlog = log.child({ component: 'netcdf' });
  const abort = new AbortController();
  // What the next pass rewrites: dataset ids, 'stale' (check every file), or nothing pending.
  let pending: Set<number> | 'stale' | undefined;
  let leading = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastStart = -Infinity;
  let passes = 0;
  let closed = false;

  const mark = (ids: readonly number[] | 'stale') => {
    if (pending === 'stale') return;
    if (ids === 'stale') pending = 'stale';
    else {
      pending ??= new Set();
      for (const id of ids) pending.add(id);
    }
  };

  const schedule = () => {
    if (closed || !leading || timer || running || pending === undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = pass().finally(() => {
        running = undefined;
        schedule();
      });
    }, Math.max(0, lastStart + interval - Date.now()));
  };

  const pass = async () => {
    const scope = pending!;
    pending = undefined;
    lastStart = Date.now();
    try {
      const r = await refreshNetcdf(store, cfg, dir, scope, abort.signal);
      passes++;
      const records = r.files.reduce((n, f) => n + f.records, 0);
      nlog.info({ dir, files: r.files.map((f) => f.code), records, listed: r.listed, ms: Date.now() - lastStart }, 'NetCDF export refreshed');
    } catch (err) {
      if (closed) return;
      // Retried after the interval; the files not yet rewritten are still the previous, whole ones.
      nlog.warn({ err: (err as Error)?.message, dir }, 'NetCDF export refresh failed; retrying');
      mark(scope === 'stale' ? 'stale' : [...scope]);
    }
  };

  const lead = (yes: boolean) => {
    leading = yes;
    if (!yes) {
      clearTimeout(timer);
      timer = undefined;
      pending = undefined;
      return;
    }
    // Another gateway may have exported, or nobody: check every file against its dataset once.
    mark('stale');
    schedule();
  };

  const off = onDataChange((changed, change) => {
    if (sharedStore(changed) !== store || !leading) return;
    // 'all' (too many ids, or a lost listener connection): compare every file with its dataset's last change.
    mark(change.datasets === 'all' ? 'stale' : change.datasets);
    schedule();
  });

  let leadership: Leadership | undefined;
  if (store.kind === 'postgres' && cfg.databaseUrl) {
    leadership = new Leadership(
      cfg.databaseUrl,
      LOCK_NAME,
      interval,
      (s: LeaderState) => {
        nlog.info({ state: s }, 'NetCDF export leadership');
        // 'lost' (our lock connection is gone): another gateway may take over, so stop; 'held' again restarts.
        lead(s === 'held');
      },
      nlog,
      'NetCDF',
    );
    leadership.start();
  } else {
    // The embedded store has one process.
    lead(true);
  }

  return {
    get passes() {
      return passes;
    },
    close: async () => {
      closed = true;
      off();
      clearTimeout(timer);
      abort.abort();
      await running;
      await leadership?.close();
    },
  };
}
