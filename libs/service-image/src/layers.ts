import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ImageEntry } from '../../image/src/entries';
import { consulTemplateConfig, templateInImage } from './consul-template-config';
import { binaryPath, CONSUL_TEMPLATE_CONFIG, defaultServiceFiles, S6_TREE, type ServiceFile } from './s6-services';
import type { ServiceSpec } from './service-spec';

/** Files under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * The service's s6 dirs: the library's defaults, with any file of the same
 * path under `<service folder>/s6/` taking its place, and other files there
 * (a `timeout-kill`, a `down`, another service dir) added. Files are read as
 * bytes: an override is shipped exactly as it is in the repository.
 */
export function serviceFiles(spec: ServiceSpec, serviceDir: string): { files: ServiceFile[]; overridden: string[] } {
  const byPath = new Map(defaultServiceFiles(spec).map((f) => [f.path, f]));
  const overridden: string[] = [];
  const s6Dir = join(serviceDir, 's6');
  for (const path of filesUnder(s6Dir)) {
    const abs = join(s6Dir, path);
    if (byPath.has(path)) overridden.push(path);
    // Scripts keep the mode they have in the repository, so a run script that is not executable stays visible as such.
    byPath.set(path, { path, content: readFileSync(abs), mode: statSync(abs).mode & 0o777 });
  }
  return { files: [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path)), overridden };
}

/** A layer of the service's own, named for the build record. */
export interface ServiceLayer {
  name: string;
  entries: ImageEntry[];
}

/**
 * The layers the service adds above the base, bottom first: the scripts and
 * templates change less often than the binary, so they are the lower layer,
 * and a code change rewrites only the binary's.
 */
export function serviceLayers(spec: ServiceSpec, serviceDir: string, binary: Buffer): ServiceLayer[] {
  const { files } = serviceFiles(spec, serviceDir);
  return [
    {
      name: 's6 scripts, templates',
      entries: [
        ...files.map((f): ImageEntry => ({ type: 'file', path: `${S6_TREE}/${f.path}`, content: f.content, mode: f.mode })),
        { type: 'file', path: CONSUL_TEMPLATE_CONFIG, content: consulTemplateConfig(spec), mode: 0o644 },
        ...spec.templates.map((t): ImageEntry => ({ type: 'file', path: templateInImage(t), content: readFileSync(join(serviceDir, t.source)), mode: 0o644 })),
      ],
    },
    { name: 'binary', entries: [{ type: 'file', path: binaryPath(spec), content: binary, mode: 0o755 }] },
  ];
}
