import { defineConfig } from 'vitest/config';

// Two projects so the fast unit tests can run alone: `vitest run --project unit`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{apps,libs,tools}/**/src/**/*.spec.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['{apps,libs,tools}/**/e2e/**/*.e2e.ts'],
          // Real Docker engine and real Consul agents: one file at a time.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
