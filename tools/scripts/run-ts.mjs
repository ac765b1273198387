// Runs a TypeScript entry point of the workspace with Node 20, without a build step.
import { spawnSync } from 'node:child_process';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node tools/scripts/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
const { status, signal } = spawnSync(
  process.execPath,
  ['--import', '@swc-node/register/esm-register', '--no-warnings=ExperimentalWarning', entry, ...args],
  { stdio: 'inherit' },
);
process.exit(status ?? (signal ? 1 : 0));
