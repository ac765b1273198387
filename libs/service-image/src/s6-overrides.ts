import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The files s6 runs in a service dir; without an execute bit s6 cannot run them, silently. */
const S6_PROGRAMS = new Set(['run', 'finish']);

/**
 * Refuses a `run` or `finish` under the service's `s6/` folder that has no
 * execute bit, naming it and the fix: s6-supervise cannot exec it, so a
 * `finish` 0644 silently turns off the crash-loop guard and a `run` 0644
 * retries every 10 s for ever in a container that looks running.
 */
export function checkS6Overrides(service: string, serviceDir: string): void {
  const s6Dir = join(serviceDir, 's6');
  if (!existsSync(s6Dir)) return;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (S6_PROGRAMS.has(entry.name)) {
        const mode = statSync(path).mode & 0o777;
        if ((mode & 0o111) === 0) {
          throw new Error(
            `s6 script ${relative(serviceDir, path)} of ${service} is not executable (mode ${mode.toString(8).padStart(4, '0')}): s6 cannot run it; make it executable with \`chmod +x ${path}\` (git keeps the bit) and build again`,
          );
        }
      }
    }
  };
  walk(s6Dir);
}
