import { readFileSync } from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';
import { join } from 'node:path';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memGb: number;
  freeMemGbAtStart: number;
  node: string;
  platform: string;
  /** Installed versions (from node_modules) of the packages the figures depend on; null if absent. */
  packages: Record<string, string | null>;
}

const PACKAGES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  'onnxruntime-node',
  'kafkajs',
  '@platformatic/kafka',
  'avsc',
  'rxjs',
] as const;

/** Version of an installed package, read from its package.json (require.resolve hides exports). */
export function installedVersion(name: string, root = process.cwd()): string | null {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memGb: Number((totalmem() / 2 ** 30).toFixed(1)),
    freeMemGbAtStart: Number((freemem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    packages: Object.fromEntries(PACKAGES.map((p) => [p, installedVersion(p)])),
  };
}
