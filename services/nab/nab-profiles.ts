/** NAB application profiles: weights of a true positive, a false positive and a missed window. */
export interface CostProfile {
  name: string;
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

export const NAB_PROFILES: readonly CostProfile[] = [
  { name: 'standard', tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  { name: 'reward_low_FP_rate', tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  { name: 'reward_low_FN_rate', tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
];

/** NAB's probationary fraction: the first 15% of each file (at most 750 rows) is not scored. */
export const NAB_PROBATIONARY_FRACTION = 0.15;
