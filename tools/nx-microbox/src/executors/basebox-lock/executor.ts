import { isAbsolute, join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { KEYRING_DIR } from '../../../../../libs/basebox/src/debian/keyring';
import { refreshLock } from '../../../../../libs/basebox/src/refresh-lock';

export interface BaseboxLockOptions {
  lockFile?: string;
}

/** `nx run basebox:lock`: refreshes the lock file in place from Debian's signed archive; the library reports what changed. */
export default async function baseboxLockExecutor(options: BaseboxLockOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const lockFile = options.lockFile ?? 'libs/basebox/debian.lock.json';
  try {
    await refreshLock({ lockFile: isAbsolute(lockFile) ? lockFile : join(context.root, lockFile), keyringDir: join(context.root, KEYRING_DIR) });
    return { success: true };
  } catch (err) {
    console.error(`basebox:lock: ${(err as Error).message}`);
    return { success: false };
  }
}
