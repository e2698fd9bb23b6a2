import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../services/models/bundle/bundle-manifest.js';
import { modelVersionName } from '../../../services/models/bundle/version-name.js';
import { ModelRegistry } from '../../../services/models/registry/model-registry.js';

let root: string;
let registry: ModelRegistry;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'registry-test-'));
  registry = new ModelRegistry(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A stand-in bundle: the registry only needs the manifest. */
const fakeBundle = (tag: string) => async (dir: string) => {
  await mkdir(dir);
  await writeFile(join(dir, 'manifest.json'), `{"formatVersion":1,"files":{},"tag":"${tag}"}\n`);
};

const at = (t: number) => ({ reason: 'test', now: () => t });

describe('ModelRegistry', () => {
  it('publishes versions and lists them sorted, skipping staging and incomplete directories', async () => {
    await registry.publish('risk', 'risk-2', fakeBundle('2'));
    await registry.publish('risk', 'risk-1', fakeBundle('1'));
    await mkdir(join(root, 'risk', 'risk-3')); // no manifest: not a version
    expect(await registry.versions('risk')).toEqual(['risk-1', 'risk-2']);
    expect(await registry.versions('anomaly')).toEqual([]);
    expect(await registry.current('risk')).toBeNull();
  });

  it('never shows a half-written bundle and cleans up after a failed write', async () => {
    await expect(
      registry.publish('risk', 'risk-1', async (dir) => {
        await mkdir(dir);
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await readdir(join(root, 'risk'))).toEqual([]);
    await registry.publish('risk', 'risk-1', fakeBundle('1'));
    await expect(registry.publish('risk', 'risk-1', fakeBundle('1'))).rejects.toThrow(/already exists/);
  });

  it('promotes atomically and records each move as a ModelUpdate', async () => {
    await registry.publish('risk', 'risk-1', fakeBundle('1'));
    await registry.publish('risk', 'risk-2', fakeBundle('2'));
    const first = await registry.promote('risk', 'risk-1', { ...at(1000), metrics: { auc: 0.6 } });
    expect(first).toEqual({
      model: 'RISK',
      version: 'risk-1',
      previousVersion: null,
      bundlePath: join('risk', 'risk-1'),
      sha256: sha256Hex(await readFile(join(root, 'risk', 'risk-1', 'manifest.json'))),
      action: 'PROMOTE',
      reason: 'test',
      metrics: { auc: 0.6 },
      time: 1000,
    });
    const second = await registry.promote('risk', 'risk-2', at(2000));
    expect(second.previousVersion).toBe('risk-1');
    expect(await registry.current('risk')).toBe('risk-2');
    expect(await registry.versions('risk')).toEqual(['risk-1', 'risk-2']);
    expect(await readFile(join(root, 'risk', 'CURRENT'), 'utf8')).toBe('risk-2\n');
    // no temp files left behind by the atomic write
    expect((await readdir(join(root, 'risk'))).sort()).toEqual([
      'CURRENT',
      'history.jsonl',
      'risk-1',
      'risk-2',
    ]);
    expect((await registry.history('risk')).map((u) => [u.action, u.version])).toEqual([
      ['PROMOTE', 'risk-1'],
      ['PROMOTE', 'risk-2'],
    ]);
  });

  it('rolls back promotion by promotion and stops at the first one', async () => {
    for (const v of ['risk-1', 'risk-2', 'risk-3']) {
      await registry.publish('risk', v, fakeBundle(v));
      await registry.promote('risk', v, at(1));
    }
    const back = await registry.rollback('risk', at(2));
    expect(back).toMatchObject({ action: 'ROLLBACK', version: 'risk-2', previousVersion: 'risk-3' });
    expect(await registry.current('risk')).toBe('risk-2');
    expect((await registry.rollback('risk', at(3))).version).toBe('risk-1');
    await expect(registry.rollback('risk', at(4))).rejects.toThrow(/first version promoted/);
    expect(await registry.current('risk')).toBe('risk-1');
  });

  it('refuses unknown versions, path-like names and rollback without a current version', async () => {
    await expect(registry.rollback('risk', at(1))).rejects.toThrow(/no current version/);
    await registry.publish('risk', 'risk-1', fakeBundle('1'));
    await expect(registry.promote('risk', 'risk-9', at(1))).rejects.toThrow(
      /risk version risk-9 is not in .* \(known: risk-1\)/,
    );
    await expect(registry.promote('risk', '../risk-1', at(1))).rejects.toThrow(/must match/);
  });

  it('reports pointer changes to watchers, including a model directory created later', async () => {
    const seen: (string | null)[] = [];
    let notify: () => void = () => {};
    const watch = registry.watch(
      'risk',
      (v) => {
        seen.push(v);
        notify();
      },
      50,
    );
    await watch.ready;
    try {
      const changed = () => new Promise<void>((resolve) => (notify = resolve));
      let next = changed();
      await registry.publish('risk', 'risk-1', fakeBundle('1'));
      await registry.promote('risk', 'risk-1', at(1));
      await next;
      next = changed();
      await registry.publish('risk', 'risk-2', fakeBundle('2'));
      await registry.promote('risk', 'risk-2', at(2));
      await next;
      next = changed();
      await registry.rollback('risk', at(3));
      await next;
      expect(seen).toEqual(['risk-1', 'risk-2', 'risk-1']);
    } finally {
      watch.close();
    }
  });
});

describe('modelVersionName', () => {
  it('is model-UTC stamp-short commit', () => {
    const t = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    expect(modelVersionName('risk', t, '0123456789abcdef0123456789abcdef01234567')).toBe(
      'risk-20240102-030405-0123456',
    );
    expect(modelVersionName('risk', t, null)).toBe('risk-20240102-030405-nogit');
  });
});
