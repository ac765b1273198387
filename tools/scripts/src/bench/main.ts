import { join } from 'node:path';
import { commandFlags } from '../flags';
import { runComparison } from './comparison';
import { readmeFigures } from './readme-figures';
import { writeSizeChart } from './size-chart-main';
import { comparisonTable } from './report';
import { SECTIONS, parseRounds, parseSections } from './sections';

const root = join(import.meta.dirname, '..', '..', '..', '..');

const HELP = `usage: npm run bench [-- --only=SECTIONS] [-- --rounds=N] [-- --working-tree] [-- --help]

Prints microbox's build figures, measured in this one run (wall clock, on a
shared machine: compare them with each other, not with another run's).

  readme      the workspace as it is: bootstrap, nx run-many -t image,
              greeter's go-build (Nx, and libs/gobuild cold, warm, with the
              article's flags), and the size of every image and basebox part,
              drawn beside the article's as docs/image-sizes.svg (and a table).
  The issue-12 comparison, in a temporary git clone of HEAD (the workspace
  is never modified; see --working-tree), for a one-line Go change to a
  generated service, medians of N interleaved rounds, ratios to \`go build\`:
  nx          nx run <svc>:image with the Nx daemon off (containers, CI) and
              on (laptops); with nothing changed; nx show projects (Nx's own
              start); the Nx cache entry size of the service's layout.
  library     buildServiceImage + loadIntoDaemon, and + pushLayout to a
              Debian docker-registry the bench starts on 127.0.0.1:5590.
  ko          ko build --local and ko build to that registry, on our base
              (ko is go-installed into the tool cache the first time).
  dockerfile  a multi-stage Dockerfile compiling Go inside, through the daemon.
  many        nx run-many -t image over 30 and over 5 generated services,
              nothing changed and one changed.
  \`go build\` alone is always measured: it is what the ratios divide by.

  --only=a,b   the sections to run (default all: ${SECTIONS.join(', ')})
  --rounds=N   rounds of the comparison (default 5; the 30 and 5 services
               take at most 2, the Dockerfile 1: minutes each on 2 cores)
  --working-tree  also take the working tree's uncommitted edits into the
               clone (default: HEAD alone, as committed)

Everything the bench starts is stopped, and every image it tags removed,
even when it fails. The full bench took 40 minutes on 2 busy cores (most
of it the 30 services: generating, building, and run-many over them);
--only=nx,library,ko takes about 5 minutes.`;

async function main(): Promise<void> {
  const flags = commandFlags('bench', ['working-tree'], HELP, 'npm run bench -- --help', ['only', 'rounds']);
  const sections = parseSections(flags.only);
  const rounds = parseRounds(flags.rounds);
  for (const refusal of [sections, rounds].filter((v) => typeof v === 'string')) {
    console.error(`bench: ${refusal}`);
    process.exit(2);
  }
  const chosen = sections as Set<(typeof SECTIONS)[number]>;
  if (chosen.has('readme')) {
    await readmeFigures(root);
    console.log(`\nthe sizes beside the article's, drawn as docs/image-sizes.svg:\n${await writeSizeChart(root)}`);
  }
  if ([...chosen].some((s) => s !== 'readme')) {
    const n = rounds as number;
    console.log(`\nissue 12: a one-line change, medians of ${n} interleaved rounds (${[...chosen].filter((s) => s !== 'readme').join(', ')})`);
    const started = Date.now();
    const result = await runComparison({
      workspace: root,
      sections: chosen,
      rounds: n,
      manyRounds: Math.min(n, 2),
      dockerfileRounds: 1,
      workingTree: flags['working-tree'],
      log: (line) => console.log(`  ${line}`),
    });
    console.log(`\n${comparisonTable(result)}\n`);
    if (typeof result.cacheEntry === 'string') console.log(`Nx cache entry: not found (${result.cacheEntry})`);
    else if (result.cacheEntry) {
      console.log(`Nx cache entry of bench-01:layout (its own layers, not the base's): ${result.cacheEntry.layout} bytes; of bench-01:go-build: ${result.cacheEntry.goBuild} bytes`);
    }
    for (const note of result.notes) console.log(`- ${note}`);
    console.log(`- ${[...(result.samples.get('go') ?? [])].length} rounds in ${((Date.now() - started) / 60000).toFixed(1)} min, ${new Date().toISOString()}`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${(err as Error).message}`);
  process.exit(1);
});
