/**
 * `harness --version`: what a bug report or a methods section needs to name this harness: the
 * package's version, the commit it runs from (and whether the checkout has changes of its own),
 * and Node's version. A results database records the same facts for every run (provenance.ts).
 */
import { gitState, packageVersion } from '../run/provenance.js';

export interface VersionInfo {
  name: string;
  version: string;
  /** Null outside a git checkout (e.g. an unpacked release). */
  commit: string | null;
  /** Whether tracked files differ from the commit or untracked files exist; null without git. */
  modified: boolean | null;
  node: string;
}

export function versionInfo(): VersionInfo {
  const { commit, dirtyHash } = gitState();
  return { name: 'harness', version: packageVersion(), commit, modified: commit === null ? null : dirtyHash !== null, node: process.version };
}

/** One line: `harness 0.1.0 (commit 4b4f3d4, with local changes; Node v20.20.2)`. */
export function versionLine(info: VersionInfo): string {
  const source = info.commit === null ? 'not a git checkout' : `commit ${info.commit.slice(0, 7)}${info.modified ? ', with local changes' : ''}`;
  return `${info.name} ${info.version} (${source}; Node ${info.node})`;
}
