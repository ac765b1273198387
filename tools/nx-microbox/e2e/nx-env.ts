import { join } from 'node:path';

/**
 * The environment a test's nx runs in a temporary workspace: no daemon, no
 * cloud, no prompts, plain output. Nx 23 keeps its cache and task database in
 * ~/.nx/<workspace id>/, shared by every clone of one repository: the
 * workspace's own, inside it, is removed with it and serves no other run.
 */
export function isolatedNxEnv(dir: string): NodeJS.ProcessEnv {
  // What an Nx task passes its children (NX_INVOCATION_ROOT_PID above all: two
  // nx runs started side by side under one would take each other for a loop)
  // belongs to the Nx that runs this test, not to the workspace's own nx.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NX_') && name !== 'LERNA_PACKAGE_NAME'));
  return {
    ...inherited,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_INTERACTIVE: 'false',
    CI: 'true',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    NX_CACHE_DIRECTORY: join(dir, '.nx', 'cache'),
    NX_WORKSPACE_DATA_DIRECTORY: join(dir, '.nx', 'workspace-data'),
  };
}
