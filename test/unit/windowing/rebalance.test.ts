import { describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import { runRebalanceScenario } from '../../scenarios/windowing-rebalance.js';

describe('windowing rebalance (embedded bus)', () => {
  it('a second instance joining mid-stream rebuilds windows from the topic; no sequence is lost', async () => {
    const bus = new EmbeddedBus();
    const report = await runRebalanceScenario(() => bus);
    expect(report.missing).toEqual([]);
    expect(report.differences).toEqual([]);
    expect(report.windowDifferences).toEqual([]);
    expect(report.ownershipProblems).toEqual([]);
    expect(report.seen).toBe(report.expected);
    // The scenario is only meaningful if something was in flight and both instances rebuilt.
    expect(report.inFlightAtRebalance).toBeGreaterThan(0);
    expect(report.duplicates).toBeGreaterThan(0);
    for (const i of report.instances) {
      expect(i.symbols.length, i.name).toBeGreaterThan(0);
      expect(i.rebuilds, i.name).toBeGreaterThan(0);
      expect(i.joinIncomplete, i.name).toBe(0);
    }
  });
});
