// The pymalloc part of sys._debugmallocstats(), character for character.

import type { MallocStatsBlock } from '../../model/allocator-stats.js';
import { groupThousands } from '../../util/text.js';

// printone(): the label padded to 35 columns, '=', the value right-aligned in 21 with commas.
function printone(label: string, value: number): string {
  return `${label.padEnd(35)}=${groupThousands(value).padStart(21)}`;
}

/** The pymalloc report of sys._debugmallocstats(), in its exact layout (Objects/obmalloc.c). */
export function renderMallocStats(b: MallocStatsBlock): string {
  const out = [
    `Small block threshold = ${b.smallBlockThreshold}, in ${b.numClasses} size classes.`,
    '',
    'class   size   num pools   blocks in use  avail blocks',
    '-----   ----   ---------   -------------  ------------',
    ...b.classes.map((c) =>
      [
        String(c.cls).padStart(5),
        String(c.size).padStart(6),
        String(c.pools).padStart(11),
        String(c.inUse).padStart(15),
        String(c.avail).padStart(13),
      ].join(' '),
    ),
    '',
    printone('# arenas allocated total', b.arenasAllocatedTotal),
    printone('# arenas reclaimed', b.arenasReclaimed),
    printone('# arenas highwater mark', b.arenasHighwater),
    printone('# arenas allocated current', b.arenasCurrent),
    printone(`${b.arenaCount} arenas * ${b.arenaSize} bytes/arena`, b.arenaBytes),
    '',
    printone('# bytes in allocated blocks', b.bytesInAllocatedBlocks),
    printone('# bytes in available blocks', b.bytesInAvailableBlocks),
    printone(`${b.unusedPools} unused pools * ${b.poolSize} bytes`, b.unusedPoolBytes),
    printone('# bytes lost to pool headers', b.bytesLostToPoolHeaders),
    printone('# bytes lost to quantization', b.bytesLostToQuantization),
    printone('# bytes lost to arena alignment', b.bytesLostToArenaAlignment),
    printone('Total', b.total),
  ];
  return `${out.join('\n')}\n`;
}
