import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Nx's folder for what plugins keep between graph computations (`.nx/workspace-data` unless set). */
export function workspaceDataDir(workspaceRoot: string): string {
  return process.env.NX_WORKSPACE_DATA_DIRECTORY ?? join(workspaceRoot, '.nx', 'workspace-data');
}

/**
 * Values computed from files, keyed by a hash of those files, kept in memory
 * (the daemon's plugin worker lives on) and in one JSON file in the workspace
 * data folder (for runs without the daemon). A save keeps only the keys used
 * since the last one, so entries of files that changed do not pile up.
 */
export class WorkspaceDataCache<T> {
  private entries = new Map<string, T>();
  private used = new Set<string>();
  private computed = 0;
  private loadedFrom: string | undefined;

  constructor(
    private readonly fileName: string,
    /** Changes when the shape of a value or the code computing it changes, so older files are ignored. */
    private readonly version: number | string,
  ) {}

  private path(workspaceRoot: string): string {
    return join(workspaceDataDir(workspaceRoot), this.fileName);
  }

  /**
   * The value for `key`, computed (and remembered) when it is not known yet.
   * Handed out as a copy, so what a caller (or Nx) does to it stays out of the cache.
   */
  get(workspaceRoot: string, key: string, compute: () => T): T {
    this.load(this.path(workspaceRoot));
    this.used.add(key);
    if (!this.entries.has(key)) {
      this.entries.set(key, compute());
      this.computed++;
    }
    return structuredClone(this.entries.get(key)!);
  }

  /** How many values were computed rather than found since the last save. */
  get misses(): number {
    return this.computed;
  }

  /** Writes the values used since the last save, when one of them was new; forgets the rest. */
  save(workspaceRoot: string): void {
    const file = this.path(workspaceRoot);
    if (this.computed > 0) {
      const live: Record<string, T> = {};
      for (const key of this.used) if (this.entries.has(key)) live[key] = this.entries.get(key)!;
      this.entries = new Map(Object.entries(live));
      try {
        mkdirSync(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ version: this.version, entries: live }));
        renameSync(tmp, file);
      } catch {
        // an optimisation only: the next computation infers again
      }
    }
    this.used.clear();
    this.computed = 0;
  }

  private load(file: string): void {
    if (this.loadedFrom === file) return;
    this.loadedFrom = file;
    this.entries.clear();
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { version: number | string; entries: Record<string, T> };
      if (data.version === this.version) this.entries = new Map(Object.entries(data.entries));
    } catch {
      // no cache yet, or an unreadable one: compute again
    }
  }
}
