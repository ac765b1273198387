import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The folders whose code decides what the plugin infers: the plugin's own and the Go facts it reads. */
const INFERENCE_CODE = ['../../../../tools/nx-microbox/src', '../../../../libs/gobuild/src'];

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * A hash of the code that infers projects, so what a cache kept from an
 * older plugin is not served by a newer one (a new target, a changed input).
 * Read once per process: some forty small files.
 */
export function pluginCodeVersion(): string {
  const hash = createHash('sha256');
  for (const folder of INFERENCE_CODE) {
    const dir = join(__dirname, folder);
    for (const file of sourcesUnder(dir).sort()) hash.update(relative(dir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}
