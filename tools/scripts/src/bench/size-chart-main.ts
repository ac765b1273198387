// `node tools/scripts/run-ts.mjs tools/scripts/src/bench/size-chart-main.ts`:
// the image sizes beside the article's as docs/image-sizes.svg, and the same
// figures as a markdown table on stdout, from the records under dist/images.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARTICLE_BARS, ourBars, readImageRecords, sizeChartSvg, sizeTable } from './size-chart';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Writes the chart and returns the table; the records must be there (`nx run-many -t layout`). */
export async function writeSizeChart(workspace = root): Promise<string> {
  const { base, services } = await readImageRecords(join(workspace, 'dist/images'));
  const bars = [...ARTICLE_BARS, ...ourBars(base, services)];
  const file = join(workspace, 'docs/image-sizes.svg');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, sizeChartSvg(bars));
  return sizeTable(bars);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(await writeSizeChart());
    console.log('chart written to docs/image-sizes.svg');
  } catch (err) {
    console.error(`size chart: ${(err as Error).message}`);
    process.exit(1);
  }
}
