import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { BundleError } from './bundle-error.js';
import { BUNDLE_FILES } from './bundle-files.js';

export const manifestSchema = z.object({
  formatVersion: z.literal(1),
  files: z.record(
    z.string(),
    z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int() }),
  ),
});
export type BundleManifest = z.infer<typeof manifestSchema>;

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hashes the named files of a bundle directory and writes manifest.json; returns its sha256. */
export async function writeManifest(dir: string, files: readonly string[]): Promise<string> {
  const manifest: BundleManifest = { formatVersion: 1, files: {} };
  for (const name of [...files].sort()) {
    const bytes = await readFile(join(dir, name));
    manifest.files[name] = { sha256: sha256Hex(bytes), bytes: bytes.byteLength };
  }
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  await writeFile(join(dir, BUNDLE_FILES.manifest), text);
  return sha256Hex(text);
}

export interface VerifiedBundleFiles {
  /** sha256 of manifest.json: identifies the bundle (ModelUpdate.sha256). */
  manifestSha256: string;
  /** The verified bytes of every required file, by name. */
  bytes: Map<string, Buffer>;
}

/**
 * Reads manifest.json and every required file, checking each against its recorded sha256.
 * Throws BundleError naming the file with the expected and actual hash on any mismatch.
 */
export async function readVerifiedFiles(
  dir: string,
  required: readonly string[],
): Promise<VerifiedBundleFiles> {
  const manifestBytes = await readRequired(dir, BUNDLE_FILES.manifest);
  let manifest: BundleManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(manifestBytes.toString('utf8')));
  } catch (err) {
    throw new BundleError(
      'INVALID_FILE',
      `${join(dir, BUNDLE_FILES.manifest)} is not a valid manifest: ${(err as Error).message}`,
    );
  }
  const bytes = new Map<string, Buffer>();
  for (const name of required) {
    const entry = manifest.files[name];
    if (!entry) {
      throw new BundleError('INVALID_FILE', `${join(dir, BUNDLE_FILES.manifest)} does not list ${name}`);
    }
    const content = await readRequired(dir, name);
    const actual = sha256Hex(content);
    if (actual !== entry.sha256) {
      throw new BundleError(
        'CHECKSUM_MISMATCH',
        `checksum mismatch for ${join(dir, name)}: manifest expects sha256 ${entry.sha256}, file has ${actual} (${content.byteLength} bytes, manifest says ${entry.bytes}); the bundle was modified or is incomplete`,
      );
    }
    bytes.set(name, content);
  }
  return { manifestSha256: sha256Hex(manifestBytes), bytes };
}

async function readRequired(dir: string, name: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, name));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BundleError('MISSING_FILE', `bundle file missing: ${join(dir, name)}`);
    throw err;
  }
}
