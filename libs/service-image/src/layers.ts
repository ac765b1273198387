import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ImageEntry } from '../../image/src/entries';
import { consulTemplateConfig, templateInImage } from './consul-template-config';
import { binaryPath, CONSUL_TEMPLATE_CONFIG, defaultServiceFiles, S6_TREE, type ServiceFile } from './s6-services';
import { type ServiceSpec, workDir } from './service-spec';

/** A file of the service folder as it goes into the image: its bytes and its permission bits. */
interface ReadFile {
  content: Buffer;
  mode: number;
}

/**
 * The mode git records for a file, 0755 when its owner may run it, else
 * 0644: a checkout's bits follow the umask (0664 under umask 002, 0600
 * under 077), so shipping them would give another digest on another host,
 * and a file the `app` user could not read.
 */
export function repositoryMode(mode: number): number {
  return mode & 0o100 ? 0o755 : 0o644;
}

/**
 * The one check every file that reaches the image passes (files, templates,
 * s6 overrides): its real path, symlinks followed, is inside the service
 * folder. Refused by name otherwise, before anything is written.
 */
function realPathInside(serviceDir: string, path: string, what: string): string {
  const shown = relative(serviceDir, path) || '.';
  if (!existsSync(path)) throw new Error(`${what} ${shown} does not exist in ${serviceDir}`);
  const root = realpathSync(serviceDir);
  const real = realpathSync(path);
  if (real !== root && !real.startsWith(root + sep)) {
    throw new Error(`${what} ${shown} resolves to ${real}, outside ${serviceDir}: only files inside the service folder ship; copy it in instead of linking to it`);
  }
  return real;
}

/** A file of the service folder read as bytes, never as text, once it is checked to be inside the folder. */
function readInside(serviceDir: string, path: string, what: string): ReadFile {
  const real = realPathInside(serviceDir, path, what);
  const stat = statSync(real);
  if (!stat.isFile()) throw new Error(`${what} ${relative(serviceDir, path)} of ${serviceDir} is not a file`);
  return { content: readFileSync(real), mode: repositoryMode(stat.mode) };
}

/**
 * What a listed folder does not ship unless listed by its own path: secrets
 * and what only tests use.
 */
const LEFT_OUT_FILES = [/^\.env$/, /\.pem$/, /\.key$/, /^id_/, /_test\.go$/];
const LEFT_OUT_FOLDERS = ['e2e'];

interface Walked {
  /** Path relative to the walked root, and what it is. */
  files: Map<string, ReadFile>;
  folders: Map<string, number>;
  leftOut: string[];
}

/**
 * Every file under `dir` (relative to the service folder), symlinks followed:
 * a link inside the folder ships as what it points at, so the image holds the
 * bytes the app reads in the repository whether or not the target is listed
 * too. `leave` says which names a walk inside a listed folder leaves out.
 */
function walk(serviceDir: string, rel: string, what: string, into: Walked, leave: boolean, seen: readonly string[] = []): void {
  const abs = join(serviceDir, rel);
  const real = realPathInside(serviceDir, abs, what);
  const stat = statSync(real);
  if (stat.isFile()) {
    into.files.set(rel, { content: readFileSync(real), mode: repositoryMode(stat.mode) });
    return;
  }
  if (!stat.isDirectory()) throw new Error(`${what} ${rel} of ${serviceDir} is neither a file nor a folder: list files and folders only`);
  if (seen.includes(real)) throw new Error(`${what} ${rel} of ${serviceDir} is a link to a folder that holds it (a loop): remove the link`);
  into.folders.set(rel, 0o755);
  for (const name of readdirSync(abs).sort()) {
    const child = `${rel}/${name}`;
    const isFolder = statSync(realPathInside(serviceDir, join(abs, name), what)).isDirectory();
    if (leave && (isFolder ? LEFT_OUT_FOLDERS.includes(name) : LEFT_OUT_FILES.some((p) => p.test(name)))) {
      into.leftOut.push(isFolder ? `${child}/` : child);
      continue;
    }
    walk(serviceDir, child, what, into, leave, [...seen, real]);
  }
}

/** The files layer's entries under the working directory, and what listed folders left out. */
export function serviceFilesEntries(spec: ServiceSpec, serviceDir: string): { entries: ImageEntry[]; leftOut: string[] } {
  const walked: Walked = { files: new Map(), folders: new Map(), leftOut: [] };
  for (const listed of spec.files) walk(serviceDir, listed, 'files entry', walked, true);
  // A file listed by its own path ships even when a listed folder left it out.
  const leftOut = walked.leftOut.filter((p) => !walked.files.has(p) && !walked.folders.has(p.replace(/\/$/, '')));
  const under = workDir(spec.name);
  return {
    entries: [
      { type: 'directory', path: under, mode: 0o755 },
      ...[...walked.folders].map(([rel, mode]): ImageEntry => ({ type: 'directory', path: `${under}/${rel}`, mode })),
      ...[...walked.files].map(([rel, f]): ImageEntry => ({ type: 'file', path: `${under}/${rel}`, content: f.content, mode: f.mode })),
    ],
    leftOut,
  };
}

/**
 * The service's s6 dirs: the library's defaults, with any file of the same
 * path under `<service folder>/s6/` taking its place, and other files there
 * (a `timeout-kill`, a `down`, another service dir) added. Files are read as
 * bytes, links followed and checked like every other file: an override is
 * shipped exactly as it is in the repository.
 */
export function serviceFiles(spec: ServiceSpec, serviceDir: string): { files: ServiceFile[]; overridden: string[] } {
  const byPath = new Map(defaultServiceFiles(spec).map((f) => [f.path, f]));
  const overridden: string[] = [];
  const walked: Walked = { files: new Map(), folders: new Map(), leftOut: [] };
  if (existsSync(join(serviceDir, 's6'))) walk(serviceDir, 's6', 's6 override', walked, false);
  for (const [rel, f] of walked.files) {
    const path = rel.slice('s6/'.length);
    if (byPath.has(path)) overridden.push(path);
    // Scripts keep the mode they have in the repository, so a run script that is not executable stays visible as such.
    byPath.set(path, { path, content: f.content, mode: f.mode });
  }
  return { files: [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path)), overridden };
}

/** A layer of the service's own, named for the build record. */
export interface ServiceLayer {
  name: string;
  entries: ImageEntry[];
}

/** The binary's layer: the one layer that differs between a service's platforms. */
export function binaryLayer(spec: Pick<ServiceSpec, 'name'>, binary: Buffer): ServiceLayer {
  return { name: 'binary', entries: [{ type: 'file', path: binaryPath(spec), content: binary, mode: 0o755 }] };
}

/**
 * The layers the service adds above the base, bottom first: what changes
 * least lowest, so a code change rewrites only the binary's layer. The
 * scripts and consul-template's config and templates; then the service's
 * files under its working directory, when it lists any; then the binary.
 * Every file is read here, before any layer is written.
 */
export function serviceLayers(spec: ServiceSpec, serviceDir: string, binary: Buffer): { layers: ServiceLayer[]; leftOut: string[] } {
  const { files: s6Files } = serviceFiles(spec, serviceDir);
  const consul: ImageEntry[] = spec.templates.length
    ? [
        { type: 'file', path: CONSUL_TEMPLATE_CONFIG, content: consulTemplateConfig(spec), mode: 0o644 },
        ...spec.templates.map((t): ImageEntry => ({ type: 'file', path: templateInImage(t), content: readInside(serviceDir, join(serviceDir, t.source), 'template').content, mode: 0o644 })),
      ]
    : [];
  const files = spec.files.length ? serviceFilesEntries(spec, serviceDir) : undefined;
  const scripts: ServiceLayer = {
    name: spec.templates.length ? 's6 scripts, templates' : 's6 scripts',
    entries: [
      ...s6Files.map((f): ImageEntry => ({ type: 'file', path: `${S6_TREE}/${f.path}`, content: f.content, mode: f.mode })),
      ...consul,
      // The working directory exists even with no files: app/run starts the app in it.
      ...(files ? [] : [{ type: 'directory', path: workDir(spec.name), mode: 0o755 } as ImageEntry]),
    ],
  };
  return {
    layers: [
      scripts,
      ...(files ? [{ name: 'files', entries: files.entries }] : []),
      binaryLayer(spec, binary),
    ],
    leftOut: files?.leftOut ?? [],
  };
}
