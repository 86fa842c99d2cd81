// Whether a line that is no tracemalloc statistic is one with a byte of it changed, added or taken
// away: 'size=1200 KjB', 'coun#=3', 'big.py:9;', 'avera#e='. Such a line was passed over as any other
// text, and the listing's largest site left out of its totals without a word (helpers h257, h258).

// The figures of Statistic.__str__ and StatisticDiff.__str__ after the file name, each number '9' and
// each unit 'U' ('average' only when the count is not 0).
const SHAPES = [
  ':9: size=9 U, count=9, average=9 U',
  ':9: size=9 U, count=9',
  ':9: size=9 U (9 U), count=9 (9), average=9 U',
  ':9: size=9 U (9 U), count=9 (9)',
];
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
// No statistic's figures are longer than this (with a byte added): only the end of a line is compared.
const TAIL = 96;

/** Whether the line is a statistic's figures with one byte of damage (the caller has found it no statistic). */
export function nearStatistic(line: string): boolean {
  if (!line.includes('size=') && !line.includes('count=') && !line.includes('average=')) return false;
  const text = normalise(line.slice(-TAIL));
  return SHAPES.some((shape) => distanceAtEnd(shape, text) <= 1);
}

// Numbers become '9', and a word after one that is a unit or a byte away from one becomes 'U'.
function normalise(s: string): string {
  return s
    .replace(/[-+]?\d+(?:\.\d+)?/g, '9')
    .replace(/(?<=9 )[^\s,()]{1,4}(?=,|\)|$)/g, (w) => (UNITS.some((u) => levenshtein(w, u) <= 1) ? 'U' : w));
}

// The fewest bytes changed, added or taken away to make the text end with the shape, whatever precedes
// it (the file name); Infinity once more than 2.
function distanceAtEnd(shape: string, text: string): number {
  // prev[j]: the distance of shape[0..i) to text[k..j) for the best start k.
  let prev = new Array<number>(text.length + 1).fill(0);
  for (let i = 1; i <= shape.length; i++) {
    const row = new Array<number>(text.length + 1);
    row[0] = i;
    for (let j = 1; j <= text.length; j++) {
      const same = shape[i - 1] === text[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j - 1]! + same, prev[j]! + 1, row[j - 1]! + 1);
    }
    prev = row;
    if (Math.min(...row) > 2) return Infinity;
  }
  return prev[text.length]!;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1), prev[j]! + 1, row[j - 1]! + 1);
    prev = row;
  }
  return prev[b.length]!;
}
