import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import tar from 'tar-stream'

/**
Test fixtures: a tiny ELF executable that blocks forever (optionally with a symbol table and DWARF
sections), and Docker images imported from a busybox rootfs: a synthetic engine and a "debugger
image" whose dlv is a stand-in script.
*/

export interface ElfOptions {
  readonly symtab?: boolean
  /** 'plain' → .debug_info, 'z' → .zdebug_info (old Go compressed DWARF). */
  readonly dwarf?: 'plain' | 'z'
  readonly go?: boolean
}

function code(): {machine: number; bytes: Buffer} {
  if (process.arch === 'arm64') {
    // movz x0..x3, #0; movz x8, #73 (ppoll); svc #0; b .-24 : ppoll with no fds and no timeout blocks forever.
    const words = [0xd2800000, 0xd2800001, 0xd2800002, 0xd2800003, 0xd2800928, 0xd4000001, 0x17fffffa]
    const b = Buffer.alloc(words.length * 4)
    words.forEach((w, i) => b.writeUInt32LE(w, i * 4))
    return {machine: 183, bytes: b}
  }
  // mov eax, 34 (pause); syscall; jmp back to the mov.
  return {machine: 62, bytes: Buffer.from([0xb8, 0x22, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xf7])}
}

/** Builds a static ELF64 little-endian executable for this machine's architecture. */
export function tinyElf(options: ElfOptions = {}): Buffer {
  const {machine, bytes} = code()
  const sections: {name: string; type: number; data: Buffer; flags?: number}[] = [{name: '.text', type: 1, data: bytes, flags: 0x6}]
  if (options.go) sections.push({name: '.gopclntab', type: 1, data: Buffer.from('go pcln fixture')})
  if (options.symtab) sections.push({name: '.symtab', type: 2, data: Buffer.alloc(48)}, {name: '.strtab', type: 3, data: Buffer.from('\0main\0')})
  if (options.dwarf === 'plain') sections.push({name: '.debug_info', type: 1, data: Buffer.from('dwarf fixture')}, {name: '.debug_line', type: 1, data: Buffer.alloc(8)})
  if (options.dwarf === 'z') sections.push({name: '.zdebug_info', type: 1, data: Buffer.from('ZLIB fixture')})
  const names = ['', ...sections.map((s) => s.name), '.shstrtab']
  const nameOffsets: number[] = []
  let strtab = ''
  for (const n of names) {
    nameOffsets.push(Buffer.byteLength(strtab))
    strtab += `${n}\0`
  }
  const all = [...sections, {name: '.shstrtab', type: 3, data: Buffer.from(strtab)}]
  const headerSize = 64 + 56
  const offsets: number[] = []
  let at = headerSize
  for (const s of all) {
    offsets.push(at)
    at += s.data.length
  }
  const shoff = Math.ceil(at / 8) * 8
  const shnum = all.length + 1
  const file = Buffer.alloc(shoff + shnum * 64)
  const base = 0x400000
  // ELF header
  file.write('\x7fELF', 0, 'latin1')
  file[4] = 2 // 64-bit
  file[5] = 1 // little endian
  file[6] = 1 // version
  file.writeUInt16LE(2, 16) // ET_EXEC
  file.writeUInt16LE(machine, 18)
  file.writeUInt32LE(1, 20)
  file.writeBigUInt64LE(BigInt(base + headerSize), 24) // entry: start of .text
  file.writeBigUInt64LE(64n, 32) // phoff
  file.writeBigUInt64LE(BigInt(shoff), 40)
  file.writeUInt16LE(64, 52) // ehsize
  file.writeUInt16LE(56, 54) // phentsize
  file.writeUInt16LE(1, 56) // phnum
  file.writeUInt16LE(64, 58) // shentsize
  file.writeUInt16LE(shnum, 60)
  file.writeUInt16LE(shnum - 1, 62) // shstrndx: the last section
  // One PT_LOAD mapping the whole file read+execute.
  file.writeUInt32LE(1, 64)
  file.writeUInt32LE(5, 68)
  file.writeBigUInt64LE(0n, 72)
  file.writeBigUInt64LE(BigInt(base), 80)
  file.writeBigUInt64LE(BigInt(base), 88)
  file.writeBigUInt64LE(BigInt(file.length), 96)
  file.writeBigUInt64LE(BigInt(file.length), 104)
  file.writeBigUInt64LE(0x1000n, 112)
  all.forEach((s, i) => {
    s.data.copy(file, offsets[i] ?? 0)
    const h = shoff + (i + 1) * 64
    file.writeUInt32LE(nameOffsets[i + 1] ?? 0, h)
    file.writeUInt32LE(s.type, h + 4)
    file.writeBigUInt64LE(BigInt(s.flags ?? 0), h + 8)
    file.writeBigUInt64LE(s.name === '.text' ? BigInt(base + (offsets[i] ?? 0)) : 0n, h + 16)
    file.writeBigUInt64LE(BigInt(offsets[i] ?? 0), h + 24)
    file.writeBigUInt64LE(BigInt(s.data.length), h + 32)
    file.writeBigUInt64LE(1n, h + 48)
    if (s.type === 2) {
      file.writeUInt32LE(i + 2, h + 40) // sh_link: .strtab follows .symtab
      file.writeBigUInt64LE(24n, h + 56) // sh_entsize of an Elf64_Sym
    }
  })
  return file
}

const APPLETS = ['sh', 'tr', 'printf', 'cat', 'ls', 'sleep', 'echo', 'kill', 'ps', 'test', 'true', 'env', 'id']

interface FileEntry {
  readonly name: string
  readonly mode?: number
  readonly data?: Buffer
  readonly link?: string
}

/** A busybox rootfs as a tar stream (Debian's busybox-static is fully static). */
async function rootfsTar(extra: readonly FileEntry[]): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer)
  })
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve)
    pack.on('error', reject)
  })
  const dirs = new Set<string>(['bin', 'proc', 'dev', 'sys', 'etc', 'tmp', 'usr', 'usr/local', 'usr/local/bin'])
  for (const d of dirs) pack.entry({name: d, type: 'directory', mode: 0o755})
  pack.entry({name: 'bin/busybox', mode: 0o755}, readFileSync('/bin/busybox'))
  for (const a of APPLETS) pack.entry({name: `bin/${a}`, type: 'symlink', linkname: 'busybox'})
  for (const f of extra) {
    if (f.link !== undefined) pack.entry({name: f.name, type: 'symlink', linkname: f.link})
    else pack.entry({name: f.name, mode: f.mode ?? 0o755}, f.data ?? Buffer.alloc(0))
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

const LAB_BASE = 'dagger-explore-lab/busybox:latest'

function imageExists(tag: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', tag], {stdio: 'pipe', timeout: 10_000})
    return true
  } catch {
    return false
  }
}

/** Just the extra files, as a tar to copy into a container. */
async function filesTar(extra: readonly FileEntry[]): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer)
  })
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve)
    pack.on('error', reject)
  })
  for (const f of extra) {
    if (f.link !== undefined) pack.entry({name: f.name, type: 'symlink', linkname: f.link})
    else pack.entry({name: f.name, mode: f.mode ?? 0o755}, f.data ?? Buffer.alloc(0))
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

/**
Makes an image holding busybox plus `extra`, with the given entrypoint; returns the tag. On the lab's
base image when it is there (create, copy the files in, commit), else from a rootfs of our own.
*/
export async function importImage(tag: string, extra: readonly FileEntry[], entrypoint: readonly string[]): Promise<string> {
  const change = `ENTRYPOINT ${JSON.stringify(entrypoint)}`
  if (imageExists(LAB_BASE)) {
    const id = execFileSync('docker', ['create', '--pull', 'never', '--network', 'none', LAB_BASE, '/bin/true'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000}).trim()
    try {
      execFileSync('docker', ['cp', '-', `${id}:/`], {input: await filesTar(extra.filter((f) => !f.name.startsWith('bin/'))), stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000})
      execFileSync('docker', ['commit', '--change', change, '--change', 'CMD []', id, tag], {stdio: 'pipe', timeout: 60_000})
    } finally {
      execFileSync('docker', ['rm', '-f', id], {stdio: 'pipe', timeout: 30_000})
    }
    return tag
  }
  const input = await rootfsTar(extra)
  execFileSync('docker', ['import', '-c', change, '-', tag], {input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000})
  return tag
}

/** A unique prefix for everything one test file creates. */
export function uniquePrefix(area: string): string {
  return `dxr-${area}-${randomBytes(3).toString('hex')}`
}

// The Delve stand-in: prints its arguments and the processes it can see, which proves it joined the
// engine's PID namespace. On a terminal it then waits for a line, as Delve's prompt does (the
// hand-over test types into it); with DLV_STANDIN_SLEEP it stays up that many seconds.
const DLV_STANDIN = `#!/bin/sh
echo "dlv stand-in: $*"
for p in /proc/[0-9]*; do echo "sees pid \${p#/proc/}: $(tr '\\0' ' ' < $p/cmdline 2>/dev/null)"; done
if [ -t 0 ]; then
  printf '(dlv) '
  read -r line
  echo "dlv stand-in got: $line"
fi
if [ -n "$DLV_STANDIN_SLEEP" ]; then sleep "$DLV_STANDIN_SLEEP"; fi
exit 0
`

export async function buildDlvImage(prefix: string): Promise<string> {
  return importImage(`${prefix}/dlv:latest`, [{name: 'usr/local/bin/dlv', data: Buffer.from(DLV_STANDIN)}], ['/usr/local/bin/dlv'])
}

/** A synthetic engine image: /usr/local/bin/dagger-engine is a tiny ELF that blocks forever. */
export async function buildEngineImage(prefix: string, elf: ElfOptions, name = 'engine'): Promise<string> {
  return importImage(`${prefix}/${name}:latest`, [{name: 'usr/local/bin/dagger-engine', data: tinyElf(elf)}], ['/usr/local/bin/dagger-engine'])
}

/** Starts an engine container: `exec` → the engine is PID 1; `init` → a shell runs as PID 1 (as tini does) with the engine as its child. */
export function startEngine(image: string, name: string, mode: 'exec' | 'init', extraArgs: readonly string[] = []): string {
  const args = ['run', '-d', '--pull', 'never', '--name', name, '--network', 'none', ...extraArgs]
  if (mode === 'init') args.push('--entrypoint', '/bin/sh', image, '-c', '/usr/local/bin/dagger-engine --debug & wait')
  else args.push(image, '--debug')
  return execFileSync('docker', args, {encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe']}).trim()
}

export function removeContainers(names: readonly string[]): void {
  if (names.length === 0) return
  try {
    execFileSync('docker', ['rm', '-fv', ...names], {stdio: 'pipe', timeout: 30_000})
  } catch {
    // Already gone.
  }
}

export function removeImages(tags: readonly string[]): void {
  for (const tag of tags) {
    try {
      execFileSync('docker', ['rmi', '-f', tag], {stdio: 'pipe', timeout: 30_000})
    } catch {
      // Already gone.
    }
  }
}
