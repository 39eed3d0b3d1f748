/** The machine and code a benchmark run measured: printed as the header and stored in the JSON. */
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { gitState } from '../harness/run/provenance.js';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** Full commit hash, or null outside a git checkout. */
  commit: string | null;
  /** Hash of uncommitted changes (null when the tree is clean). */
  dirtyHash: string | null;
  /** 1, 5 and 15 minute load averages when the suite started: other work skews timings. */
  loadAverage: number[];
}

export function describeMachine(): Machine {
  const { commit, dirtyHash } = gitState();
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${process.platform} ${release()} ${process.arch}`,
    node: process.version,
    commit,
    dirtyHash,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** A short name for the code measured: `ada0b2b`, or `ada0b2b-dirty-3f2a1c9e`. */
export function codeLabel(machine: Machine): string {
  const commit = machine.commit?.slice(0, 7) ?? 'nogit';
  return machine.dirtyHash ? `${commit}-dirty-${machine.dirtyHash.slice(0, 8)}` : commit;
}

export function headerLines(machine: Machine, mode: string): string[] {
  return [
    `machine  ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}`,
    `node     ${machine.node}`,
    `commit   ${machine.commit ?? 'not a git checkout'}${machine.dirtyHash ? ` + uncommitted changes (${machine.dirtyHash.slice(0, 8)})` : ''}`,
    `load     ${machine.loadAverage.join(' ')} (1/5/15-minute averages at the start; above 0 means other work shared the cores)`,
    `mode     ${mode}`,
  ];
}
