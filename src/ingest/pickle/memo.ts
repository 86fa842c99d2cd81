// The pickle memo as an open-addressing hash table keyed by memo index. Indices run into the
// millions (every trace tuple takes one) while the entries kept are few (strings, frames,
// tracebacks), so neither a dense array nor a JS Map (slower per lookup) fits.

export class MemoTable<V> {
  private keys = new Uint32Array(1 << 10);
  private vals: (V | undefined)[] = new Array<V | undefined>(1 << 10).fill(undefined);
  size = 0;

  private slot(key: number): number {
    const mask = this.keys.length - 1;
    let i = (Math.imul(key, 0x9e3779b1) >>> 0) & mask;
    while (this.vals[i] !== undefined && this.keys[i] !== key) i = (i + 1) & mask;
    return i;
  }

  get(key: number): V | undefined {
    return this.vals[this.slot(key)];
  }

  set(key: number, value: V): void {
    const i = this.slot(key);
    if (this.vals[i] === undefined) {
      this.size++;
      this.keys[i] = key;
    }
    this.vals[i] = value;
    if (this.size * 2 > this.keys.length) this.grow();
  }

  private grow(): void {
    const { keys, vals } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.vals = new Array<V | undefined>(keys.length * 2).fill(undefined);
    for (let i = 0; i < keys.length; i++) {
      const v = vals[i];
      if (v !== undefined) {
        const j = this.slot(keys[i]!);
        this.keys[j] = keys[i]!;
        this.vals[j] = v;
      }
    }
  }
}
