import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../shared/project-paths.js';

export interface CodeVersion {
  packageVersion: string;
  /** HEAD commit of the checkout, or null outside a git checkout / without git. */
  gitCommit: string | null;
}

/** Which code trained a model: package version and, when available, the git commit. */
export function currentCodeVersion(root = PACKAGE_ROOT): CodeVersion {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
  let gitCommit: string | null = null;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    })
      .toString()
      .trim();
    gitCommit = /^[0-9a-f]{40}$/.test(out) ? out : null;
  } catch {
    gitCommit = null;
  }
  return { packageVersion: pkg.version ?? '0.0.0', gitCommit };
}
