import type { ComparisonResult } from './comparison';
import { markdownTable, summarise, type Summary } from './stats';

interface Row {
  key: string;
  label: string;
  /** The issue's target for this figure, and whether the medians meet it. */
  target?: (s: (key: string) => Summary | undefined) => string | undefined;
}

const fmt = (n: number) => n.toFixed(2);
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

const ROWS: Row[] = [
  { key: 'go', label: '`go build` alone (CGO_ENABLED=0 -trimpath -ldflags "-s -w -buildid=")' },
  {
    key: 'nx-off',
    label: '`nx run <svc>:image`, Nx daemon OFF (containers, CI: NX_DAEMON=false)',
    target: (s) => {
      const ko = s('ko-local');
      const own = s('nx-off');
      return ko && own ? `no slower than ko --local (${fmt(ko.median)} s): ${verdict(own.median <= ko.median)}` : 'no slower than ko --local';
    },
  },
  {
    key: 'nx-on',
    label: '`nx run <svc>:image`, Nx daemon ON (a laptop: NX_DAEMON=true)',
    target: (s) => {
      const ko = s('ko-local');
      const own = s('nx-on');
      return ko && own ? `no slower than ko --local (${fmt(ko.median)} s): ${verdict(own.median <= ko.median)}` : 'no slower than ko --local';
    },
  },
  { key: 'lib-load', label: 'library: go build + buildServiceImage + loadIntoDaemon (in process)' },
  {
    key: 'lib-load-added',
    label: '-> its library part: image + daemon load (after go build)',
    target: (s) => {
      const a = s('lib-load-added');
      return a ? `adds at most 0.30 s to go build: ${verdict(a.median <= 0.3)}` : 'adds at most 0.30 s';
    },
  },
  { key: 'lib-load-image', label: '-> of which buildServiceImage (layers, config, layout)' },
  { key: 'lib-push', label: 'library: go build + buildServiceImage + pushLayout (registry, no daemon)' },
  {
    key: 'lib-push-added',
    label: '-> its library part: image + push (after go build)',
    target: (s) => {
      const a = s('lib-push-added');
      return a ? `adds at most 0.50 s to go build: ${verdict(a.median <= 0.5)}` : 'adds at most 0.50 s';
    },
  },
  { key: 'lib-push-image', label: '-> of which buildServiceImage (layers, config, layout)' },
  { key: 'ko-local', label: '`ko build --local` (into the daemon), our base' },
  { key: 'ko-push', label: '`ko build` to the registry, our base' },
  { key: 'dockerfile', label: 'multi-stage Dockerfile compiling Go inside (`docker build`)' },
  {
    key: 'nx-noop-off',
    label: '`nx run <svc>:image`, nothing changed, Nx daemon OFF',
    target: (s) => {
      const g = s('nx-graph');
      const own = s('nx-noop-off');
      return g && own ? `no more than Nx's own start (${fmt(g.median)} s): ${verdict(own.median <= g.median)}` : "no more than Nx's own start";
    },
  },
  { key: 'nx-noop-on', label: '`nx run <svc>:image`, nothing changed, Nx daemon ON' },
  { key: 'nx-graph', label: "Nx's own start: `nx show projects` (graph), daemon OFF" },
  { key: 'many30-noop', label: '`nx run-many -t image`, 30 services, nothing changed (daemon OFF)' },
  { key: 'many5-noop', label: '`nx run-many -t image`, 5 services, nothing changed (daemon OFF)' },
  { key: 'many5-one', label: '`nx run-many -t image`, 5 services, one changed (daemon OFF)' },
  {
    key: 'many30-one',
    label: '`nx run-many -t image`, 30 services, one changed (daemon OFF)',
    target: (s) => {
      const five = s('many5-one');
      const thirty = s('many30-one');
      return five && thirty ? `within 10 % of one of 5: ${((thirty.median / five.median - 1) * 100).toFixed(0)} %, ${verdict(thirty.median <= five.median * 1.1)}` : 'within 10 % of one of 5';
    },
  },
];

/** The comparison as a markdown table: median, min-max, ratio to `go build`, and the issue's target. */
export function comparisonTable(result: ComparisonResult): string {
  const s = (key: string) => summarise(result.samples.get(key) ?? []);
  const go = s('go');
  const rows = ROWS.flatMap((row) => {
    const sum = s(row.key);
    const why = result.skipped.get(row.key);
    if (!sum && !why) return [];
    const target = row.target?.(s) ?? '';
    if (!sum) return [[row.label, 'not measured', '', '', `${why}${target ? `; target: ${target}` : ''}`]];
    const ratio = go ? `${(sum.median / go.median).toFixed(1)}x` : '';
    return [[row.label, `${fmt(sum.median)} s`, `${fmt(sum.min)}-${fmt(sum.max)} (n=${sum.rounds})`, ratio, target]];
  });
  return markdownTable(['measurement (one-line change unless said)', 'median', 'min-max s', 'x go build', 'issue target'], rows);
}
