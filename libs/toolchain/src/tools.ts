import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { $ } from 'zx';
import type { GoToolchain } from '../../gobuild/src/find-go';
import { checkGoBinary } from './go-binary-check';
import { hostRuns } from './go-target';
import type { ToolRecipe } from './recipes';
import { fail, formatSeconds, ok, progress } from './report';
import { inspectCachedTool, installTool, toolBinary, toolsDir } from './tool-cache';

export interface LocatedTool {
  path: string;
  source: 'PATH' | 'cache';
}

async function versionLine(recipe: ToolRecipe, path: string): Promise<string> {
  const out = await $({ nothrow: true, quiet: true, timeout: '20s' })`${path} ${recipe.versionArgs}`;
  return (out.stdout + out.stderr).trim().split('\n')[0] ?? '';
}

/** A tool built for a fixed platform is judged by its build information and ELF header, and run too only where the host can. */
async function checkVersion(recipe: ToolRecipe, path: string): Promise<void> {
  if (recipe.goBinary) {
    await checkGoBinary(path, recipe.goBinary);
    if (!hostRuns(recipe.goBinary)) return;
  }
  const line = await versionLine(recipe, path);
  if (!recipe.versionPattern.test(line)) {
    throw new Error(`${path} reports "${line || 'nothing'}", expected ${recipe.name} ${recipe.version}`);
  }
}

async function onPath(recipe: ToolRecipe): Promise<string | undefined> {
  if (!recipe.acceptOnPath) return undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const path = join(dir, recipe.name);
    if (existsSync(path) && recipe.versionPattern.test(await versionLine(recipe, path))) return path;
  }
  return undefined;
}

/** Finds a ready tool without building anything: for tests and the demo, after the bootstrap. */
export async function locateTool(recipe: ToolRecipe, dir = toolsDir()): Promise<LocatedTool> {
  const fromPath = await onPath(recipe);
  if (fromPath) return { path: fromPath, source: 'PATH' };
  const cached = await inspectCachedTool(recipe, dir);
  if (cached.state === 'ready') return { path: cached.path, source: 'cache' };
  throw new Error(`${recipe.name} ${recipe.version} is not in ${dir} (${cached.reason}): run \`npm run bootstrap\``);
}

/** The bootstrap's step for one tool: use what is there, rebuild what is broken, build what is missing. */
export async function ensureTool(recipe: ToolRecipe, go: GoToolchain, dir = toolsDir()): Promise<LocatedTool> {
  const label = recipe.platform ? `${recipe.name} ${recipe.platform.split('/').pop()}` : recipe.name;
  const fromPath = await onPath(recipe);
  if (fromPath) {
    ok(label, `${recipe.version} on PATH: ${fromPath}`);
    return { path: fromPath, source: 'PATH' };
  }
  const cached = await inspectCachedTool(recipe, dir);
  if (cached.state === 'ready') {
    try {
      await checkVersion(recipe, cached.path);
      ok(label, `${recipe.version} (${recipe.license}) cached: ${cached.path}`);
      return { path: cached.path, source: 'cache' };
    } catch (err) {
      progress(label, `cached binary is not the right one, rebuilding: ${(err as Error).message}`);
    }
  } else if (cached.state === 'broken') {
    progress(label, `cached build is broken, rebuilding: ${cached.reason}`);
  } else {
    progress(label, `building ${recipe.version} (${recipe.license}) with ${go.version} into ${dir}`);
  }
  try {
    const record = await installTool(
      recipe,
      (work, bin) => recipe.build(go, work, bin),
      (bin) => checkVersion(recipe, bin),
      dir,
    );
    const path = toolBinary(recipe, dir);
    ok(label, `${recipe.version} built in ${formatSeconds(record.buildSeconds * 1000)} (${(record.size / 1e6).toFixed(2)} MB): ${path}`);
    return { path, source: 'cache' };
  } catch (err) {
    return fail(label, `could not build ${recipe.name} ${recipe.version}: ${(err as Error).message}`);
  }
}
