/** The parts of the bench `--only` picks; `readme` is the workspace's own sizes and go-build times, the rest the issue-12 comparison. */
export const SECTIONS = ['readme', 'nx', 'library', 'ko', 'dockerfile', 'many'] as const;
export type Section = (typeof SECTIONS)[number];

/** `--only=a,b`: the sections named, or a one-line refusal naming the bad value. */
export function parseSections(only: string | undefined): Set<Section> | string {
  if (only === undefined) return new Set(SECTIONS);
  const names = only.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.find((n) => !(SECTIONS as readonly string[]).includes(n));
  if (bad !== undefined || names.length === 0) return `--only=${only}: "${bad ?? ''}" is not a section: use a comma list of ${SECTIONS.join(', ')}`;
  return new Set(names as Section[]);
}

/** `--rounds=N`: 1 to 50, default 5. */
export function parseRounds(rounds: string | undefined): number | string {
  if (rounds === undefined) return 5;
  const n = Number(rounds);
  if (!Number.isInteger(n) || n < 1 || n > 50) return `--rounds=${rounds} is not a whole number from 1 to 50: e.g. --rounds=3`;
  return n;
}
