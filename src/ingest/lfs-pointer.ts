// What a checkout holds of a file committed with Git LFS when its object was not fetched (a CI checkout
// without LFS): a pointer of three lines (git-lfs's spec v1), no capture. Told by its head.

const POINTER = /^version https:\/\/git-lfs\.github\.com\/spec\/v1\r?\noid sha256:[0-9a-f]{64}\r?\nsize (\d+)\r?\n/;

/** The size of the file a Git LFS pointer stands for, when the head is one; else null. */
export function lfsPointerSize(head: Buffer): string | null {
  return POINTER.exec(head.subarray(0, 512).toString('latin1'))?.[1] ?? null;
}

/** The message for a pointer standing for a file of `size` bytes. */
export const lfsPointerMessage = (size: string): string =>
  `a Git LFS pointer to a file of ${size} bytes, not the file: fetch it (\`git lfs pull\`; actions/checkout with \`lfs: true\`)`;
