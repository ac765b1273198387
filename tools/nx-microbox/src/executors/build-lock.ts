import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** How long a build waits for another build of the same image before giving up. */
const WAIT_MS = 10 * 60_000;
const POLL_MS = 100;

function holder(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding `file` (created with O_EXCL, holding this pid), so two
 * builds of one image in one workspace run one after the other: each writes
 * its layout and record, or reads the record and moves the tags, whole. A
 * lock whose process is gone (killed mid-build) is taken over; one that is
 * still held after ten minutes is an error naming the pid and the file.
 */
export async function withBuildLock<T>(file: string, what: string, fn: () => Promise<T>, log: (line: string) => void = console.log): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  const started = Date.now();
  let said = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = holder(file);
    if (pid === undefined || !alive(pid)) {
      // Gone without unlocking (or caught between create and write: then it is young, wait a moment).
      if (pid !== undefined || Date.now() - started > 2_000) rmSync(file, { force: true });
    } else if (Date.now() - started > WAIT_MS) {
      throw new Error(`another build of ${what} (pid ${pid}) has held ${file} for more than ${WAIT_MS / 60_000} minutes: wait for it, or stop it`);
    } else if (!said) {
      log(`${what}: waiting for another build of it (pid ${pid}) to finish`);
      said = true;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    return await fn();
  } finally {
    if (holder(file) === process.pid) rmSync(file, { force: true });
  }
}
