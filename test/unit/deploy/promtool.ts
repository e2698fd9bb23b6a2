import { spawnSync } from 'node:child_process';
import { PACKAGE_ROOT } from '../../../services/shared/project-paths.js';

export interface PromtoolResult {
  status: number | null;
  output: string;
}

/** promtool from PATH (Debian's prometheus package; `make system-deps` installs it, CI does too). */
export const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

/** Runs promtool in the repository root; throws with an install hint when it is not there. */
export function promtool(args: string[]): PromtoolResult {
  const run = spawnSync(PROMTOOL, args, { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 60_000 });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new Error(
        `promtool not found (looked for "${PROMTOOL}" on PATH): run \`make system-deps\` ` +
          '(installs the Debian prometheus package, which ships promtool) or set PROMTOOL=/path/to/promtool',
      );
    }
    throw run.error;
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
