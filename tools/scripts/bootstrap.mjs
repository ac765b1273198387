// The bootstrap's first step, in plain Node because it runs before node_modules exists:
// `npm ci` when node_modules is missing or was installed from another package-lock.json.
// Then the rest of the bootstrap (TypeScript, with zx) checks the engine, Go and the tools.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const lockHash = createHash('sha256').update(readFileSync(join(root, 'package-lock.json'))).digest('hex');
const stamp = join(root, 'node_modules', '.microbox-lock.sha256');
const label = 'node_modules'.padEnd(21); // the width of libs/toolchain's report column

if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === lockHash) {
  console.log(`ok    ${label} match package-lock.json`);
} else {
  console.log(`..    ${label} npm ci (node_modules ${existsSync(join(root, 'node_modules')) ? 'differs from' : 'missing for'} package-lock.json)`);
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (npm.status !== 0) {
    console.error(`FAIL  ${label} npm ci exited ${npm.status ?? npm.signal}: see its output above`);
    process.exit(1);
  }
  writeFileSync(stamp, lockHash + '\n');
  console.log(`ok    ${label} installed from package-lock.json`);
}

const rest = spawnSync(
  process.execPath,
  [join(root, 'tools/scripts/run-ts.mjs'), join(root, 'tools/scripts/src/bootstrap/main.ts'), ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
process.exit(rest.status ?? 1);
