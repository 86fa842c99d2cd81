import { createRequire } from 'node:module';

/** arenascope's version, from its package.json (dist/version.js sits one level below it). */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
