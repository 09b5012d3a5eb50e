/**
The two loops that touch every byte of a log, as a tiny hand-assembled WebAssembly module: counting
newlines 16 bytes at a time (SIMD compare, bitmask, popcount), and the Wu-Manber skip loop of the
needle search with four cursors at once, which also checks a hash of the 5-byte window against the
needles' keys before writing a position down for JavaScript to verify. Together they take the
explainer from about 0.45 s to about 0.2 s of CPU on a 200 MB log (bench/explain). Where
WebAssembly (or its SIMD) is unavailable, the callers keep their JavaScript loops, which give the
same results (test/explain/kernels.test.ts).

Memory layout (never grown, so Buffer views on it stay valid):
  [0, 64 KiB)                 shift table, indexed by a little-endian 16-bit bigram
  [64 KiB, 72 KiB)            bitset of 16-bit hashes of the needles' 5-byte keys
  [DATA_BASE, +DATA_SIZE)     the bytes being scanned
  [OUT_BASE, +4 * DATA_SIZE)  candidate positions the search writes (at most one per byte)
*/

export const KEYSET_BASE = 65536
export const DATA_BASE = 131072
export const DATA_SIZE = 256 * 1024
export const OUT_BASE = DATA_BASE + DATA_SIZE + 65536
const PAGES = (OUT_BASE + 4 * DATA_SIZE) / 65536
const HASH_A = 0x9e3779b1 | 0
const HASH_B = 0x85ebca77 | 0

/** The key hash the module computes: `w` the first four key bytes little-endian, `b` the fifth. */
export function keyHash(w: number, b: number): number {
  return (Math.imul(w, HASH_A) ^ Math.imul(b, HASH_B)) >>> 16
}

// Opcodes used below (WebAssembly core and SIMD specifications).
const OP = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f, void: 0x40,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  else: 0x05, i32Load: 0x28, i32Load8u: 0x2d, i32Load16u: 0x2f, i32Store: 0x36, i32Const: 0x41,
  i32Eq: 0x46, i32LtU: 0x49, i32LeU: 0x4d, i32GeU: 0x4f,
  i32Popcnt: 0x69, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32And: 0x71, i32Xor: 0x73, i32Shl: 0x74, i32ShrU: 0x76,
  simd: 0xfd, v128Load: 0x00, i8x16Splat: 0x0f, i8x16Eq: 0x23, i8x16Bitmask: 0x64,
  i32: 0x7f, v128: 0x7b,
} as const

function uleb(value: number): number[] {
  const out: number[] = []
  let v = value >>> 0
  do {
    const byte = v & 0x7f
    v >>>= 7
    out.push(v === 0 ? byte : byte | 0x80)
  } while (v !== 0)
  return out
}

function sleb(value: number): number[] {
  const out: number[] = []
  let v = value | 0
  for (;;) {
    const byte = v & 0x7f
    v >>= 7
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}

const get = (i: number) => [OP.localGet, i]
const set = (i: number) => [OP.localSet, i]
const tee = (i: number) => [OP.localTee, i]
const i32 = (v: number) => [OP.i32Const, ...sleb(v)]
/** A memory access: opcode, alignment hint 0 (unaligned is fine), constant offset. */
const mem = (op: number, offset = 0) => [op, 0, ...uleb(offset)]
const simd = (op: number) => [OP.simd, ...uleb(op)]

// count(p, n) -> newlines in [p, p + n). Locals: end=2, total=3, nl=4 (v128), stop=5.
const COUNT = [
  [3, [2, OP.i32], [1, OP.v128], [1, OP.i32]],
  [
    ...get(0), ...get(1), OP.i32Add, ...set(2),
    ...i32(10), ...simd(OP.i8x16Splat), ...set(4),
    OP.block, OP.void,
    ...get(1), ...i32(16), OP.i32LtU, OP.brIf, 0,
    ...get(2), ...i32(16), OP.i32Sub, ...set(5),
    OP.loop, OP.void,
    ...get(3),
    ...get(0), OP.simd, ...uleb(OP.v128Load), 0, 0,
    ...get(4), ...simd(OP.i8x16Eq), ...simd(OP.i8x16Bitmask), OP.i32Popcnt,
    OP.i32Add, ...set(3),
    ...get(0), ...i32(16), OP.i32Add, ...tee(0),
    ...get(5), OP.i32LeU, OP.brIf, 0,
    OP.end,
    OP.end,
    OP.block, OP.void,
    OP.loop, OP.void,
    ...get(0), ...get(2), OP.i32GeU, OP.brIf, 1,
    ...get(3), ...get(0), ...mem(OP.i32Load8u), ...i32(10), OP.i32Eq, OP.i32Add, ...set(3),
    ...get(0), ...i32(1), OP.i32Add, ...set(0),
    OP.br, 0,
    OP.end,
    OP.end,
    ...get(3),
  ],
] as const

// scan(q0, l0, q1, l1, q2, l2, q3, l3) -> n. Four cursors run the Wu-Manber skip loop over four
// slices at once: one cursor is a chain of dependent loads (bigram, then its shift), so interleaving
// four independent chains lets the processor overlap them. Cursor i moves q (the first byte of the
// window's last bigram) while q < l; where the shift is 0 and the 5-byte window ending at q + 1
// hashes into the key set, q is written to the output. Locals: s=8, h=9, n=10, active=11.
const S = 8, H = 9, N = 10, ACTIVE = 11

function cursorStep(q: number, l: number): number[] {
  return [
    ...get(q), ...get(l), OP.i32LtU,
    OP.if, OP.void,
    ...get(q), ...mem(OP.i32Load16u), ...mem(OP.i32Load8u), ...tee(S),
    OP.if, OP.void,
    ...get(q), ...get(S), OP.i32Add, ...set(q),
    OP.else,
    ...get(q), ...i32(3), OP.i32Sub, ...mem(OP.i32Load), ...i32(HASH_A), OP.i32Mul,
    ...get(q), ...mem(OP.i32Load8u, 1), ...i32(HASH_B), OP.i32Mul,
    OP.i32Xor, ...i32(16), OP.i32ShrU, ...set(H),
    ...get(H), ...i32(3), OP.i32ShrU, ...mem(OP.i32Load8u, KEYSET_BASE),
    ...get(H), ...i32(7), OP.i32And, OP.i32ShrU, ...i32(1), OP.i32And,
    OP.if, OP.void,
    ...get(N), ...i32(2), OP.i32Shl, ...get(q), ...mem(OP.i32Store, OUT_BASE),
    ...get(N), ...i32(1), OP.i32Add, ...set(N),
    OP.end,
    ...get(q), ...i32(1), OP.i32Add, ...set(q),
    OP.end,
    ...i32(1), ...set(ACTIVE),
    OP.end,
  ]
}

const SCAN = [
  [1, [4, OP.i32]],
  [
    OP.block, OP.void,
    OP.loop, OP.void,
    ...i32(0), ...set(ACTIVE),
    ...cursorStep(0, 1), ...cursorStep(2, 3), ...cursorStep(4, 5), ...cursorStep(6, 7),
    ...get(ACTIVE), OP.brIf, 0,
    OP.end,
    OP.end,
    ...get(N),
  ],
] as const

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body]
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()]
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')]
  return [...uleb(bytes.length), ...bytes]
}

function code(fn: typeof COUNT | typeof SCAN): number[] {
  const [locals, body] = fn
  const [groups, ...decls] = locals
  const header = [...uleb(groups), ...(decls as readonly (readonly [number, number])[]).flatMap(([count, type]) => [...uleb(count), type])]
  const bytes = [...header, ...body, OP.end]
  return [...uleb(bytes.length), ...bytes]
}

function moduleBytes(): Uint8Array {
  const countType = [0x60, 2, OP.i32, OP.i32, 1, OP.i32]
  const scanType = [0x60, 8, ...Array<number>(8).fill(OP.i32), 1, OP.i32]
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([countType, scanType])),
    ...section(3, vec([[0], [1]])),
    ...section(5, vec([[0x00, ...uleb(PAGES)]])),
    ...section(7, vec([[...name('memory'), 0x02, 0], [...name('count'), 0x00, 0], [...name('scan'), 0x00, 1]])),
    ...section(10, vec([code(COUNT), code(SCAN)])),
  ])
}

export interface Kernels {
  /** All of the module's memory. */
  readonly memory: Buffer
  /** The scan area: bytes placed here can be counted and searched by the module. */
  readonly data: Buffer
  count(address: number, length: number): number
  /** Candidate positions found by `scan`, valid until the next scan. */
  readonly out: Int32Array
  scan(q0: number, l0: number, q1: number, l1: number, q2: number, l2: number, q3: number, l3: number): number
}

// The few WebAssembly globals used (the project's TypeScript lib has no DOM types).
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => {exports: unknown}
}
interface WasmExports {
  memory: {buffer: ArrayBuffer}
  count: (p: number, n: number) => number
  scan: Kernels['scan']
}

let loaded: Kernels | null | undefined

/** The compiled kernels, or null where WebAssembly SIMD is not available (or DAGGER_EXPLORE_NO_WASM is set). */
export function kernels(): Kernels | null {
  if (loaded !== undefined) return loaded
  loaded = null
  if (process.env.DAGGER_EXPLORE_NO_WASM) return loaded
  try {
    const wasm = (globalThis as {WebAssembly?: WasmApi}).WebAssembly
    if (wasm === undefined) return loaded
    const exports = new wasm.Instance(new wasm.Module(moduleBytes())).exports as WasmExports
    const memory = Buffer.from(exports.memory.buffer)
    const out = new Int32Array(exports.memory.buffer, OUT_BASE, DATA_SIZE)
    loaded = {memory, data: memory.subarray(DATA_BASE, DATA_BASE + DATA_SIZE), out, count: exports.count, scan: exports.scan}
  } catch {
    loaded = null
  }
  return loaded
}

/** True when `bytes` lies in the module's scan area (so the kernels can read it in place). */
export function inScanArea(k: Kernels, bytes: Uint8Array): boolean {
  return bytes.buffer === k.memory.buffer && bytes.byteOffset >= DATA_BASE && bytes.byteOffset + bytes.byteLength <= DATA_BASE + DATA_SIZE
}
