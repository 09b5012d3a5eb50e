/**
The cheap prefilter. A line is looked at closely only when it holds one of these byte strings (and
the few boundary checks pass), so most of a log is never decoded. The long needles are all found in
one pass (a Wu-Manber search: the last two bytes of a 5-byte window say how far the window may jump,
and each needle is keyed on its rarest 5 bytes), which costs about as much as one `indexOf` while
looking for all of them; the skip loop runs in WebAssembly when it can (kernels.ts). Needles shorter
than the window (`EOF`) get one `indexOf` each. Every phrase the classifier recognises has a needle
inside it, or sits on a line next to one.
*/
import {JOURNEY_NEEDLES} from './journey-rules.js'
import {inScanArea, kernels, keyHash, KEYSET_BASE, type Kernels} from './kernels.js'

const WORD = new Uint8Array(256)
for (const range of ['az', 'AZ', '09']) {
  for (let c = range.charCodeAt(0); c <= range.charCodeAt(1); c++) WORD[c] = 1
}
WORD[0x5f] = 1

const isWord = (byte: number | undefined): boolean => byte !== undefined && WORD[byte] === 1

export interface Needle {
  readonly text: string
  /** Extra test at a hit (`at` is where the needle starts); without it every hit counts. */
  readonly accept?: (bytes: Uint8Array, at: number) => boolean
}

const ESC = 0x1b, BRACKET = 0x5b, SEMICOLON = 0x3b, LOWER_M = 0x6d, ZERO = 0x30

/** Nothing word-like ends at `i`; a colour code (`ESC[1;31m`) ends with `m` but is no word. */
function wordEndsBefore(b: Uint8Array, i: number): boolean {
  if (!isWord(b[i])) return true
  if (b[i] !== LOWER_M) return false
  let j = i - 1
  while (j >= 0 && j > i - 16 && ((b[j] as number) === SEMICOLON || ((b[j] as number) >= ZERO && (b[j] as number) <= 0x39))) j--
  return b[j] === BRACKET && b[j - 1] === ESC
}

/** The needle is a whole word (nothing word-like touches it on either side). */
const wordStart = (length: number) => (b: Uint8Array, at: number) => wordEndsBefore(b, at - 1) && !isWord(b[at + length])
/** The needle starts a word (`TestTimeout` is a test name, not a timeout). */
const startsWord = (b: Uint8Array, at: number) => wordEndsBefore(b, at - 1)
const SPACE = 0x20

const REGISTRY_NEEDLES: readonly Needle[] = [
  // `error`, `Error`, `ERROR` as words: not `errors` (Go import paths).
  {text: 'error', accept: wordStart(5)},
  {text: 'Error', accept: wordStart(5)},
  {text: 'ERROR', accept: wordStart(5)},
  // logrus levels.
  {text: 'ERRO['},
  {text: 'FATA['},
  // `failed` as a word, but not a test summary's `0 failed`.
  {text: 'failed', accept: (b, at) => wordStart(6)(b, at) && !(b[at - 1] === SPACE && b[at - 2] === ZERO)},
  {text: 'Failed', accept: wordStart(6)},
  // Go's EOF closes a message: `: EOF`, `unexpected EOF`, alone on a wrapped line, before a JSON quote.
  {text: 'EOF', accept: wordStart(3)},
  {text: 'Cannot connect'},
  {text: 'refused', accept: wordStart(7)},
  {text: 'no such host'},
  {text: 'timeout', accept: startsWord},
  {text: 'Timeout', accept: startsWord},
  {text: 'timed out'},
  {text: 'reset by peer'},
  {text: 'broken pipe'},
  {text: 'unreachable'},
  {text: 'no route to host'},
  {text: 'assign requested'},
  {text: 'UNREACH'},
  {text: 'EADDRNOTAVAIL'},
  {text: 'hang up'},
  {text: 'disconnected before'},
  {text: 'GOAWAY'},
  {text: 'INTERNAL_ERROR'},
  {text: 'toomanyrequests'},
  {text: 'Too Many'},
  {text: 'nauthorized'},
  {text: 'manifest unknown'},
  {text: 'blob unknown'},
  {text: 'name unknown'},
  {text: 'not found'},
  {text: 'proxyconnect'},
  {text: 'Proxy', accept: startsWord},
  {text: 'exceeded', accept: startsWord},
  {text: '<html'},
  {text: '<HTML'},
  {text: '<!DOC'},
  {text: 'ECONN'},
  {text: 'ENOTFOUND'},
  {text: 'EAI_AGAIN'},
  {text: 'ETIMEDOUT'},
  {text: 'EPIPE'},
  {text: 'UND_ERR'},
  {text: 'CERT_'},
  {text: 'certificate', accept: startsWord},
  {text: 'misbehaving'},
  {text: 'orbidden'},
  {text: 'HTTP response'},
  {text: 'TLS handshake'},
  {text: 'docker.sock'},
  {text: 'buildkitd.sock'},
  {text: 'denied', accept: wordStart(6)},
  {text: 'Unavailable'},
  {text: 'Gateway', accept: startsWord},
  {text: 'dial tcp'},
  {text: 'dial unix'},
]

/** The registry needles and the journey's (journey-rules.ts), each once. */
export const NEEDLES: readonly Needle[] = [...REGISTRY_NEEDLES, ...JOURNEY_NEEDLES.filter((t) => !REGISTRY_NEEDLES.some((n) => n.text === t)).map((text) => ({text}))]

/** Window length. Needles shorter than this are searched with `indexOf` (keep them few, and starting with a rare byte). */
const WINDOW = 5

// Rough byte frequencies in build output, most common first, and the commonest English bigrams:
// keys avoid both, so the search rarely stops to compare.
const COMMON = ' etaoinsrlhdcu.:/-_m0123456789pfgbwyv\n'
const COMMON_BIGRAMS = new Set(
  'th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns ge ly ei os no pe do su pa ec ac ot di ol tr sh ad il wh ow ut'.split(' '),
)

function frequency(byte: number): number {
  const i = COMMON.indexOf(String.fromCharCode(byte))
  return i === -1 ? 0.05 : 1 / (i + 1)
}

function bigramCost(a: number, b: number): number {
  const cost = frequency(a) * frequency(b)
  const pair = String.fromCharCode(a, b)
  // Word ends and starts (`d `, ` h`) and the letters of every URL (`http`) are everywhere in logs too.
  if (COMMON_BIGRAMS.has(pair.toLowerCase()) || a === 0x20 || b === 0x20 || pair === 'tp' || pair === 'tt') return cost + 1
  return cost
}

interface Keyed {
  readonly index: number
  readonly bytes: Uint8Array
  /** Where the WINDOW-byte key starts inside the needle. */
  readonly keyOffset: number
}

/** Finds all needles in one pass over a buffer. */
export class NeedleSearch {
  private readonly shift = new Uint8Array(65536)
  private readonly buckets: (Keyed[] | undefined)[] = new Array<Keyed[] | undefined>(65536)
  private readonly short: Keyed[] = []

  /**
  With `kernels`, the search runs its skip loop in WebAssembly on bytes in the kernels' scan area
  (the tables are copied into the module's memory: only one search may own the kernels).
  */
  constructor(
    readonly needles: readonly Needle[],
    private readonly kernels: Kernels | null = null,
  ) {
    this.shift.fill(WINDOW - 1)
    needles.forEach((needle, index) => {
      const bytes = Buffer.from(needle.text, 'latin1')
      if (bytes.length < WINDOW) {
        this.short.push({index, bytes, keyOffset: 0})
        return
      }
      // The key is the WINDOW-byte part of the needle whose bigrams are rarest, so the search jumps more.
      let keyOffset = 0
      let best = Number.POSITIVE_INFINITY
      for (let k = 0; k + WINDOW <= bytes.length; k++) {
        let cost = 0
        for (let j = k + 1; j < k + WINDOW; j++) cost += bigramCost(bytes[j - 1] as number, bytes[j] as number)
        // The last bigram decides when the search stops to compare: it weighs most.
        cost += 2 * bigramCost(bytes[k + WINDOW - 2] as number, bytes[k + WINDOW - 1] as number)
        if (cost < best) {
          best = cost
          keyOffset = k
        }
      }
      for (let j = 1; j < WINDOW; j++) {
        const h = (bytes[keyOffset + j - 1] as number) | ((bytes[keyOffset + j] as number) << 8)
        this.shift[h] = Math.min(this.shift[h] as number, WINDOW - 1 - j)
      }
      const last = (bytes[keyOffset + WINDOW - 2] as number) | ((bytes[keyOffset + WINDOW - 1] as number) << 8)
      const bucket = this.buckets[last] ?? []
      bucket.push({index, bytes, keyOffset})
      this.buckets[last] = bucket
      if (kernels !== null) {
        const k = bytes.subarray(keyOffset, keyOffset + WINDOW)
        const hash = keyHash(((k[0] as number) | ((k[1] as number) << 8) | ((k[2] as number) << 16) | ((k[3] as number) << 24)) | 0, k[4] as number)
        kernels.memory[KEYSET_BASE + (hash >>> 3)] = (kernels.memory[KEYSET_BASE + (hash >>> 3)] as number) | (1 << (hash & 7))
      }
    })
    kernels?.memory.set(this.shift, 0)
  }

  /**
  Calls `hit(at)` for accepted needles found in `bytes[start, end)`. `hit` returns where to resume
  (the explainer skips the rest of a line once it is picked); a needle starting before that point is
  not reported. Hits come in order for the long needles, then again in order for each short one.
  */
  search(bytes: Buffer, start: number, end: number, hit: (at: number) => number): void {
    if (this.kernels !== null && inScanArea(this.kernels, bytes)) this.searchLong(this.kernels, bytes, start, end, hit)
    else this.searchLongHere(bytes, start, end, hit)
    this.searchShort(bytes, start, end, hit)
  }

  /** The skip loop in WebAssembly, over four slices at once; candidates come back unordered. */
  private searchLong(k: Kernels, bytes: Buffer, start: number, end: number, hit: (at: number) => number): void {
    const base = bytes.byteOffset
    // Cursor i covers the windows ending in [edge(i), edge(i + 1)); q is a window's end minus one.
    const first = start + WINDOW - 1
    if (end <= first) return
    const step = Math.ceil((end - first) / 4)
    const edge = (i: number) => base + Math.min(end, first + i * step) - 1
    const n = k.scan(edge(0), edge(1), edge(1), edge(2), edge(2), edge(3), edge(3), edge(4))
    const out = k.out
    for (let i = 0; i < n; i++) {
      const at = this.match(bytes, (out[i] as number) - base + 1, start, end)
      if (at !== -1) hit(at)
    }
  }

  /** The same loop in JavaScript, for bytes outside the scan area or without WebAssembly. */
  private searchLongHere(bytes: Buffer, start: number, end: number, hit: (at: number) => number): void {
    const shift = this.shift
    let floor = start
    let pos = start + WINDOW - 1
    while (pos < end) {
      const s = shift[(bytes[pos - 1] as number) | ((bytes[pos] as number) << 8)] as number
      if (s !== 0) {
        pos += s
        continue
      }
      const at = this.match(bytes, pos, floor, end)
      if (at === -1) {
        pos++
        continue
      }
      floor = hit(at)
      pos = Math.max(pos + 1, floor + WINDOW - 1)
    }
  }

  private searchShort(bytes: Buffer, start: number, end: number, hit: (at: number) => number): void {
    for (const keyed of this.short) {
      const accept = this.needles[keyed.index]?.accept
      const last = end - keyed.bytes.length
      for (let at = bytes.indexOf(keyed.bytes, start); at !== -1 && at <= last; ) {
        at = accept === undefined || accept(bytes, at) ? bytes.indexOf(keyed.bytes, Math.max(at + 1, hit(at))) : bytes.indexOf(keyed.bytes, at + 1)
      }
    }
  }

  /** The start of an accepted needle whose key ends at `pos`, or -1. Kept out of the hot loop. */
  private match(bytes: Buffer, pos: number, floor: number, end: number): number {
    const bucket = this.buckets[(bytes[pos - 1] as number) | ((bytes[pos] as number) << 8)]
    if (bucket === undefined) return -1
    const keyStart = pos - WINDOW + 1
    for (const keyed of bucket) {
      const at = keyStart - keyed.keyOffset
      const length = keyed.bytes.length
      if (at < floor || at + length > end) continue
      let j = 0
      while (j < length && bytes[at + j] === keyed.bytes[j]) j++
      if (j !== length) continue
      const accept = this.needles[keyed.index]?.accept
      if (accept === undefined || accept(bytes, at)) return at
    }
    return -1
  }
}

export const NEEDLE_SEARCH = new NeedleSearch(NEEDLES, kernels())
