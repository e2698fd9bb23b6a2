import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query against Prometheus's HTTP API. */
export async function promQuery(url: string, query: string): Promise<PromSample[]> {
  const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query }).toString()}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: PromSample[] };
  };
  if (body.status !== 'success') throw new Error(`PromQL ${query}: ${body.error ?? res.status}`);
  return body.data?.result ?? [];
}

interface TargetGroup {
  targets: string[];
  labels?: Record<string, string>;
}

function readGroups(file: string): TargetGroup[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(parsed) ? (parsed as TargetGroup[]) : [];
  } catch {
    return [];
  }
}

/** Replaced atomically: Prometheus may read the file at any moment. */
function writeGroups(file: string, groups: TargetGroup[]): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(groups, null, 2)}\n`);
  renameSync(tmp, file);
}

/**
 * Adds a scrape target to the file_sd file (keeping the groups others put there) and returns a
 * function that takes it out again. File-based discovery lets a `job` label override the job name,
 * so a unique job isolates this test's series.
 */
export function addScrapeTarget(file: string, hostPort: string, labels: Record<string, string>): () => void {
  writeGroups(file, [...readGroups(file), { targets: [hostPort], labels }]);
  return () =>
    writeGroups(
      file,
      readGroups(file).filter((g) => !g.targets.includes(hostPort)),
    );
}
