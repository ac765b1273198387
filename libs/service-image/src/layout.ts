import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ContextEntry } from '../../image/src/context';
import { consulTemplateConfig, templateInImage } from './consul-template-config';
import { CONSUL_TEMPLATE_CONFIG, defaultServiceFiles, S6_TREE, type ServiceFile } from './s6-services';
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
 * (a `timeout-kill`, a `down`, another service dir) added.
 */
export function serviceFiles(spec: ServiceSpec, serviceDir: string): { files: ServiceFile[]; overridden: string[] } {
  const byPath = new Map(defaultServiceFiles(spec).map((f) => [f.path, f]));
  const overridden: string[] = [];
  const s6Dir = join(serviceDir, 's6');
  for (const path of filesUnder(s6Dir)) {
    const abs = join(s6Dir, path);
    if (byPath.has(path)) overridden.push(path);
    // Scripts keep the mode they have in the repository, so a run script that is not executable stays visible as such.
    byPath.set(path, { path, content: readFileSync(abs, 'utf8'), mode: statSync(abs).mode & 0o777 });
  }
  return { files: [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path)), overridden };
}

/** What goes into the image above the base: rootfs/ (scripts, templates, config), then the binary in a layer of its own. */
export function serviceEntries(spec: ServiceSpec, serviceDir: string, binary: Buffer): ContextEntry[] {
  const { files } = serviceFiles(spec, serviceDir);
  return [
    ...files.map((f): ContextEntry => ({ type: 'file', path: `rootfs${S6_TREE}/${f.path}`, content: f.content, mode: f.mode })),
    { type: 'file', path: `rootfs${CONSUL_TEMPLATE_CONFIG}`, content: consulTemplateConfig(spec) },
    ...spec.templates.map(
      (t): ContextEntry => ({ type: 'file', path: `rootfs${templateInImage(t)}`, content: readFileSync(join(serviceDir, t.source)) }),
    ),
    { type: 'file', path: `bin/${spec.name}`, content: binary, mode: 0o755 },
  ];
}
