/** Allowed version names: they are directory names in the registry. */
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * A readable, sortable version name: <model>-YYYYMMDD-HHMMSS-<7 hex of the git commit or "nogit">,
 * UTC. Names of one model sort chronologically.
 */
export function modelVersionName(model: string, time: Date, gitCommit: string | null): string {
  const iso = time.toISOString(); // 2024-01-02T03:04:05.678Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${model}-${stamp}-${gitCommit ? gitCommit.slice(0, 7) : 'nogit'}`;
}
