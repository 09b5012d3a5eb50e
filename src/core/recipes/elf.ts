import {DaggerExploreError} from '../errors.js'
import {open} from 'node:fs/promises'

/**
A minimal ELF section-header reader: enough to tell whether a binary still has its symbol table and
DWARF, which decides whether Delve can show functions and source lines. Reads only the header and
the section table, so a 100 MB engine binary costs a few kilobytes of I/O.
*/

/** Random access to the bytes of a file, wherever it lives. */
export interface ByteSource {
  readonly size: number
  read(offset: number, length: number): Promise<Uint8Array>
}

export interface ElfSection {
  readonly name: string
  readonly type: number
  readonly flags: number
  readonly offset: number
  readonly size: number
}

export interface ElfInfo {
  readonly bits: 32 | 64
  readonly endian: 'little' | 'big'
  /** e_type: executable, shared object (also PIE executables), relocatable, core. */
  readonly kind: 'executable' | 'shared' | 'relocatable' | 'core' | 'other'
  readonly machine: string
  readonly sections: readonly ElfSection[]
  /** `.symtab` present: function names resolve. */
  readonly hasSymtab: boolean
  /** `.debug_info` or `.zdebug_info` present: source lines, types and variables resolve. */
  readonly hasDwarf: boolean
  /** DWARF is there but compressed (`.zdebug_*` or SHF_COMPRESSED); Delve reads both. */
  readonly dwarfCompressed: boolean
  /** Built by the Go toolchain (`.gopclntab` or `.go.buildinfo`). */
  readonly isGo: boolean
  /** Debug info lives in a separate file (`.gnu_debuglink`). */
  readonly debugLink: boolean
}

export class ElfError extends DaggerExploreError {
  override readonly name = 'ElfError'
}

const SHF_COMPRESSED = 0x800
const SHN_XINDEX = 0xffff
const MAX_SECTIONS = 65_536
const MACHINES: Record<number, string> = {3: 'x86', 8: 'mips', 20: 'ppc', 21: 'ppc64', 22: 's390x', 40: 'arm', 62: 'x86-64', 183: 'aarch64', 243: 'riscv', 258: 'loongarch'}
const KINDS: Record<number, ElfInfo['kind']> = {1: 'relocatable', 2: 'executable', 3: 'shared', 4: 'core'}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  }
}

/** Opens a file for random access; `close` must be called. */
export async function fileSource(path: string): Promise<ByteSource & {close(): Promise<void>}> {
  const handle = await open(path, 'r')
  const {size} = await handle.stat()
  return {
    size,
    read: async (offset, length) => {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)))
      if (buffer.length === 0) return buffer
      const {bytesRead} = await handle.read(buffer, 0, buffer.length, offset)
      return buffer.subarray(0, bytesRead)
    },
    close: () => handle.close(),
  }
}

async function readExactly(source: ByteSource, offset: number, length: number, what: string): Promise<DataView> {
  if (offset < 0 || length < 0 || offset + length > source.size) throw new ElfError(`The ${what} lies outside the file (offset ${offset}, ${length} bytes, file ${source.size} bytes): the file is truncated or not a valid ELF binary.`)
  const bytes = await source.read(offset, length)
  if (bytes.length !== length) throw new ElfError(`Could not read the ${what}: the file ended early.`)
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Reads the section table of an ELF file. Throws ElfError when it is not ELF or is malformed. */
export async function readElf(source: ByteSource): Promise<ElfInfo> {
  if (source.size < 52) throw new ElfError(`The file is ${source.size} bytes long, too short to be an ELF binary.`)
  const ident = await readExactly(source, 0, 16, 'ELF identification')
  if (ident.getUint32(0, false) !== 0x7f454c46) {
    const head = new Uint8Array(ident.buffer, ident.byteOffset, 2)
    const script = head[0] === 0x23 && head[1] === 0x21
    throw new ElfError(script ? 'The file is a script (it starts with #!), not an ELF binary.' : 'The file is not an ELF binary (no \\x7fELF magic at its start).')
  }
  const bits = ident.getUint8(4) === 2 ? 64 : ident.getUint8(4) === 1 ? 32 : undefined
  const little = ident.getUint8(5) === 1 ? true : ident.getUint8(5) === 2 ? false : undefined
  if (bits === undefined || little === undefined) throw new ElfError('The ELF header names an unknown class or byte order.')
  const header = await readExactly(source, 0, bits === 64 ? 64 : 52, 'ELF header')
  const u16 = (view: DataView, at: number) => view.getUint16(at, little)
  const u32 = (view: DataView, at: number) => view.getUint32(at, little)
  const addr = (view: DataView, at: number) => (bits === 64 ? Number(view.getBigUint64(at, little)) : view.getUint32(at, little))
  const type = u16(header, 16)
  const machine = u16(header, 18)
  const shoff = addr(header, bits === 64 ? 0x28 : 0x20)
  const shentsize = u16(header, bits === 64 ? 0x3a : 0x2e)
  let shnum = u16(header, bits === 64 ? 0x3c : 0x30)
  let shstrndx = u16(header, bits === 64 ? 0x3e : 0x32)
  const entry = bits === 64 ? 64 : 40
  const base = {bits, endian: little ? 'little' : 'big', kind: KINDS[type] ?? 'other', machine: MACHINES[machine] ?? `machine ${machine}`} as const
  if (shoff === 0) return {...base, sections: [], hasSymtab: false, hasDwarf: false, dwarfCompressed: false, isGo: false, debugLink: false}
  if (shentsize < entry) throw new ElfError(`The section header size (${shentsize}) is smaller than ELF requires (${entry}).`)

  const readHeader = async (index: number) => {
    const view = await readExactly(source, shoff + index * shentsize, entry, `section header ${index}`)
    return {
      nameOffset: u32(view, 0),
      type: u32(view, 4),
      flags: addr(view, 8),
      offset: addr(view, bits === 64 ? 0x18 : 0x10),
      size: addr(view, bits === 64 ? 0x20 : 0x14),
      link: u32(view, bits === 64 ? 0x28 : 0x18),
    }
  }
  // More than 0xff00 sections, or a string table index past it, spill into section 0 (ELF extended numbering).
  if (shnum === 0 || shstrndx === SHN_XINDEX) {
    const zero = await readHeader(0)
    if (shnum === 0) shnum = zero.size
    if (shstrndx === SHN_XINDEX) shstrndx = zero.link
  }
  if (shnum > MAX_SECTIONS) throw new ElfError(`The file claims ${shnum} sections, more than any real binary has.`)
  const table = await readExactly(source, shoff, shnum * shentsize, 'section header table')
  const raw = Array.from({length: shnum}, (_, i) => {
    const at = i * shentsize
    return {
      nameOffset: u32(table, at),
      type: u32(table, at + 4),
      flags: bits === 64 ? Number(table.getBigUint64(at + 8, little)) : u32(table, at + 8),
      offset: bits === 64 ? Number(table.getBigUint64(at + 0x18, little)) : u32(table, at + 0x10),
      size: bits === 64 ? Number(table.getBigUint64(at + 0x20, little)) : u32(table, at + 0x14),
    }
  })
  const strtab = raw[shstrndx]
  if (!strtab) throw new ElfError(`The section name table index (${shstrndx}) is past the ${shnum} sections.`)
  const names = await readExactly(source, strtab.offset, strtab.size, 'section name table')
  const nameBytes = new Uint8Array(names.buffer, names.byteOffset, names.byteLength)
  const decoder = new TextDecoder('latin1')
  const nameAt = (offset: number) => {
    if (offset >= nameBytes.length) return ''
    const end = nameBytes.indexOf(0, offset)
    return decoder.decode(nameBytes.subarray(offset, end === -1 ? nameBytes.length : end))
  }
  const sections = raw.map((s) => ({name: nameAt(s.nameOffset), type: s.type, flags: s.flags, offset: s.offset, size: s.size}))
  const byName = new Map(sections.map((s) => [s.name, s]))
  const debugInfo = byName.get('.debug_info')
  const zdebug = byName.has('.zdebug_info')
  return {
    ...base,
    sections,
    hasSymtab: byName.has('.symtab'),
    hasDwarf: debugInfo !== undefined || zdebug,
    dwarfCompressed: zdebug || (debugInfo !== undefined && (debugInfo.flags & SHF_COMPRESSED) !== 0),
    isGo: byName.has('.gopclntab') || byName.has('.go.buildinfo') || byName.has('.note.go.buildid'),
    debugLink: byName.has('.gnu_debuglink'),
  }
}

/** Reads an ELF file on disk. */
export async function readElfFile(path: string): Promise<ElfInfo> {
  const source = await fileSource(path)
  try {
    return await readElf(source)
  } finally {
    await source.close()
  }
}

/** What the sections mean for Delve, in one or two sentences. */
export function explainDebuggability(info: ElfInfo): {debuggable: boolean; summary: string} {
  if (info.hasSymtab && info.hasDwarf) {
    return {debuggable: true, summary: `The binary has a symbol table and DWARF${info.dwarfCompressed ? ' (compressed)' : ''}: Delve can show functions, source lines and variables.`}
  }
  const missing = [info.hasSymtab ? undefined : 'symbol table (.symtab)', info.hasDwarf ? undefined : 'DWARF debug info (.debug_info)'].filter(Boolean).join(' and ')
  const how = info.isGo ? ' It was linked with `-s -w` (as release and dev engine builds are).' : ''
  const link = info.debugLink ? ' A .gnu_debuglink section points at a separate debug file, which Delve does not load for a binary inside a container.' : ''
  return {
    debuggable: false,
    summary: info.hasDwarf
      ? `The binary has no ${missing}.${link}`
      : `The binary has no ${missing}.${how}${link} Delve needs the DWARF debug info to attach at all: it refuses such a process.`,
  }
}
