import { randomBytes } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ModelUpdate } from '../../shared/contracts/records.js';
import { BUNDLE_FILES } from '../bundle/bundle-files.js';
import { sha256Hex } from '../bundle/bundle-manifest.js';
import { VERSION_PATTERN } from '../bundle/version-name.js';
import { writeFileAtomic } from './atomic-write.js';

/** Models the registry holds; each maps to ModelUpdate.model. */
export type RegistryModel = 'risk' | 'anomaly';
const KIND: Record<RegistryModel, ModelUpdate['model']> = { risk: 'RISK', anomaly: 'ANOMALY' };

export const CURRENT_FILE = 'CURRENT';
export const HISTORY_FILE = 'history.jsonl';

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly code: 'UNKNOWN_VERSION' | 'VERSION_EXISTS' | 'BAD_VERSION_NAME' | 'NOTHING_TO_ROLL_BACK',
    message: string,
  ) {
    super(message);
  }
}

export interface PointerChangeOptions {
  reason: string;
  metrics?: Record<string, number>;
  /** Wall clock, epoch ms; injectable for tests. */
  now?: () => number;
}

export interface RegistryWatch {
  /** Settles once the value at start is read; changes after that are reported. */
  ready: Promise<void>;
  close(): void;
}

/**
 * A directory of immutable model bundles, registry/<model>/<version>/, with one CURRENT file per
 * model naming the version to serve and an append-only history.jsonl of every pointer move
 * (ModelUpdate records). CURRENT is replaced atomically (temp file + rename); the history line is
 * appended first, so after a crash the log may name a move that did not happen but never misses one
 * that did. One writer (the trainer / an operator) at a time is assumed.
 */
export class ModelRegistry {
  constructor(readonly root: string) {}

  modelDir(model: RegistryModel): string {
    return join(this.root, model);
  }

  bundleDir(model: RegistryModel, version: string): string {
    checkVersionName(version);
    return join(this.root, model, version);
  }

  /** Complete bundles of a model (directories with a manifest), sorted by name. */
  async versions(model: RegistryModel): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.modelDir(model));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: string[] = [];
    for (const name of entries) {
      if (!VERSION_PATTERN.test(name)) continue;
      if (await exists(join(this.modelDir(model), name, BUNDLE_FILES.manifest))) out.push(name);
    }
    return out.sort();
  }

  /** The version CURRENT names, or null when none was promoted yet. */
  async current(model: RegistryModel): Promise<string | null> {
    try {
      const v = (await readFile(join(this.modelDir(model), CURRENT_FILE), 'utf8')).trim();
      return v === '' ? null : v;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /**
   * Adds a bundle: `write` fills a staging directory (it must create it, e.g. saveModelBundle),
   * which is then renamed into place, so a half-written bundle is never visible as a version.
   */
  async publish(
    model: RegistryModel,
    version: string,
    write: (dir: string) => Promise<unknown>,
  ): Promise<string> {
    const dir = this.bundleDir(model, version);
    if (await exists(dir)) {
      throw new RegistryError('VERSION_EXISTS', `${model} version ${version} already exists in ${this.root}`);
    }
    await mkdir(this.modelDir(model), { recursive: true });
    const staging = join(this.modelDir(model), `.staging-${version}-${randomBytes(4).toString('hex')}`);
    try {
      await write(staging);
      await rename(staging, dir);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
    return dir;
  }

  /** Makes `version` current. Returns the ModelUpdate to publish on the model-updates topic. */
  async promote(model: RegistryModel, version: string, options: PointerChangeOptions): Promise<ModelUpdate> {
    await this.assertVersion(model, version);
    return this.movePointer(model, version, 'PROMOTE', options);
  }

  /**
   * Undoes the promotion that made the current version current: moves CURRENT back to the version
   * that was current before it. Repeated rollbacks walk further back through the promotions.
   */
  async rollback(model: RegistryModel, options: PointerChangeOptions): Promise<ModelUpdate> {
    const current = await this.current(model);
    if (current === null) {
      throw new RegistryError('NOTHING_TO_ROLL_BACK', `${model} has no current version to roll back from`);
    }
    const history = await this.history(model);
    const promotion = history.findLast((u) => u.action === 'PROMOTE' && u.version === current);
    const target = promotion?.previousVersion ?? null;
    if (target === null) {
      throw new RegistryError(
        'NOTHING_TO_ROLL_BACK',
        `${model} ${current} was the first version promoted; there is no previous version to roll back to`,
      );
    }
    await this.assertVersion(model, target);
    return this.movePointer(model, target, 'ROLLBACK', options);
  }

  /** Every pointer move, oldest first. */
  async history(model: RegistryModel): Promise<ModelUpdate[]> {
    let text: string;
    try {
      text = await readFile(join(this.modelDir(model), HISTORY_FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as ModelUpdate);
  }

  /**
   * Calls onChange(version) whenever CURRENT names a different version (not for the value at
   * start). fs.watch on the model directory reacts at once where it works; polling every pollMs
   * catches what it misses (network filesystems, the directory not existing yet). onChange must
   * handle its own errors (a throw is swallowed so that watching goes on).
   */
  watch(model: RegistryModel, onChange: (version: string | null) => void, pollMs = 2_000): RegistryWatch {
    let last: string | null | undefined;
    let closed = false;
    let checking = Promise.resolve();
    const check = () => {
      checking = checking
        .then(async () => {
          if (closed) return;
          const v = await this.current(model).catch(() => last ?? null);
          if (last === undefined) {
            last = v;
            return;
          }
          if (v !== last) {
            last = v;
            if (!closed) onChange(v);
          }
        })
        .catch(() => {});
    };
    check();
    const ready = checking;
    let watcher: FSWatcher | null = null;
    const startWatcher = () => {
      if (watcher || closed) return;
      try {
        watcher = watch(this.modelDir(model), { persistent: false }, (_event, file) => {
          if (file === null || file === CURRENT_FILE) check();
        });
        watcher.on('error', () => {
          watcher?.close();
          watcher = null;
        });
      } catch {
        watcher = null; // directory missing: polling covers it and retries the watcher
      }
    };
    startWatcher();
    const timer = setInterval(() => {
      startWatcher();
      check();
    }, pollMs);
    timer.unref();
    return {
      ready,
      close: () => {
        closed = true;
        clearInterval(timer);
        watcher?.close();
      },
    };
  }

  private async movePointer(
    model: RegistryModel,
    version: string,
    action: ModelUpdate['action'],
    options: PointerChangeOptions,
  ): Promise<ModelUpdate> {
    const previous = await this.current(model);
    const dir = this.bundleDir(model, version);
    const manifest = await readFile(join(dir, BUNDLE_FILES.manifest));
    const update: ModelUpdate = {
      model: KIND[model],
      version,
      previousVersion: previous,
      bundlePath: relative(this.root, dir),
      sha256: sha256Hex(manifest),
      action,
      reason: options.reason,
      metrics: options.metrics ?? {},
      time: (options.now ?? Date.now)(),
    };
    await appendFile(join(this.modelDir(model), HISTORY_FILE), `${JSON.stringify(update)}\n`);
    await writeFileAtomic(join(this.modelDir(model), CURRENT_FILE), `${version}\n`);
    return update;
  }

  private async assertVersion(model: RegistryModel, version: string): Promise<void> {
    if (!(await exists(join(this.bundleDir(model, version), BUNDLE_FILES.manifest)))) {
      const known = await this.versions(model);
      throw new RegistryError(
        'UNKNOWN_VERSION',
        `${model} version ${version} is not in ${this.root} (known: ${known.join(', ') || 'none'})`,
      );
    }
  }
}

function checkVersionName(version: string): void {
  if (!VERSION_PATTERN.test(version)) {
    throw new RegistryError(
      'BAD_VERSION_NAME',
      `version name ${JSON.stringify(version)} must match ${VERSION_PATTERN} (it is a directory name)`,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw err;
  }
}
