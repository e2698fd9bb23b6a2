import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root, found by walking up from this file to the package.json named risk-monitor.
 * Works the same from services/ (tsx, vitest) and from dist/services/ (built CLI).
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'risk-monitor') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`risk-monitor package root not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();
export const SCHEMAS_DIR = join(PACKAGE_ROOT, 'schemas');
/** Real public data bundled for the demo (a sample of ../shared/data with its license notes). */
export const DATA_DIR = join(PACKAGE_ROOT, 'services', 'demo', 'data');
