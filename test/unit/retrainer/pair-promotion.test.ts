import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ModelRegistry,
  type PointerChangeOptions,
  type RegistryModel,
} from '../../../services/models/registry/model-registry.js';
import { promotePairVerified } from '../../../services/retrainer/verified-promotion.js';
import type { ModelUpdate } from '../../../services/shared/contracts/records.js';
import { SYNTHETIC_FEATURES } from '../../fixtures/synthetic-joined-bars.js';
import { trainChampion } from './champion-fixture.js';

/** A registry whose anomaly pointer cannot move (a full disk, a permission problem). */
class StuckAnomalyRegistry extends ModelRegistry {
  override async promote(
    model: RegistryModel,
    version: string,
    options: PointerChangeOptions,
  ): Promise<ModelUpdate> {
    if (model === 'anomaly') throw new Error('EACCES: anomaly/CURRENT is read-only');
    return super.promote(model, version, options);
  }
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pair-promotion-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('pair promotion', () => {
  it('moves the risk pointer back when the anomaly pointer cannot move: both or neither', async () => {
    const champion = await trainChampion(new ModelRegistry(root));
    const registry = new StuckAnomalyRegistry(root);
    // The fixture's first, unsteadied bundle of the same run: same scaler, so it pairs.
    const other = (await registry.versions('risk')).find((v) => v !== champion) as string;
    const anomaly = (await registry.current('anomaly')) as string;
    await expect(
      promotePairVerified(registry, { risk: other, anomaly }, SYNTHETIC_FEATURES, { reason: 'test' }),
    ).rejects.toThrow(/read-only/);
    expect(await registry.current('risk')).toBe(champion);
    expect(await registry.current('anomaly')).toBe(anomaly);
    const moves = (await registry.history('risk')).slice(-2).map((u) => [u.version, u.reason]);
    expect(moves[0]).toEqual([other, 'test']);
    expect(moves[1]?.[0]).toBe(champion);
    expect(moves[1]?.[1]).toMatch(/^undo: anomaly .* could not be made current/);

    // Unknown versions are named before anything is loaded or moved.
    await expect(
      promotePairVerified(registry, { risk: other, anomaly: 'anomaly-nope' }, SYNTHETIC_FEATURES, {
        reason: 'test',
      }),
    ).rejects.toThrow(/anomaly version anomaly-nope is not in/);
    expect(await registry.current('risk')).toBe(champion);
  });
});
