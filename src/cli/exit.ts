// Exit codes of the command line, documented in --help and the README.
export const EXIT = { ok: 0, gateFailed: 1, usage: 2, internal: 3 } as const;
