/**
A small JSON reader that keeps positions and reports what `JSON.parse` hides: comments, trailing
commas, duplicate keys, a root that is not an object, content after the root, a byte-order mark,
empty, binary and oversized files. It recovers from comments and trailing commas so one run lists
every such problem; a real syntax error stops it.
*/

export interface Pos {
  /** Offset in characters of the decoded text. */
  readonly offset: number
  /** 1-based line. */
  readonly line: number
  /** 1-based column, counted in characters. */
  readonly column: number
}

export type JsonNode =
  | {readonly kind: 'object'; readonly members: readonly JsonMember[]; readonly pos: Pos; readonly end: Pos}
  | {readonly kind: 'array'; readonly items: readonly JsonNode[]; readonly pos: Pos; readonly end: Pos}
  | {readonly kind: 'string'; readonly value: string; readonly pos: Pos; readonly end: Pos}
  | {readonly kind: 'number'; readonly value: number; readonly raw: string; readonly pos: Pos; readonly end: Pos}
  | {readonly kind: 'boolean'; readonly value: boolean; readonly pos: Pos; readonly end: Pos}
  | {readonly kind: 'null'; readonly pos: Pos; readonly end: Pos}

export interface JsonMember {
  readonly key: string
  readonly keyPos: Pos
  readonly value: JsonNode
}

export type ParseProblemCode =
  | 'empty'
  | 'binary'
  | 'too-large'
  | 'bom'
  | 'comment'
  | 'trailing-comma'
  | 'duplicate-key'
  | 'syntax'
  | 'root-not-object'
  | 'trailing-content'

export interface ParseProblem {
  readonly code: ParseProblemCode
  readonly message: string
  readonly pos: Pos
  /** For duplicate keys: the key and where it first appeared. */
  readonly key?: string
  readonly firstPos?: Pos
}

export interface ParseResult {
  /** The decoded text (without a byte-order mark), or '' when the bytes are not text. */
  readonly text: string
  readonly root?: JsonNode
  readonly problems: readonly ParseProblem[]
}

/** A daemon.json is a few kilobytes; anything this big is not a config someone wrote. */
export const MAX_CONFIG_BYTES = 1024 * 1024

const START: Pos = {offset: 0, line: 1, column: 1}

/** Line and column of a character offset in `text`. */
export function positionAt(text: string, offset: number): Pos {
  let line = 1
  let lineStart = 0
  const end = Math.min(offset, text.length)
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return {offset, line, column: offset - lineStart + 1}
}

/** Position of a byte offset in raw bytes, for errors found before the bytes decode as text. */
function bytePosition(bytes: Uint8Array, byteOffset: number): Pos {
  const before = new TextDecoder('utf-8', {fatal: false}).decode(bytes.subarray(0, byteOffset))
  return positionAt(before, before.length)
}

/** First byte offset where `bytes` stop being valid UTF-8, or -1. */
function invalidUtf8At(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i] ?? 0
    let need = 0
    let min = 0
    if (b < 0x80) {
      i++
      continue
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1
      min = 0x80
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      min = 0x800
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      min = 0x10000
    } else return i
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07)
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]
      if (c === undefined || (c & 0xc0) !== 0x80) return i
      cp = (cp << 6) | (c & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i
    i += need + 1
  }
  return -1
}

/** Parses daemon.json bytes (or already-decoded text) the strict way. */
export function parseStrictJson(input: Uint8Array | string, maxBytes = MAX_CONFIG_BYTES): ParseResult {
  const problems: ParseProblem[] = []
  let text: string
  if (typeof input === 'string') {
    text = input
    if (text.charCodeAt(0) === 0xfeff) {
      problems.push({code: 'bom', message: 'The file starts with a byte-order mark (BOM).', pos: START})
      text = text.slice(1)
    }
  } else {
    if (input.length > maxBytes) {
      return {
        text: '',
        problems: [{code: 'too-large', message: `The file is ${input.length} bytes; a daemon config is a few kilobytes (limit ${maxBytes}).`, pos: START}],
      }
    }
    let bytes = input
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      problems.push({code: 'bom', message: 'The file starts with a UTF-8 byte-order mark (BOM).', pos: START})
      bytes = bytes.subarray(3)
    }
    const nul = bytes.indexOf(0)
    const bad = invalidUtf8At(bytes)
    const first = nul >= 0 && (bad < 0 || nul < bad) ? nul : bad
    if (first >= 0) {
      const what = first === nul ? 'a NUL byte' : 'bytes that are not UTF-8 text'
      return {text: '', problems: [...problems, {code: 'binary', message: `The file is not text: it holds ${what}.`, pos: bytePosition(bytes, first)}]}
    }
    text = new TextDecoder('utf-8').decode(bytes)
  }
  if (text.trim() === '') {
    problems.push({code: 'empty', message: 'The file is empty.', pos: START})
    return {text, problems}
  }
  const parser = new Parser(text, problems)
  const root = parser.parseDocument()
  return root === undefined ? {text, problems} : {text, root, problems}
}

class SyntaxStop extends Error {}

/** Far deeper than any daemon.json, far shallower than the stack (Go's encoding/json stops at 10,000). */
const MAX_DEPTH = 500

class Parser {
  private depth = 0
  private i = 0
  private line = 1
  private lineStart = 0

  constructor(
    private readonly text: string,
    private readonly problems: ParseProblem[],
  ) {}

  parseDocument(): JsonNode | undefined {
    try {
      this.skipSpace()
      const root = this.parseValue()
      this.skipSpace()
      if (this.i < this.text.length) {
        this.problems.push({code: 'trailing-content', message: `There is more text after the closing ${root.kind === 'object' ? '}' : 'value'}.`, pos: this.pos()})
      }
      if (root.kind !== 'object') {
        this.problems.push({code: 'root-not-object', message: `The file holds ${article(root.kind)} where an object ({ … }) belongs.`, pos: root.pos})
      }
      return root
    } catch (error) {
      if (error instanceof SyntaxStop) return undefined
      throw error
    }
  }

  private pos(): Pos {
    return {offset: this.i, line: this.line, column: this.i - this.lineStart + 1}
  }

  private stop(message: string, pos: Pos = this.pos()): never {
    this.problems.push({code: 'syntax', message, pos})
    throw new SyntaxStop(message)
  }

  private advance(): void {
    if (this.text.charCodeAt(this.i) === 10) {
      this.line++
      this.lineStart = this.i + 1
    }
    this.i++
  }

  /** Whitespace as JSON defines it, plus comments, which are reported and skipped. */
  private skipSpace(): void {
    for (;;) {
      const c = this.text[this.i]
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.advance()
        continue
      }
      if (c === '/' && (this.text[this.i + 1] === '/' || this.text[this.i + 1] === '*')) {
        const at = this.pos()
        const block = this.text[this.i + 1] === '*'
        this.advance()
        this.advance()
        if (block) {
          while (this.i < this.text.length && !(this.text[this.i] === '*' && this.text[this.i + 1] === '/')) this.advance()
          if (this.i >= this.text.length) this.stop('A /* comment is never closed.', at)
          this.advance()
          this.advance()
        } else {
          while (this.i < this.text.length && this.text[this.i] !== '\n') this.advance()
        }
        this.problems.push({code: 'comment', message: `A ${block ? '/* … */' : '//'} comment: JSON has no comments.`, pos: at})
        continue
      }
      if (c === '#') {
        const at = this.pos()
        while (this.i < this.text.length && this.text[this.i] !== '\n') this.advance()
        this.problems.push({code: 'comment', message: 'A # comment: JSON has no comments.', pos: at})
        continue
      }
      return
    }
  }

  private parseValue(): JsonNode {
    const c = this.text[this.i]
    const pos = this.pos()
    if (c === '{' || c === '[') {
      // Bounded so that a hostile file (10,000 nested brackets) is a finding, not a stack overflow.
      if (++this.depth > MAX_DEPTH) this.stop(`Objects and lists nest more than ${MAX_DEPTH} deep here; a daemon config is a few levels deep, so this is not one someone wrote.`)
      const node = c === '{' ? this.parseObject() : this.parseArray()
      this.depth--
      return node
    }
    if (c === '"') {
      const value = this.parseString()
      return {kind: 'string', value, pos, end: this.pos()}
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber()
    for (const [word, node] of [
      ['true', {kind: 'boolean', value: true}],
      ['false', {kind: 'boolean', value: false}],
      ['null', {kind: 'null'}],
    ] as const) {
      if (this.text.startsWith(word, this.i)) {
        for (let k = 0; k < word.length; k++) this.advance()
        return {...node, pos, end: this.pos()} as JsonNode
      }
    }
    if (c === undefined) this.stop('The file ends where a value was expected.')
    if (c === "'") this.stop("A value in single quotes: JSON strings use double quotes.")
    this.stop(`Unexpected ${describeChar(c)} where a value was expected.`)
  }

  private parseObject(): JsonNode {
    const pos = this.pos()
    const members: JsonMember[] = []
    const seen = new Map<string, Pos>()
    if (this.openedEmpty('}')) return {kind: 'object', members, pos, end: this.pos()}
    for (;;) {
      this.skipSpace()
      const c = this.text[this.i]
      if (c !== '"') {
        if (c === undefined) this.stop('The file ends inside an object: a closing } is missing.')
        if (c === "'") this.stop("A key in single quotes: JSON keys use double quotes.")
        this.stop(`Unexpected ${describeChar(c)} where a "key" was expected.`)
      }
      const keyPos = this.pos()
      const key = this.parseString()
      const first = seen.get(key)
      if (first === undefined) seen.set(key, keyPos)
      else {
        this.problems.push({
          code: 'duplicate-key',
          message: `The key "${key}" appears again (first at line ${first.line}, column ${first.column}).`,
          pos: keyPos,
          key,
          firstPos: first,
        })
      }
      this.skipSpace()
      if (this.text[this.i] !== ':') this.stop(`A colon (:) is missing after the key "${key}".`)
      this.advance()
      this.skipSpace()
      const value = this.parseValue()
      members.push({key, keyPos, value})
      const closed = this.closeOrComma('}', {
        last: 'member of an object',
        unclosed: 'The file ends inside an object: a closing } is missing.',
        unexpected: (next) => (next === '"' ? 'A comma is missing between two members.' : `Unexpected ${describeChar(next)} after a member: expected , or }.`),
      })
      if (closed) return {kind: 'object', members, pos, end: this.pos()}
    }
  }

  private parseArray(): JsonNode {
    const pos = this.pos()
    const items: JsonNode[] = []
    if (this.openedEmpty(']')) return {kind: 'array', items, pos, end: this.pos()}
    for (;;) {
      this.skipSpace()
      items.push(this.parseValue())
      const closed = this.closeOrComma(']', {
        last: 'item of a list',
        unclosed: 'The file ends inside a list: a closing ] is missing.',
        unexpected: (next) => `Unexpected ${describeChar(next)} in a list: expected , or ].`,
      })
      if (closed) return {kind: 'array', items, pos, end: this.pos()}
    }
  }

  /** Past the opening bracket: true, and past the closing one too, when the container is empty. */
  private openedEmpty(close: '}' | ']'): boolean {
    this.advance()
    this.skipSpace()
    if (this.text[this.i] !== close) return false
    this.advance()
    return true
  }

  /**
  What follows a member or an item: a comma and more (false), or the closing bracket, also after a
  trailing comma, which is noted (true, past the bracket). Anything else stops with the container's words.
  */
  private closeOrComma(close: '}' | ']', words: {last: string; unclosed: string; unexpected: (next: string) => string}): boolean {
    this.skipSpace()
    const next = this.text[this.i]
    if (next === ',') {
      const commaPos = this.pos()
      this.advance()
      this.skipSpace()
      if (this.text[this.i] !== close) return false
      this.problems.push({code: 'trailing-comma', message: `A comma after the last ${words.last}.`, pos: commaPos})
    } else if (next !== close) {
      if (next === undefined) this.stop(words.unclosed)
      this.stop(words.unexpected(next))
    }
    this.advance()
    return true
  }

  private parseString(): string {
    const start = this.pos()
    this.advance()
    let out = ''
    for (;;) {
      const c = this.text[this.i]
      if (c === undefined) this.stop('A string is never closed: a " is missing.', start)
      if (c === '"') {
        this.advance()
        return out
      }
      if (c === '\n') this.stop('A string runs past the end of its line: a " is missing.', start)
      if (c.charCodeAt(0) < 0x20) this.stop(`A control character (${describeChar(c)}) inside a string.`)
      if (c === '\\') {
        const e = this.text[this.i + 1]
        const simple: Record<string, string> = {'"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t'}
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e]
          this.advance()
          this.advance()
          continue
        }
        if (e === 'u') {
          const hex = this.text.slice(this.i + 2, this.i + 6)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.stop('A \\u escape needs four hex digits.')
          out += String.fromCharCode(Number.parseInt(hex, 16))
          for (let k = 0; k < 6; k++) this.advance()
          continue
        }
        this.stop(`An invalid escape \\${e ?? ''} inside a string.`)
      }
      out += c
      this.advance()
    }
  }

  private parseNumber(): JsonNode {
    const pos = this.pos()
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.i))
    if (match === null) this.stop('A malformed number.')
    const raw = match[0]
    const after = this.text[this.i + raw.length]
    if (after !== undefined && /[0-9A-Za-z.+_]/.test(after)) this.stop(`A malformed number near ${describeChar(after)}.`, {...pos, column: pos.column + raw.length, offset: pos.offset + raw.length})
    for (let k = 0; k < raw.length; k++) this.advance()
    return {kind: 'number', value: Number(raw), raw, pos, end: this.pos()}
  }
}

function article(kind: JsonNode['kind']): string {
  return kind === 'array' ? 'a list ([ … ])' : kind === 'null' ? 'null' : `a ${kind}`
}

function describeChar(c: string): string {
  const code = c.codePointAt(0) ?? 0
  if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  return `'${c}'`
}

/** The plain JavaScript value of a node (last duplicate wins, as in Go's encoding/json). */
export function toValue(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const m of node.members) out[m.key] = toValue(m.value)
      return out
    }
    case 'array':
      return node.items.map(toValue)
    case 'null':
      return null
    default:
      return node.value
  }
}
