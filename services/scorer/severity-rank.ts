import type { Severity } from '../shared/contracts/records.js';

const ORDER: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

export const rankSeverity = (s: Severity): number => ORDER[s];

export const maxSeverity = (a: Severity, b: Severity): Severity => (ORDER[a] >= ORDER[b] ? a : b);
