import { join } from 'node:path';
import { $ } from 'zx';
import { formatMB, readRecord } from '../../../../libs/image/src/record';
import { ARTICLE_MB } from '../demo/article';
import { goBuildTimes } from './go-build-times';

async function timed(label: string, work: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await work();
  const s = (Date.now() - started) / 1000;
  console.log(`  ${label.padEnd(44)} ${s.toFixed(1).padStart(6)} s`);
  return s;
}

/**
 * Sizes and build times of the workspace as it is, printed: the figures the
 * README quotes. Sizes come from the build records; times are wall clock in
 * this one run, so compare them with each other, not with another run's.
 */
export async function readmeFigures(root: string): Promise<void> {
  const nx = (args: string[]) => $({ cwd: root, quiet: true, env: { ...process.env, NX_DAEMON: 'false' } })`npx nx ${args}`;
  console.log('build times (wall clock, this run)');
  await timed('bootstrap, everything in place', () => $({ cwd: root, quiet: true })`node tools/scripts/bootstrap.mjs`);
  await timed('nx run-many -t image (as the workspace is)', () => nx(['run-many', '-t', 'image', '--outputStyle=stream']));
  await timed('nx run-many -t image (nothing changed)', () => nx(['run-many', '-t', 'image', '--outputStyle=stream']));
  await timed('nx run greeter:go-build, Nx cache hit', () => nx(['run', 'greeter:go-build']));
  await timed('nx run greeter:go-build --skip-nx-cache', () => nx(['run', 'greeter:go-build', '--skip-nx-cache']));

  console.log('\ngo-build of greeter (libs/gobuild, its own Go build cache)');
  const times = await goBuildTimes(root, 'apps/greeter');
  for (const t of times) console.log(`  ${t.label.padEnd(44)} ${t.seconds.toFixed(2).padStart(6)} s  ${formatMB(t.bytes)}  sha256 ${t.sha256.slice(0, 12)}`);
  const same = new Set(times.map((t) => t.sha256)).size === 1;
  console.log(`  same bytes every way: ${same ? 'yes' : 'NO'}; the article's flags cost ${(times[2].seconds / times[1].seconds).toFixed(0)}x a warm build`);

  console.log('\nsizes (uncompressed as the daemon reports; gzipped layers summed)');
  const base = await readRecord(join(root, 'dist/images/basebox.json'));
  if (!base) throw new Error('no dist/images/basebox.json: the image build above failed');
  for (const p of base.parts) console.log(`  basebox ${p.name.padEnd(20)} ${formatMB(p.bytes).padStart(10)}  gzipped ${formatMB(p.gzipBytes ?? 0)}`);
  const ct = base.parts.find((p) => p.name === 'consul-template')?.bytes ?? 0;
  console.log(`  basebox total                ${formatMB(base.size).padStart(10)}  gzipped ${formatMB(base.gzipSize)}  (article: ${ARTICLE_MB.basebox} MB)`);
  console.log(`  basebox around consul-template ${formatMB(base.size - ct).padStart(8)}  (article: Alpine and s6 about ${ARTICLE_MB.aroundConsulTemplate} MB)`);
  for (const svc of ['greeter', 'gateway']) {
    const r = await readRecord(join(root, `dist/images/${svc}.json`));
    if (!r) continue;
    const own = r.parts.filter((p) => p.name !== 'basebox').reduce((sum, p) => sum + p.bytes, 0);
    console.log(`  ${svc.padEnd(28)} ${formatMB(r.size).padStart(10)}  gzipped ${formatMB(r.gzipSize)}  own layers ${formatMB(own)}  (article: a service about ${ARTICLE_MB.service} MB)`);
  }
}
