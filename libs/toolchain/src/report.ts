/** One line per thing the bootstrap checks, so a log reads as a checklist. */
export class BootstrapError extends Error {
  constructor(
    readonly check: string,
    message: string,
  ) {
    super(message);
    this.name = 'BootstrapError';
  }
}

// The longest check name, "consul-template arm64", fits: the details line up.
export const CHECK_WIDTH = 21;

export function ok(check: string, detail: string): void {
  console.log(`ok    ${check.padEnd(CHECK_WIDTH)} ${detail}`);
}

export function progress(check: string, detail: string): void {
  console.log(`..    ${check.padEnd(CHECK_WIDTH)} ${detail}`);
}

export function fail(check: string, message: string): never {
  throw new BootstrapError(check, message);
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}
