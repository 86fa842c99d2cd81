// Interned filenames, frames and tracebacks. Everything else refers to them by integer id, so a
// million trace groups cost a few typed-array slots each instead of a million object graphs.

export interface Frame {
  readonly filename: string;
  readonly lineno: number;
}

/** A table's contents as plain arrays, which a worker thread can send (model/frames' own layout). */
export interface FrameTableData {
  readonly filenames: readonly string[];
  readonly frameFile: Int32Array;
  readonly frameLine: Float64Array;
  readonly tbStart: Int32Array;
  readonly tbFrames: Int32Array;
  readonly tbTotal: Float64Array;
}

export class FrameTable {
  /** Filenames by id. */
  readonly filenames: string[] = [];
  private readonly filenameIds = new Map<string, number>();

  private readonly frameFile: number[] = [];
  private readonly frameLine: number[] = [];
  private readonly frameIds = new Map<string, number>();

  // Traceback i holds frame ids tbFrames[tbStart[i] .. tbStart[i+1]), most recent frame first
  // (the order of tracemalloc's raw trace tuples).
  private readonly tbStart: number[] = [0];
  private readonly tbFrames: number[] = [];
  private readonly tbIds = new Map<string, number>();
  // Largest total_nframe seen with each traceback (3.9+ dumps); -1 when the dump has none.
  private readonly tbTotal: number[] = [];

  get frameCount(): number {
    return this.frameFile.length;
  }

  get tracebackCount(): number {
    return this.tbTotal.length;
  }

  internFilename(name: string): number {
    let id = this.filenameIds.get(name);
    if (id === undefined) {
      id = this.filenames.length;
      this.filenames.push(name);
      this.filenameIds.set(name, id);
    }
    return id;
  }

  internFrame(filename: string, lineno: number): number {
    const file = this.internFilename(filename);
    const key = `${file}:${lineno}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      id = this.frameFile.length;
      this.frameFile.push(file);
      this.frameLine.push(lineno);
      this.frameIds.set(key, id);
    }
    return id;
  }

  /** Interns a traceback given as frame ids, most recent first. */
  internTraceback(frameIds: readonly number[]): number {
    const key = frameIds.join(',');
    let id = this.tbIds.get(key);
    if (id === undefined) {
      id = this.tbTotal.length;
      for (const f of frameIds) this.tbFrames.push(f);
      this.tbStart.push(this.tbFrames.length);
      this.tbTotal.push(-1);
      this.tbIds.set(key, id);
    }
    return id;
  }

  noteTotalNframe(tb: number, total: number): void {
    if (total > this.tbTotal[tb]!) this.tbTotal[tb] = total;
  }

  /** total_nframe recorded with the traceback (the depth before truncation), or null if unknown. */
  totalNframe(tb: number): number | null {
    const t = this.tbTotal[tb]!;
    return t < 0 ? null : t;
  }

  frameFilenameId(frame: number): number {
    return this.frameFile[frame]!;
  }

  frameFilename(frame: number): string {
    return this.filenames[this.frameFile[frame]!]!;
  }

  frameLineno(frame: number): number {
    return this.frameLine[frame]!;
  }

  frame(frame: number): Frame {
    return { filename: this.frameFilename(frame), lineno: this.frameLine[frame]! };
  }

  tracebackLength(tb: number): number {
    return this.tbStart[tb + 1]! - this.tbStart[tb]!;
  }

  /** The i-th frame id of a traceback, counting from the most recent frame. */
  tracebackFrame(tb: number, i: number): number {
    return this.tbFrames[this.tbStart[tb]! + i]!;
  }

  /** Frame ids of a traceback, most recent first. */
  tracebackFrames(tb: number): number[] {
    return this.tbFrames.slice(this.tbStart[tb]!, this.tbStart[tb + 1]!);
  }

  /** The contents as typed arrays (their buffers can be transferred to another thread). */
  data(): FrameTableData {
    return {
      filenames: this.filenames,
      frameFile: Int32Array.from(this.frameFile),
      frameLine: Float64Array.from(this.frameLine),
      tbStart: Int32Array.from(this.tbStart),
      tbFrames: Int32Array.from(this.tbFrames),
      tbTotal: Float64Array.from(this.tbTotal),
    };
  }

  /**
   * Interns every frame and traceback of another table in its id order, and its total_nframes. A
   * table filled by reading one input holds them in the order that read interned them, so merging
   * it gives this table the ids reading the input into it would have given. Returns the ids here
   * of the other table's tracebacks.
   */
  merge(other: FrameTableData): Uint32Array {
    const frames = new Uint32Array(other.frameFile.length);
    for (let f = 0; f < frames.length; f++) {
      frames[f] = this.internFrame(other.filenames[other.frameFile[f]!]!, other.frameLine[f]!);
    }
    const tbs = new Uint32Array(other.tbTotal.length);
    for (let t = 0; t < tbs.length; t++) {
      const ids: number[] = [];
      for (let i = other.tbStart[t]!; i < other.tbStart[t + 1]!; i++) ids.push(frames[other.tbFrames[i]!]!);
      const id = this.internTraceback(ids);
      tbs[t] = id;
      const total = other.tbTotal[t]!;
      if (total >= 0) this.noteTotalNframe(id, total);
    }
    return tbs;
  }
}

/**
 * Whether a frame's file name names no file: '<string>', '<stdin>', '<frozen posixpath>' (linecache's
 * rule: '<' first and '>' last). A file named '<img src=x>.py' is a file.
 */
export const namesNoFile = (filename: string): boolean => filename.startsWith('<') && filename.endsWith('>');
