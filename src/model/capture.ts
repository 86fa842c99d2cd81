import type { Snapshot } from './snapshot.js';

/** What an importer returns. Later formats (mprof series, line reports, allocator stats) join this union. */
export type Capture = Snapshot;
