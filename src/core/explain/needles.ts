/**
The cheap prefilter. A line is looked at closely only when it holds one of these byte strings (and
the few boundary checks below pass), so most of a log is never decoded. Each needle starts with a
byte that is rare in ordinary build output where possible (`meout` rather than `timeout`), because
the search skips ahead to the first byte of the needle. Every phrase the classifier recognises has
one of these inside it.
*/

const A = 0x41, Z = 0x5a, LOWER_A = 0x61, LOWER_Z = 0x7a, ZERO = 0x30, NINE = 0x39, UNDERSCORE = 0x5f

function isWordByte(byte: number | undefined): boolean {
  if (byte === undefined) return false
  return (byte >= LOWER_A && byte <= LOWER_Z) || (byte >= A && byte <= Z) || (byte >= ZERO && byte <= NINE) || byte === UNDERSCORE
}

export interface Needle {
  readonly bytes: Buffer
  /** Extra test at a hit (`at` is where the needle starts); without it every hit counts. */
  readonly accept?: (bytes: Uint8Array, at: number) => boolean
}

const E = 0x45, LOWER_E = 0x65, SPACE = 0x20

function needle(text: string, accept?: Needle['accept']): Needle {
  return accept ? {bytes: Buffer.from(text, 'latin1'), accept} : {bytes: Buffer.from(text, 'latin1')}
}

export const NEEDLES: readonly Needle[] = [
  // `error`, `Error` as a word: not `errors` (Go import paths) or `stderror`.
  needle('rror', (b, at) => (b[at - 1] === LOWER_E || b[at - 1] === E) && !isWordByte(b[at - 2]) && !isWordByte(b[at + 4])),
  needle('RROR', (b, at) => b[at - 1] === E && !isWordByte(b[at - 2]) && !isWordByte(b[at + 4])),
  needle('EOF', (b, at) => !isWordByte(b[at - 1]) && !isWordByte(b[at + 3])),
  // `failed` as a word, but not a test summary's `0 failed`.
  needle('failed', (b, at) => !isWordByte(b[at - 1]) && !isWordByte(b[at + 6]) && !(b[at - 1] === SPACE && b[at - 2] === ZERO)),
  needle('Cannot connect'),
  needle('x509'),
  needle('fused'),
  needle('uch host'),
  needle('meout'),
  needle('med out'),
  needle('by peer'),
  needle('ymanyreq'),
  needle('Too Many'),
  needle('zed'),
  needle('known'),
  needle('xyconnect'),
  needle('Proxy'),
  needle('xceeded'),
  needle('<html'),
  needle('<HTML'),
  needle('<!DOC'),
  needle('ECONN'),
  needle('ENOTFOUND'),
  needle('EAI_AGAIN'),
  needle('ETIMEDOUT'),
  needle('EPIPE'),
  needle('UND_ERR'),
  needle('CERT_'),
  needle('ficate'),
  needle('behaving'),
  needle('bidden'),
  needle('HTTP response'),
  needle('TLS h'),
  needle('.sock'),
  needle('kitd'),
  needle('denied'),
  needle('Unavailable'),
  needle('Gateway'),
]
