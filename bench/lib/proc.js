// CPU time and memory of processes on this machine, read from Linux's /proc: the benchmark's servers, and the
// PostgreSQL backends serving its database (see `postgresCpu` in database.js).
import { readdirSync, readFileSync } from 'node:fs';

/** µs per clock tick of /proc/<pid>/stat: USER_HZ is 100 on every Linux that Node runs on. */
const tickUs = 10_000;

/** The fields of /proc/<pid>/stat after the command name; `fields[n - 3]` is the man page's field n. */
function statFields(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** The CPU time (user + system, µs) in a process's stat fields. */
const cpuOf = (fields) => (Number(fields[11]) + Number(fields[12])) * tickUs;

/** CPU time (user + system, µs) process `pid` has used so far. */
export const processCpu = (pid) => cpuOf(statFields(pid));

/** Resident memory of process `pid` now, in bytes. */
export function processRss(pid) {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/**
 * CPU time (µs) used so far by each child of process `parent` whose command line includes `text`: a map from pid.
 * PostgreSQL's backends are its postmaster's children, titled with the database they serve.
 */
export function childrenCpu(parent, text) {
  const cpu = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const fields = statFields(pid);
      if (Number(fields[1]) !== parent || !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) continue;
      cpu.set(pid, cpuOf(fields));
    } catch {
      // The process ended while being read.
    }
  }
  return cpu;
}

/** The parent process id of `pid`. */
export const parentPid = (pid) => Number(statFields(pid)[1]);
