import { randomFillSync } from 'node:crypto';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const time = new Uint8Array(6);
/** Random bytes drawn 4 KiB at a time (one call into the system's generator per 409 ids); each serves once. */
const pool = new Uint8Array(4090);
let used = pool.length;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix time in milliseconds, then 74
 * random bits. Ids made later sort later, so rows keyed by them are appended
 * at the end of their index instead of at random places — with random
 * (version 4) ids every insert dirtied a different index page. The random part
 * keeps them unguessable.
 *
 * @example
 * timeOrderedId(); // '019ab3c2-5e1f-7d3a-9c4b-1f2e3d4c5b6a'
 */
export function timeOrderedId(now: number = Date.now()): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const r = used;
  used += 10;
  let t = now;
  for (let i = 5; i >= 0; i--) {
    time[i] = t % 256;
    t = Math.floor(t / 256);
  }
  const hex = (i: number) => HEX[pool[r + i] as number] as string;
  return (
    `${HEX[time[0] as number]}${HEX[time[1] as number]}${HEX[time[2] as number]}${HEX[time[3] as number]}-` +
    `${HEX[time[4] as number]}${HEX[time[5] as number]}-` +
    `${HEX[0x70 | ((pool[r] as number) & 0x0f)]}${hex(1)}-` +
    `${HEX[0x80 | ((pool[r + 2] as number) & 0x3f)]}${hex(3)}-` +
    `${hex(4)}${hex(5)}${hex(6)}${hex(7)}${hex(8)}${hex(9)}`
  );
}
