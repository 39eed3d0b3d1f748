/**
 * `harness --version`: what a bug report or a methods section needs to name this harness: the
 * package's version, the commit it runs from (and whether the checkout has changes of its own),
 * and Node's version. A results database records the same facts for every run (provenance.ts).
 */
import { gitCommitProblem, gitState, packageVersion } from '../run/provenance.js';

export interface VersionInfo {
  name: string;
  version: string;
  /** Null outside a git checkout (e.g. an unpacked release), or where git cannot read it. */
  commit: string | null;
  /** Why git could not read a checkout that is one (another user's, without git); absent otherwise. */
  gitProblem?: string;
  /** Whether tracked files differ from the commit or untracked files exist; null without git. */
  modified: boolean | null;
  node: string;
}

export function versionInfo(): VersionInfo {
  const { commit, dirtyHash } = gitState();
  const problem = commit === null ? gitCommitProblem() : null;
  return { name: 'harness', version: packageVersion(), commit, modified: commit === null ? null : dirtyHash !== null, node: process.version, ...(problem ? { gitProblem: problem } : {}) };
}

/** One line: `harness 0.1.0 (commit 4b4f3d4, with local changes; Node v20.20.2)`. */
export function versionLine(info: VersionInfo): string {
  const source =
    info.commit !== null ? `commit ${info.commit.slice(0, 7)}${info.modified ? ', with local changes' : ''}` : info.gitProblem ? `commit unknown: ${info.gitProblem}` : 'not a git checkout';
  return `${info.name} ${info.version} (${source}; Node ${info.node})`;
}
