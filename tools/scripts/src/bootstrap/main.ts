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
const HELP = `usage: npm run bootstrap (node tools/scripts/bootstrap.mjs) [--help]

Checks, one line each, and installs or builds what is missing: node_modules
(npm ci), a Docker engine (docker.io and dockerd, as root on Debian or Ubuntu),
apt package lists, docker-registry, Go 1.26+, consul-template 0.42.1 and
Consul 1.14.11 (built into the tool cache). Safe to run again: what is there
is left alone.

  MICROBOX_TOOLS_DIR  the tool cache (default \${XDG_CACHE_HOME:-~/.cache}/microbox/tools)
  DOCKER_HOST         the engine to use (default the local socket)`;

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(HELP);
    return;
  }
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
