import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const buildServiceImage = vi.fn();
const writeRecord = vi.fn();
const completeLayout = vi.fn();
const base = { layout: 'dist/images/basebox', tags: ['microbox/basebox:0.1.0'], manifest: { digest: 'sha256:base', platform: { os: 'linux', architecture: 'amd64' } } };
/** The base on linux/amd64 and linux/arm64/v8, as its record says it. */
const twoPlatforms = { ...base, index: { digest: 'sha256:index' }, platforms: { 'linux/arm64/v8': { manifest: { digest: 'sha256:basearm', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } } } } };
vi.mock('../../../../../libs/service-image/src/build', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../../../libs/service-image/src/build')>()),
  buildServiceImage: (...args: unknown[]) => buildServiceImage(...args),
}));
vi.mock('../../../../../libs/image/src/record', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../../../libs/image/src/record')>()),
  readRecord: async (path: string) => (path.endsWith('basebox.json') ? base : path.endsWith('basebox2.json') ? twoPlatforms : undefined),
  writeRecord: (...args: unknown[]) => writeRecord(...args),
  formatMB: (n: number) => `${n} B`,
}));
vi.mock('../../../../../libs/image/src/layout-record', () => ({ completeLayout: (...args: unknown[]) => completeLayout(...args) }));
vi.mock('../../../../../libs/image/src/blob-store', () => ({ BlobStore: { forEnv: () => ({ dir: '/store' }) } }));
const writeServiceSbom = vi.fn(async (..._args: unknown[]) => ({ components: 1, seconds: 0 }));
vi.mock('../../../../../libs/sbom/src/image-sbom', async (importOriginal) => ({
  sbomFileOf: (await importOriginal<typeof import('../../../../../libs/sbom/src/image-sbom')>()).sbomFileOf,
  writeServiceSbom: (...args: unknown[]) => writeServiceSbom(...args),
}));

const { default: executor } = await import('./executor');

let root: string;
const context = () =>
  ({ root, projectName: 'greeter', projectsConfigurations: { version: 2, projects: { greeter: { root: 'apps/greeter' } } } }) as unknown as ExecutorContext;

/** The first bytes of a linux ELF: class 64, little endian, System V ABI, the machine given (62 x86-64, 183 AArch64). */
function elf(machine = 62): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b[5] = 1;
  b.writeUInt16LE(machine, 18);
  return b;
}
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'image-executor-'));
  mkdirSync(join(root, 'apps/greeter/consul'), { recursive: true });
  writeFileSync(join(root, 'apps/greeter/consul/greeter.json.ctmpl'), '{}');
  writeFileSync(join(root, '.gitignore'), 'dist\n');
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'greeter', '--date', '2026-11-28T05:00:00+00:00');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  buildServiceImage.mockReset();
  writeRecord.mockReset();
  completeLayout.mockReset();
});
const baseRecord = 'dist/images/basebox.json';
/** What buildServiceImage gives back: a record of one platform, or of two. */
const built = { manifest: { digest: 'sha256:greeter', platform: { os: 'linux', architecture: 'amd64' } }, tags: ['greeter:latest'], parts: [{ name: 'basebox', digest: 'sha256:base' }], meta: { baseDigest: 'sha256:base' } };
const builtTwo = {
  ...built,
  index: { digest: 'sha256:greeterindex' },
  platforms: { 'linux/arm64/v8': { manifest: { digest: 'sha256:greeterarm', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }, parts: [{ name: 'basebox', digest: 'sha256:basearm' }] } },
};

/** go-build's output: the primary binary, and one more per platform in `others`. */
function goBuildRecord(version = 'abcdef123456', platform = 'linux/amd64', binary = elf(), others: Record<string, Buffer> = {}) {
  mkdirSync(join(root, 'dist/apps/greeter'), { recursive: true });
  writeFileSync(join(root, 'dist/apps/greeter/greeter'), binary);
  const path = (p: string) => `dist/apps/greeter/greeter_${p.replace('/', '_')}`;
  for (const [p, bytes] of Object.entries(others)) writeFileSync(join(root, path(p)), bytes);
  writeFileSync(
    join(root, 'dist/apps/greeter/build.json'),
    JSON.stringify({
      primary: 'dist/apps/greeter/greeter',
      binaries: [platform, ...Object.keys(others)].map((p) => ({ platform: p, path: path(p) })),
      commit: 'abcdef1234567890abcdef1234567890abcdef12',
      commitTime: '2026-11-28T05:00:00+00:00',
      version,
    }),
  );
}

describe('service-layout executor', () => {
  it("builds from go-build's binary, named by the last commit of the image's own inputs, with the commit's time", async () => {
    goBuildRecord();
    const head = git('rev-parse', 'HEAD');
    buildServiceImage.mockResolvedValue(built);
    expect(await executor({ baseRecord, source: 'https://ci:s3cret@example.com/r' }, context())).toEqual({ success: true });
    expect(completeLayout.mock.calls[0]!.slice(0, 1)).toEqual([join(root, 'dist/images/basebox')]);
    expect(buildServiceImage.mock.calls[0]![0]).toMatchObject({
      spec: { name: 'greeter', binary: join(root, 'dist/apps/greeter/greeter'), giveUpCode: 78 },
      base,
      layoutDir: join(root, 'dist/images/greeter'),
      layoutName: 'dist/images/greeter',
      origin: { revision: head, created: git('log', '-1', '--format=%cI'), source: 'https://example.com/r' },
      revisionTag: head.slice(0, 12),
    });
    expect(writeServiceSbom).toHaveBeenLastCalledWith(expect.objectContaining({ layoutDir: join(root, 'dist/images/greeter'), file: join(root, 'dist/images/greeter.cdx.json'), binary: join(root, 'dist/apps/greeter/greeter') }));
    expect(writeRecord).toHaveBeenCalledWith(join(root, 'dist/images/greeter.json'), built);
    expect(existsSync(join(root, 'dist/images/greeter.lock'))).toBe(false);
  });

  it('tags -dirty an image whose inputs are uncommitted, whatever go-build stamped (a project.json edit changes no Go input)', async () => {
    goBuildRecord('abcdef123456');
    writeFileSync(join(root, 'apps/greeter/project.json'), '{"targets":{"layout":{"options":{"env":{"A":"1"}}}}}\n');
    buildServiceImage.mockResolvedValue(built);
    await executor({ baseRecord }, context());
    expect(buildServiceImage.mock.calls[0]![0].revisionTag).toBe(`${git('rev-parse', 'HEAD').slice(0, 12)}-dirty`);
  });

  it.each([
    { platform: 'linux/arm64', binary: elf(183), says: 'greeter is built for linux/arm64 (go-build\'s goos/goarch) but its base microbox/basebox:0.1.0 is linux/amd64 only: set goos linux and goarch amd64' },
    { platform: 'darwin/amd64', binary: Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]), says: 'greeter is built for darwin/amd64' },
    { platform: 'linux/amd64', binary: Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]), says: 'the binary of greeter at dist/apps/greeter/greeter cannot run in a linux/amd64 image: it is a Mach-O binary, not a Linux ELF' },
  ])('refuses a $platform binary the base cannot run, writing nothing', async ({ platform, binary, says }) => {
    goBuildRecord('abcdef123456', platform, binary);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await executor({ baseRecord }, context())).toEqual({ success: false });
    expect(error.mock.calls[0]![0]).toContain(`greeter:layout: ${says}`);
    expect(buildServiceImage).not.toHaveBeenCalled();
    expect(writeRecord).not.toHaveBeenCalled();
    error.mockRestore();
  });

  it("builds every platform the base has from go-build's binary for it, with an SBOM each, inheriting from the base's image of that platform", async () => {
    goBuildRecord('abcdef123456', 'linux/amd64', elf(), { 'linux/arm64': elf(183) });
    mkdirSync(join(root, 'dist/images'), { recursive: true });
    writeFileSync(join(root, 'dist/images/greeter.linux-s390x.cdx.json'), '{}');
    buildServiceImage.mockResolvedValue(builtTwo);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await executor({ baseRecord: 'dist/images/basebox2.json' }, context())).toEqual({ success: true });
    expect(buildServiceImage.mock.calls[0]![0].binaries).toEqual({
      'linux/amd64': join(root, 'dist/apps/greeter/greeter'),
      'linux/arm64': join(root, 'dist/apps/greeter/greeter_linux_arm64'),
    });
    expect(writeServiceSbom.mock.calls.slice(-2).map(([o]) => o)).toEqual([
      expect.objectContaining({ file: join(root, 'dist/images/greeter.cdx.json'), binary: join(root, 'dist/apps/greeter/greeter'), record: expect.objectContaining({ manifest: builtTwo.manifest, meta: { baseDigest: 'sha256:base' } }) }),
      expect.objectContaining({
        file: join(root, 'dist/images/greeter.linux-arm64-v8.cdx.json'),
        binary: join(root, 'dist/apps/greeter/greeter_linux_arm64'),
        record: expect.objectContaining({ manifest: builtTwo.platforms['linux/arm64/v8'].manifest, meta: { baseDigest: 'sha256:basearm' } }),
      }),
    ]);
    // An SBOM of a platform this build has not is gone: it would describe an image the record no longer names.
    expect(existsSync(join(root, 'dist/images/greeter.linux-s390x.cdx.json'))).toBe(false);
    expect(log.mock.calls.map(([l]) => l)).toEqual(expect.arrayContaining(['  linux/amd64', '  linux/arm64/v8']));
    log.mockRestore();
  });

  it.each<{ what: string; others: Record<string, Buffer>; listed?: string[]; says: string }>([
    { what: 'an arm64 binary that is an amd64 ELF', others: { 'linux/arm64': elf(62) }, says: 'the binary of greeter at dist/apps/greeter/greeter_linux_arm64 cannot run in a linux/arm64 image: its ELF machine is 62 (amd64), not 183 (arm64); run `nx run greeter:go-build --skip-nx-cache`' },
    { what: 'an arm64 binary that is missing', others: {}, listed: ['linux/arm64'], says: 'the linux/arm64 binary of greeter is missing at dist/apps/greeter/greeter_linux_arm64: run `nx run greeter:go-build --skip-nx-cache`' },
  ])('refuses $what on a base of two platforms, writing nothing', async ({ others, listed, says }) => {
    goBuildRecord('abcdef123456', 'linux/amd64', elf(), others);
    if (listed) {
      const record = JSON.parse(readFileSync(join(root, 'dist/apps/greeter/build.json'), 'utf8'));
      record.binaries.push(...listed.map((p) => ({ platform: p, path: `dist/apps/greeter/greeter_${p.replace('/', '_')}` })));
      writeFileSync(join(root, 'dist/apps/greeter/build.json'), JSON.stringify(record));
    }
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await executor({ baseRecord: 'dist/images/basebox2.json' }, context())).toEqual({ success: false });
    expect(error.mock.calls[0]![0]).toBe(`greeter:layout: ${says}`);
    expect(buildServiceImage).not.toHaveBeenCalled();
    expect(writeRecord).not.toHaveBeenCalled();
    error.mockRestore();
  });

  it('refuses an arm64 primary binary on a base of two platforms: the image is linux/amd64 first', async () => {
    goBuildRecord('abcdef123456', 'linux/arm64', elf(183));
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await executor({ baseRecord: 'dist/images/basebox2.json' }, context())).toEqual({ success: false });
    expect(error.mock.calls[0]![0]).toContain(
      "greeter is built for linux/arm64 (go-build's goos/goarch) but its base microbox/basebox:0.1.0 is linux/amd64 first (linux/amd64, linux/arm64/v8): set goos linux and goarch amd64",
    );
    expect(buildServiceImage).not.toHaveBeenCalled();
    error.mockRestore();
  });

  it('says to run go-build when its record is missing, and builds nothing', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await executor({ baseRecord }, context())).toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('greeter:layout: no go-build record at dist/apps/greeter/build.json: run `nx run greeter:go-build` first');
    expect(buildServiceImage).not.toHaveBeenCalled();
    error.mockRestore();
  });

  it('says to build the base first when its record is missing, and writes no record', async () => {
    goBuildRecord();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await executor({ baseRecord: 'dist/images/none.json' }, context())).toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('greeter:layout: the base image of greeter is not built (no record at dist/images/none.json): run `nx run basebox:layout` first');
    expect(writeRecord).not.toHaveBeenCalled();
    error.mockRestore();
  });

  it('refuses a bad option on one line, naming it', async () => {
    goBuildRecord();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await executor({ baseRecord, giveUpCode: 300 }, context())).toEqual({ success: false });
    expect(error.mock.calls[0]![0]).toMatch(/^greeter:layout: giveUpCode 300 cannot be an exit code of its own/);
    expect(await executor({ baseRecord, templates: [{ source: 'consul/greeter.json.ctmpl', destination: '/etc/greeter.json' }] }, context())).toEqual({ success: false });
    expect(error.mock.calls[1]![0]).toMatch(/renders to "\/etc\/greeter\.json" \(\/etc\/greeter\.json\), outside the folders it may write: render under \/run\/greeter\/ or \/tmp\//);
    expect(buildServiceImage).not.toHaveBeenCalled();
    error.mockRestore();
  });
});
