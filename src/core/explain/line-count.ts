/**
Counting newlines is the one job the explainer does on every byte of a log (line numbers must stay
right across hundreds of megabytes), so it reads four bytes at a time instead of one.
*/

const NEWLINE = 0x0a

function countBytewise(bytes: Uint8Array, start: number, end: number): number {
  let count = 0
  for (let i = start; i < end; i++) if (bytes[i] === NEWLINE) count++
  return count
}

/** Number of `\n` bytes in `bytes[start, end)`. */
export function countNewlines(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 64) return countBytewise(bytes, start, end)
  const misalignment = (bytes.byteOffset + start) & 3
  const head = misalignment === 0 ? start : start + 4 - misalignment
  let count = countBytewise(bytes, start, head)
  const words = (end - head) >>> 2
  const view = new Uint32Array(bytes.buffer, bytes.byteOffset + head, words)
  for (let i = 0; i < words; i++) {
    const x = (view[i] as number) ^ 0x0a0a0a0a
    // High bit of each byte set exactly where that byte of x is zero (no borrow between bytes).
    const zero = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f)
    if (zero !== 0) count += Math.imul(zero >>> 7, 0x01010101) >>> 24
  }
  return count + countBytewise(bytes, head + words * 4, end)
}
