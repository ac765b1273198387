import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findGo } from '../../gobuild/src/find-go';
import { BlobStore } from '../src/blob-store';
import { writeImage } from '../src/image';
import { buildLayer } from '../src/layer';
import { writeLayout } from '../src/layout';

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };
const CREATED = '2026-01-01T00:00:00Z';

/**
 * A runnable image in an OCI layout under `dir`/layout: a static Go program
 * (CGO_ENABLED=0) that prints `message`, alone in one layer, written with
 * the image library. Two ref.names: `latest`, and `shared`, another config
 * (one more env) over the same layer, for mounts.
 */
export async function writeHelloLayout(dir: string, message: string): Promise<{ layoutDir: string }> {
  const architecture = GOARCH[process.arch];
  if (!architecture) throw new Error(`no Go architecture for ${process.arch}: run the test on amd64 or arm64`);
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'main.go'), 'package main\n\nimport "fmt"\n\nvar message = "unset"\n\nfunc main() { fmt.Println(message) }\n');
  const go = findGo();
  execFileSync(go.path, ['build', '-trimpath', '-ldflags', `-s -w -X 'main.message=${message}'`, '-o', join(src, 'hello'), 'main.go'], {
    cwd: src,
    env: { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOARCH: architecture, GOFLAGS: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const store = new BlobStore(join(dir, 'store'));
  const layer = await buildLayer(store, [{ type: 'file', path: 'hello', content: readFileSync(join(src, 'hello')), mode: 0o755 }], { mtime: new Date(CREATED) });
  const config = { platform: { os: 'linux', architecture }, created: CREATED, entrypoint: ['/hello'] };
  const latest = await writeImage(store, { layers: [layer], config, history: ['hello'] });
  const shared = await writeImage(store, { layers: [layer], config: { ...config, env: { SHARED: '1' } }, history: ['hello'] });
  const layoutDir = join(dir, 'layout');
  await writeLayout(layoutDir, store, [
    { descriptor: latest.manifest, tags: ['latest'] },
    { descriptor: shared.manifest, tags: ['shared'] },
  ]);
  return { layoutDir };
}
