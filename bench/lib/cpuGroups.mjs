// One cpu cgroup per server under test, equal weights, for the loaded runs.
//
// When the cores are contended (bench/busy.sh), Linux shares them between scheduling groups first and
// between processes only inside a group. Without cgroups the groups are sessions (autogroup,
// /proc/sys/kernel/sched_autogroup_enabled): the MapServer peer runs five of them (spawn-fcgi gives each
// of its four mapserv processes a session of its own, nginx has another), the gateway one (its workers
// are forked in the primary's session). Under contention the peer then gets up to five shares of the
// cores for the gateway's one: not the same conditions. Deployed, each server is one service (a systemd
// unit, a compose container): one cgroup, one share. The benchmarks do the same: each server's
// processes go into a cpu cgroup of their own with the default weight, and come back out at the end.
// PostgreSQL, the load generator and the busy loops keep their own sessions, the same for both servers.
//
// Needs root and a writable cgroup file system (v1 `cpu` controller or v2 with `cpu` enabled); elsewhere
// groups() says why not and the processes share the cores by session, as before. BENCH_CPU_GROUPS=0
// turns it off, to measure the old way.
import fs from 'node:fs';
import path from 'node:path';

const V1 = '/sys/fs/cgroup/cpu';
const V2 = '/sys/fs/cgroup';

/** The root of the cpu hierarchy where groups can be made, or why there is none. */
function cpuRoot() {
  if (process.env.BENCH_CPU_GROUPS === '0') return { why: 'BENCH_CPU_GROUPS=0' };
  if (fs.existsSync(path.join(V1, 'cpu.shares')) || fs.existsSync(path.join(V1, 'cgroup.procs'))) return { dir: V1 };
  try {
    if (fs.readFileSync(path.join(V2, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('cpu')) return { dir: V2 };
  } catch {
    /* no cgroup v2 at the root */
  }
  return { why: 'no cpu cgroup controller to write to' };
}

const made = [];
/** Where each moved process was (its cpu cgroup directory), to put it back there. */
const origins = new Map();

/** The cpu cgroup directory a process is in now, under `root` (from /proc/<pid>/cgroup). */
function cgroupOf(pid, root) {
  const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  // v1: "N:cpu:/path" (possibly "N:cpu,cpuacct:/path"); v2: "0::/path".
  const line = root === V1 ? lines.find((l) => l.split(':')[1]?.split(',').includes('cpu')) : lines.find((l) => l.startsWith('0::'));
  return path.join(root, line ? line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1) : '/');
}

/** Puts every moved process back where it was and removes the groups made so far (also run at exit). */
export function releaseGroups() {
  while (made.length) {
    const { root, dir } = made.pop();
    try {
      for (const pid of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
        try {
          fs.writeFileSync(path.join(origins.get(Number(pid)) ?? root, 'cgroup.procs'), pid);
        } catch {
          /* gone meanwhile */
        }
      }
      fs.rmdirSync(dir);
    } catch {
      /* already removed */
    }
  }
  origins.clear();
}
let hooked = false;
/** Groups are released however the benchmark ends. */
function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on('exit', releaseGroups);
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));
}

/**
 * Puts each named server's processes in a cpu cgroup of its own (default weight); returns a line saying
 * what was done, for the report. `servers`: { name: [pids] }; a server with no pids is left out.
 */
export function groups(servers) {
  const { dir: root, why } = cpuRoot();
  if (!root) return `CPU shared by session (autogroup), not by server: ${why}`;
  const done = [];
  hookExit();
  try {
    for (const [name, pids] of Object.entries(servers)) {
      if (!pids.length) continue;
      const dir = path.join(root, `rg-bench-${process.pid}-${name.replace(/\W+/g, '-')}`);
      fs.mkdirSync(dir);
      made.push({ root, dir });
      // A process moved brings all its threads; a worker forked later is born in its parent's group.
      for (const pid of pids) {
        origins.set(pid, cgroupOf(pid, root));
        fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
      }
      done.push(`${name} (${pids.length} processes)`);
    }
  } catch (err) {
    releaseGroups();
    return `CPU shared by session (autogroup), not by server: ${err.code ?? err.message}`;
  }
  return `one cpu cgroup per server, equal weights: ${done.join(', ')}; PostgreSQL, the load generator and any busy loops in sessions of their own`;
}

