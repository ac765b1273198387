import { isAbsolute, join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { debCacheDir } from '../../../../../libs/basebox/src/debs';
import { refreshLock } from '../../../../../libs/basebox/src/refresh-lock';

export interface BaseboxLockOptions {
  lockFile?: string;
}

/** `nx run basebox:lock`: refreshes the lock file in place. */
export default async function baseboxLockExecutor(options: BaseboxLockOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const lockFile = options.lockFile ?? 'libs/basebox/debian.lock.json';
  try {
    await refreshLock(isAbsolute(lockFile) ? lockFile : join(context.root, lockFile), debCacheDir());
    return { success: true };
  } catch (err) {
    console.error(`basebox:lock: ${(err as Error).message}`);
    return { success: false };
  }
}
