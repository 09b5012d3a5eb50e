/**
Counting newlines is the one job the explainer does on every byte of a log (line numbers must stay
right across hundreds of megabytes), so it reads four bytes at a time instead of one.
*/

import {inScanArea, kernels} from './kernels.js'

const NEWLINE = 0x0a
const KERNELS = kernels()

function countBytewise(bytes: Uint8Array, start: number, end: number): number {
  let count = 0
  for (let i = start; i < end; i++) if (bytes[i] === NEWLINE) count++
  return count
}

/** Number of `\n` bytes in `bytes[start, end)`. */
export function countNewlines(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 64) return countBytewise(bytes, start, end)
  if (KERNELS !== null && inScanArea(KERNELS, bytes)) return KERNELS.count(bytes.byteOffset + start, end - start)
  const misalignment = (bytes.byteOffset + start) & 3
  const head = misalignment === 0 ? start : start + 4 - misalignment
  let count = countBytewise(bytes, start, head)
  const words = (end - head) >>> 2
  // Int32 lanes and `| 0` keep every step in 32-bit integer arithmetic (no overflow into doubles).
  const view = new Int32Array(bytes.buffer, bytes.byteOffset + head, words)
  for (let i = 0; i < words; ) {
    // Each byte lane of `lanes` counts the newlines seen in that lane; 255 words cannot overflow a lane.
    const stop = Math.min(words, i + 255)
    let lanes = 0
    for (; i < stop; i++) {
      const x = (view[i] as number) ^ 0x0a0a0a0a
      // High bit of each byte set exactly where that byte of x is zero (no carry between bytes).
      const zero = ~((((x & 0x7f7f7f7f) + 0x7f7f7f7f) | 0) | x | 0x7f7f7f7f)
      lanes = (lanes + (zero >>> 7)) | 0
    }
    const pairs = (lanes & 0x00ff00ff) + ((lanes >>> 8) & 0x00ff00ff)
    count += (pairs & 0xffff) + (pairs >>> 16)
  }
  return count + countBytewise(bytes, head + words * 4, end)
}
