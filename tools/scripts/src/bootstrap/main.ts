import { ensureAptLists, ensureDockerRegistry } from '../toolchain/apt';
import { ensureDockerEngine } from '../toolchain/docker-engine';
import { findGo } from '../toolchain/go';
import { RECIPES } from '../toolchain/recipes';
import { BootstrapError, formatSeconds, ok } from '../toolchain/report';
import { toolsDir } from '../toolchain/tool-cache';
import { ensureTool } from '../toolchain/tools';

/**
 * Everything the demo and the tests need, checked in order, one line each;
 * what is missing is installed or built, what is there is left alone.
 */
async function main(): Promise<void> {
  const started = Date.now();
  await ensureDockerEngine();
  await ensureAptLists();
  await ensureDockerRegistry();
  const go = await findGo();
  ok('go', `${go.version} at ${go.path}`);
  for (const recipe of RECIPES) await ensureTool(recipe, go);
  ok('bootstrap', `ready in ${formatSeconds(Date.now() - started)} (tool cache: ${toolsDir()})`);
}

main().catch((err: unknown) => {
  if (err instanceof BootstrapError) {
    console.error(`FAIL  ${err.check.padEnd(16)} ${err.message}`);
  } else {
    console.error(`FAIL  bootstrap: ${(err as Error).stack ?? String(err)}`);
  }
  process.exit(1);
});
