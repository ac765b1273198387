import { ensureTestPeer, TEST_PEERS } from '../../../../libs/toolchain/src/apt';
import { ensureDockerEngine } from '../../../../libs/toolchain/src/docker-engine';
import { ensureArm64Emulation } from '../../../../libs/toolchain/src/emulation-setup';
import { RECIPES } from '../../../../libs/toolchain/src/recipes';
import { BootstrapError, CHECK_WIDTH, fail, formatSeconds, ok } from '../../../../libs/toolchain/src/report';
import { toolsDir } from '../../../../libs/toolchain/src/tool-cache';
import { ensureTool } from '../../../../libs/toolchain/src/tools';
import { findGo, MIN_GO, type GoToolchain } from '../../../../libs/gobuild/src/find-go';
import { commandFlags } from '../flags';

/**
 * Everything the demo and the tests need, checked in order, one line each;
 * what is missing is installed or built, what is there is left alone.
 */
const HELP = `usage: npm run bootstrap (node tools/scripts/bootstrap.mjs) [--help]

Checks, one line each, and installs or builds what is missing: node_modules
(npm ci), a Docker engine (docker.io and dockerd, as root on Debian or Ubuntu),
the tests' real peers (docker-registry, skopeo, umoci), arm64 emulation
(qemu-user-static and binfmt-support, as root on Debian or Ubuntu), Go ${MIN_GO.join('.')}+,
consul-template 0.42.1 for linux/amd64 and linux/arm64 (cross-built where the
host is another platform) and Consul 1.14.11 (built into the tool cache). Safe to run again: what is there is left alone.

  MICROBOX_TOOLS_DIR  the tool cache (default \${XDG_CACHE_HOME:-~/.cache}/microbox/tools)
  DOCKER_HOST         the engine to use (default the local socket)`;

function goOrFail(): GoToolchain {
  try {
    return findGo();
  } catch (err) {
    return fail('go', (err as Error).message);
  }
}

async function main(): Promise<void> {
  commandFlags('bootstrap', [], HELP, 'npm run bootstrap -- --help');
  const started = Date.now();
  await ensureDockerEngine();
  for (const peer of TEST_PEERS) await ensureTestPeer(peer);
  await ensureArm64Emulation();
  const go = goOrFail();
  ok('go', `${go.version} at ${go.path}`);
  for (const recipe of RECIPES) await ensureTool(recipe, go);
  ok('bootstrap', `ready in ${formatSeconds(Date.now() - started)} (tool cache: ${toolsDir()})`);
}

main().catch((err: unknown) => {
  if (err instanceof BootstrapError) {
    console.error(`FAIL  ${err.check.padEnd(CHECK_WIDTH)} ${err.message}`);
  } else {
    console.error(`FAIL  bootstrap: ${(err as Error).stack ?? String(err)}`);
  }
  process.exit(1);
});
