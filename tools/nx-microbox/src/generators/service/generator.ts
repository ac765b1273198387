import { join } from 'node:path';
import { generateFiles, getProjects, type Tree, writeJson } from '@nx/devkit';
import { checkServiceName } from '../../../../../libs/service-image/src/service-spec';

export interface ServiceGeneratorOptions {
  name: string;
  reload?: 'reload' | 'restart';
}

/** The names a new service must not take: every project.json project, and every folder that becomes a Go project. */
function takenBy(tree: Tree, name: string): string | undefined {
  if (tree.exists(`apps/${name}`)) return `apps/${name} exists already`;
  if (name.startsWith('go-') && tree.exists(`libs/go/${name.slice(3)}`)) return `the Go package libs/go/${name.slice(3)} is the project ${name}`;
  for (const [projectName, project] of getProjects(tree)) {
    if (projectName === name) return `the project ${name} exists already at ${project.root}`;
  }
  return undefined;
}

/**
 * `nx g @microbox/nx-microbox:service <name>`: a Go service that builds and
 * runs at once. Nothing registers it: the plugin infers its targets from its
 * Go files. Refuses a bad or taken name before writing anything.
 */
export default async function serviceGenerator(tree: Tree, options: ServiceGeneratorOptions): Promise<void> {
  const name = options.name?.trim() ?? '';
  try {
    checkServiceName(name);
  } catch (err) {
    throw new Error(`${(err as Error).message}; nothing was written`);
  }
  const taken = takenBy(tree, name);
  if (taken) throw new Error(`cannot add service "${name}": ${taken}: pick another name; nothing was written`);
  const reload = options.reload ?? 'reload';
  if (reload !== 'reload' && reload !== 'restart') throw new Error(`--reload=${reload} is not a choice: use reload (s6-svc -h) or restart (s6-svc -r)`);

  const root = `apps/${name}`;
  generateFiles(tree, join(__dirname, 'files'), root, {
    name,
    reload,
    defaultMessage: `Hello from ${name}`,
    tmpl: '',
  });
  // The action is said even when it is reload: the library's default is restart, and this app handles SIGHUP.
  // No "name": the plugin names the project after its folder, so a copy of this folder is a project of its own.
  writeJson(tree, `${root}/project.json`, {
    $schema: '../../node_modules/nx/schemas/project-schema.json',
    targets: { layout: { options: { templates: [{ source: 'consul/config.json.ctmpl', reload }] } } },
  });
}
