import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Most test files wait on child processes (CPython, the CLI, chromium) as much as they compute: run
// files side by side even on a two-core machine (vitest's default there is one at a time).
const workers = Math.max(2, Math.min(4, availableParallelism()));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    maxWorkers: workers,
    globalSetup: ['test/global-tmp.ts'],
    // A hung child or a test past its timeout is killed (test/hang-guard.ts) and tried once more: a rare
    // hang of a child (CPython, V8 under load) costs minutes, not the CI run; one that hangs again fails.
    setupFiles: ['test/hang-guard.ts'],
    retry: { count: 1, condition: /a hung child process|Test timed out in/ },
  },
});
