import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readElfLinkage } from '../../../libs/elf/src/elf';
import { tarEntries, type TarEntry } from '../../../libs/image/src/tar-entries';
import { Stack } from '../../../libs/stack/src/stack';
import { readLayout } from '../../../libs/image/src/layout';
import { readRecord, taggedDescriptor } from '../../../libs/image/src/record';
import { GREETER_IMAGE, greeterRecord, requireGreeterImage } from './greeter-stack';

/** A container's filesystem, path to entry (content for files under 1 MB). */
async function filesOf(container: Docker.Container): Promise<Map<string, TarEntry>> {
  return new Map((await tarEntries(await container.export())).map((e) => [e.path, e]));
}

async function readFileFrom(container: Docker.Container, path: string): Promise<Buffer> {
  const [entry] = await tarEntries(await container.getArchive({ path }), Infinity);
  if (!entry?.content) throw new Error(`${path} is not a file in the container`);
  return entry.content;
}

const SECRET_NAME = /(secret|password|passwd|token|private|credential|api[_-]?key|access[_-]?key)/i;

describe('the greeter image', () => {
  let stack: Stack;
  let container: Docker.Container;
  let files: Map<string, TarEntry>;
  beforeAll(async () => {
    stack = await Stack.up('e2e-greeter-image');
    await requireGreeterImage(stack);
    // Created, never started: its filesystem is the image's.
    container = await stack.engine.docker.createContainer({ Image: GREETER_IMAGE, Labels: { 'dev.microbox.owner': stack.owner } });
    files = await filesOf(container);
  });
  afterAll(async () => stack?.down());

  it('carries a static binary', async () => {
    const elf = readElfLinkage(await readFileFrom(container, '/usr/local/bin/greeter'));
    expect(elf.isStatic).toBe(true);
    expect(elf.needed).toEqual([]);
  });

  it('holds no compiler and no package manager', () => {
    const tools = ['apt', 'apt-get', 'dpkg', 'apk', 'yum', 'rpm', 'gcc', 'cc', 'c++', 'ld', 'as', 'go', 'make', 'pip', 'npm'];
    const found = [...files.keys()].filter((p) => tools.includes(p.split('/').pop()!) || /^\/(var\/lib\/dpkg|lib\/apk|usr\/lib\/gcc|usr\/local\/go)(\/|$)/.test(p));
    expect(found).toEqual([]);
    // It does have the shell and tools for debugging, and its own programs.
    expect(files.has('/bin/sh')).toBe(true);
    expect(files.has('/usr/bin/consul-template')).toBe(true);
  });

  it('has no secret in its files, environment or history', async () => {
    const secretFiles = [...files.keys()].filter((p) => /(\/\.ssh\/|\/\.netrc$|\/\.git-credentials$|\/\.docker\/config\.json$|\/\.aws\/|id_rsa|id_ed25519)/.test(p));
    expect(secretFiles).toEqual([]);
    const privateKeys = [...files.entries()].filter(([, f]) => f.content?.includes('PRIVATE KEY-----')).map(([p]) => p);
    expect(privateKeys).toEqual([]);

    const inspect = await stack.engine.docker.getImage(GREETER_IMAGE).inspect();
    const envNames = (inspect.Config.Env ?? []).map((e) => e.split('=')[0]);
    expect(envNames.filter((n) => SECRET_NAME.test(n))).toEqual([]);
    const history = (await stack.engine.docker.getImage(GREETER_IMAGE).history()) as { CreatedBy: string }[];
    expect(history.length).toBeGreaterThan(0);
    expect(history.map((h) => h.CreatedBy).filter((c) => SECRET_NAME.test(c))).toEqual([]);
  });

  it('is labelled with where it came from, from the commit and not the clock', async () => {
    const labels = (await stack.engine.docker.getImage(GREETER_IMAGE).inspect()).Config.Labels ?? {};
    expect(labels['org.opencontainers.image.title']).toBe('greeter');
    expect(labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}$/);
    expect(labels['org.opencontainers.image.created']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    const base = (await readRecord(new URL('../../../dist/images/basebox.json', import.meta.url).pathname))!;
    expect(labels['org.opencontainers.image.base.digest']).toBe(base.manifest.digest);
    expect(labels['org.opencontainers.image.base.name']).toBe(base.tags[0]);
  });

  it('is in the daemon as its layout and record say: the same image id (the config digest)', async () => {
    const record = await greeterRecord();
    expect((await stack.engine.docker.getImage(GREETER_IMAGE).inspect()).Id).toBe(record.id);
    const layout = await readLayout(new URL(`../../../${record.layout}`, import.meta.url).pathname);
    // The tag names the index over greeter's platforms; the daemon holds its own platform's image of it.
    expect(layout.find(GREETER_IMAGE)?.digest).toBe(taggedDescriptor(record).digest);
  });
});
