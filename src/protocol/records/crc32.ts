import zlib from 'node:zlib';

/**
 * CRC-32 (IEEE 802.3, the zlib/gzip one), used only by legacy message sets (magic 0/1).
 * node:zlib has it natively from Node 22.2; older runtimes get a table-driven fallback.
 */

let table: Int32Array | null = null;

function crc32Js(buf: Uint8Array): number {
  if (table === null) {
    table = new Int32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      table[i] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < buf.length; i++) crc = table[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 (IEEE) of `buf[start, end)`, unsigned. */
export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return native !== undefined ? native(view) >>> 0 : crc32Js(view);
}

export { crc32Js };
