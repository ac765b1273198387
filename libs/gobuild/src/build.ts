import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { sha256File } from '../../checksum/src/sha256';
import { readElfLinkageOfFile } from '../../elf/src/elf';
import { linuxBinaryProblem } from './binary-platform';
import { describeCgoCulprits, findCgoCulprits } from './cgo';
import { findGo } from './find-go';
import { formatCommand, run } from './go';
import { parseGoMod } from './gomod';
import { moduleFilesOutside, readOwnModule } from './modules';
import { buildinfoVars, mainPackageVars, type StampVar } from './stamp-vars';
import { goInputPathspecs, versionFromGit, type VersionStamp } from './version';

export interface Platform {
  os: string;
  arch: string;
}

export interface GoBuildOptions {
  workspaceRoot: string;
  /** Workspace-relative folder of the main package, e.g. `apps/greeter`. */
  main: string;
  /** File name of the binary; defaults to the folder's name. */
  name?: string;
  /** Workspace-relative output folder; defaults to `dist/<main>`. */
  outputPath?: string;
  /** The primary platform, whose binary is written as `<outputPath>/<name>`. Default linux/amd64. */
  goos?: string;
  goarch?: string;
  /** More platforms to build beside the primary one, as "os/arch". */
  platforms?: string[];
  /** The article's `-a -installsuffix cgo`: rebuild every package, in a separate install suffix. Not needed since Go 1.10. */
  articleFlags?: boolean;
  /** Build with CGO_ENABLED=1. The ELF check still refuses a dynamically linked result. */
  cgo?: boolean;
  /** Stamp this version instead of the commit's short hash. */
  version?: string;
  /**
   * Import path of the package holding Version, Commit and CommitTime; default `<module>/libs/go/buildinfo`
   * in the workspace's module. A main package with a module of its own gets `main.version`, `main.commit`
   * and `main.date` instead, those of them it declares.
   */
  versionPackage?: string;
  /** Workspace-relative folders whose history decides the stamped commit; default `[main]`. */
  stampPaths?: string[];
  /** More -ldflags, after the ones go-build sets. */
  ldflags?: string[];
  /** Build tags. */
  tags?: string[];
  /** More environment for go (CGO_ENABLED here counts as the `cgo` option). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface BuiltBinary {
  platform: string;
  /** Workspace-relative path. */
  path: string;
  sha256: string;
  size: number;
}

export interface GoBuildResult {
  success: boolean;
  error?: string;
  binaries: BuiltBinary[];
  /** Workspace-relative path of the primary platform's binary. */
  primary?: string;
  stamp?: VersionStamp;
  durationMs: number;
}

/** What go-build writes to `<outputPath>/build.json`, and what the image build reads back. */
export interface GoBuildRecord {
  name: string;
  /** Workspace-relative folder of the main package. */
  main: string;
  /** Workspace-relative path of the primary platform's binary. */
  primary: string;
  binaries: BuiltBinary[];
  version: string;
  commit: string;
  /** The commit's time, ISO 8601; empty when there is no commit. */
  commitTime: string;
  versionPackage: string | null;
  /** The variables the linker set (-X), each of which the main package or versionPackage declares. */
  stamped: string[];
  cgo: boolean;
  articleFlags: boolean;
}

export const DEFAULT_PLATFORM: Platform = { os: 'linux', arch: 'amd64' };
export const KNOWN_PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm', 'linux/386', 'linux/riscv64', 'linux/ppc64le', 'linux/s390x', 'darwin/amd64', 'darwin/arm64', 'windows/amd64', 'windows/arm64'];

export function parsePlatform(text: string): Platform {
  const m = /^([a-z0-9]+)\/([a-z0-9]+)$/.exec(text.trim());
  if (!m) throw new Error(`platform "${text}" is not of the form os/arch, e.g. linux/arm64`);
  return { os: m[1], arch: m[2] };
}

/** The folder holding the go.mod that governs `dir` (workspace-relative), searching upwards. */
export function findModuleRoot(workspaceRoot: string, dir: string): { dir: string; module?: string } {
  for (let cur = dir; ; cur = posix.dirname(cur)) {
    const rel = cur === '.' ? '' : cur;
    const goMod = join(workspaceRoot, rel, 'go.mod');
    if (existsSync(goMod)) return { dir: rel, module: parseGoMod(readFileSync(goMod, 'utf8')).module };
    if (rel === '') return { dir: '' };
  }
}

/** `./apps/greeter` for a package folder, relative to its module's root. */
export function packagePattern(moduleDir: string, pkgDir: string): string {
  const rel = posix.relative(moduleDir || '.', pkgDir) || '.';
  return rel === '.' ? '.' : `./${rel}`;
}

/** The -ldflags go-build passes: strip symbols and DWARF, an empty build id, and the stamp. */
export function buildLdflags(vars: StampVar[], extra: string[] = []): string {
  const flags = ['-s', '-w', '-buildid='];
  for (const { symbol, value } of vars) {
    if (/\s|'/.test(value)) throw new Error(`version stamp ${symbol}="${value}" must not contain spaces or quotes`);
    flags.push('-X', `${symbol}=${value}`);
  }
  return [...flags, ...extra].join(' ');
}

/** The `go build` arguments for one platform (without the environment). */
export function buildArgs(o: { articleFlags?: boolean; tags?: string[]; ldflags: string; out: string; pkg: string }): string[] {
  return [
    'build',
    '-trimpath',
    '-buildvcs=false',
    ...(o.articleFlags ? ['-a', '-installsuffix', 'cgo'] : []),
    ...(o.tags?.length ? ['-tags', o.tags.join(',')] : []),
    '-ldflags',
    o.ldflags,
    '-o',
    o.out,
    o.pkg,
  ];
}

/** Removes `dir`, then its parents up to (not including) `stop` while they are empty. */
function removeWithEmptyParents(dir: string, stop: string) {
  rmSync(dir, { recursive: true, force: true });
  for (let cur = dirname(dir); cur.startsWith(stop + '/') && cur !== stop; cur = dirname(cur)) {
    try {
      if (readdirSync(cur).length > 0) break;
      rmdirSync(cur);
    } catch {
      break;
    }
  }
}

/**
 * Builds a Go main package into static, reproducible binaries:
 * CGO_ENABLED=0, -trimpath, -buildvcs=false, -ldflags "-s -w -buildid= -X ...",
 * stamped from git (never the clock). Each binary's ELF is read afterwards and a
 * dynamically linked one (PT_INTERP or DT_NEEDED) is refused, naming the
 * packages that brought cgo in. On any failure the output folder is removed,
 * so nothing stale is left in dist.
 *
 * Platforms are built at once, each by its own `go build`.
 *
 * Layout: `<outputPath>/<name>` for the primary platform (what the image
 * takes), `<outputPath>/<name>_<os>_<arch>` for every other one, and
 * `<outputPath>/build.json`.
 */
export async function goBuild(options: GoBuildOptions): Promise<GoBuildResult> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const ws = resolve(options.workspaceRoot);
  const main = posix.normalize(options.main).replace(/\/$/, '');
  const name = options.name ?? basename(main);
  const outputRel = options.outputPath ?? `dist/${main}`;
  const outputDir = resolve(ws, outputRel);
  const fail = (error: string): GoBuildResult => {
    removeWithEmptyParents(outputDir, ws);
    return { success: false, error, binaries: [], durationMs: Date.now() - started };
  };

  if (relative(ws, outputDir).startsWith('..') || outputDir === ws) {
    return { success: false, error: `outputPath ${outputRel} must be a folder inside the workspace`, binaries: [], durationMs: 0 };
  }
  const primary: Platform = { os: options.goos ?? DEFAULT_PLATFORM.os, arch: options.goarch ?? DEFAULT_PLATFORM.arch };
  let platforms: Platform[];
  try {
    platforms = [primary, ...(options.platforms ?? []).map(parsePlatform)];
  } catch (err) {
    return { success: false, error: (err as Error).message, binaries: [], durationMs: 0 };
  }
  platforms = platforms.filter((p, i) => platforms.findIndex((q) => q.os === p.os && q.arch === p.arch) === i);

  let go: string;
  try {
    go = findGo(options.env ? { ...process.env, ...options.env } : process.env).path;
  } catch (err) {
    return { success: false, error: (err as Error).message, binaries: [], durationMs: 0 };
  }
  const mod = findModuleRoot(ws, main);
  const moduleAbs = join(ws, mod.dir);
  const pkg = packagePattern(mod.dir, main);
  // A main package with a module of its own (apps/<svc>/go.mod) has no
  // buildinfo package and is stamped through its own variables, if it has any.
  const ownModule = mod.dir !== '' ? readOwnModule(ws, mod.dir) : undefined;
  const versionPackage = options.versionPackage ?? (mod.module && mod.dir === '' ? `${mod.module}/libs/go/buildinfo` : undefined);
  const stamp = versionFromGit(ws, goInputPathspecs(options.stampPaths ?? [main], moduleFilesOutside(ownModule)), options.version);
  const stampVars = versionPackage ? buildinfoVars(versionPackage, stamp) : mainPackageVars(join(ws, main), stamp);
  if (!versionPackage && stampVars.length === 0) {
    log(`${main} declares no main.version, main.commit or main.date string variable: the binary is not stamped (build.json records ${stamp.version})`);
  }
  let ldflags: string;
  try {
    ldflags = buildLdflags(stampVars, options.ldflags);
  } catch (err) {
    return { success: false, error: (err as Error).message, binaries: [], durationMs: 0 };
  }
  const cgo = options.cgo === true || options.env?.CGO_ENABLED === '1';

  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  // One `go build` per platform, all at once: they share Go's build cache,
  // and the second platform's link overlaps the first's.
  const buildOne = async (p: Platform): Promise<BuiltBinary | { error: string }> => {
    // The primary binary is written once, under the plain name: a second name for it (a hard link) is stored twice in Nx's cache.
    const finalName = p === primary ? name : `${name}_${p.os}_${p.arch}${p.os === 'windows' ? '.exe' : ''}`;
    const partial = join(outputDir, `.${finalName}.partial`);
    const buildEnv: Record<string, string> = { CGO_ENABLED: cgo ? '1' : '0', GOOS: p.os, GOARCH: p.arch };
    const args = buildArgs({ articleFlags: options.articleFlags, tags: options.tags, ldflags, out: partial, pkg });
    log(`${mod.dir ? `(cd ${mod.dir}) ` : ''}${formatCommand(buildEnv, 'go', args).replace(partial, join(outputRel, finalName))}`);
    const env = { ...process.env, ...options.env, ...buildEnv };
    const t0 = Date.now();
    const r = await run(go, args, { cwd: moduleAbs, env });
    if (r.code !== 0) {
      let hint = '';
      if (!cgo) {
        // A package written for cgo fails to compile with CGO_ENABLED=0 (its
        // `import "C"` files are left out): name it.
        const own = (await findCgoCulprits(go, moduleAbs, pkg, { ...env, CGO_ENABLED: '1' })).filter((c) => !c.standard);
        if (own.length) {
          hint = `\nThis build has CGO_ENABLED=0, which leaves out files that import "C".\n${describeCgoCulprits(own, false)}`;
        }
      }
      return { error: `go build of ${main} for ${p.os}/${p.arch} failed (exit ${r.code}):\n${(r.stderr + r.stdout).trim()}${hint}` };
    }
    // The primary binary is what an image runs: whatever goos says, it must be a Linux ELF of its arch.
    const problem = p.os === 'linux' || p === primary ? linuxBinaryProblem(partial, p.arch) : undefined;
    if (problem) {
      const fix = p === primary && p.os !== 'linux' ? '; the primary binary is what the image runs: build it for linux (goos) and list other systems in platforms' : '';
      return { error: `refusing ${name} for ${p.os}/${p.arch}: ${problem}${fix}` };
    }
    if (p.os === 'linux') {
      const elf = readElfLinkageOfFile(partial);
      if (!elf.isStatic) {
        const culprits = await findCgoCulprits(go, moduleAbs, pkg, env);
        const what = [elf.interpreter && `program interpreter ${elf.interpreter}`, elf.needed.length && `shared libraries ${elf.needed.join(', ')}`]
          .filter(Boolean)
          .join(' and ');
        return { error: `refusing ${name} for ${p.os}/${p.arch}: the binary is not static (it needs ${what}).\n${describeCgoCulprits(culprits, cgo)}` };
      }
    }
    const out = join(outputDir, finalName);
    renameSync(partial, out);
    const size = statSync(out).size;
    log(`  ${posix.join(outputRel, finalName)}  ${(size / 1e6).toFixed(2)} MB  static  ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return { platform: `${p.os}/${p.arch}`, path: posix.join(outputRel, finalName), sha256: await sha256File(out), size };
  };
  const results = await Promise.all(
    platforms.map((p) => buildOne(p).catch((err: Error) => ({ error: `go build of ${main} for ${p.os}/${p.arch} could not run: ${err.message}` }))),
  );
  // The first failure in platform order, whichever finished first: the same input gives the same message.
  const failed = results.find((r): r is { error: string } => 'error' in r);
  if (failed) return fail(failed.error);
  const binaries = results as BuiltBinary[];

  const record: GoBuildRecord = {
    name,
    main,
    primary: posix.join(outputRel, name),
    binaries,
    version: stamp.version,
    commit: stamp.commit,
    commitTime: stamp.commitTime,
    versionPackage: versionPackage ?? null,
    stamped: stampVars.map((v) => v.symbol),
    cgo,
    articleFlags: !!options.articleFlags,
  };
  writeFileSync(join(outputDir, 'build.json'), JSON.stringify(record, null, 2) + '\n');
  log(`${main} ${stamp.version} (${stamp.commit.slice(0, 12)}, ${stamp.commitTime || 'no commit'}) -> ${record.primary}`);
  return { success: true, binaries, primary: record.primary, stamp, durationMs: Date.now() - started };
}
