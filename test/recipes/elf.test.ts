import {execFileSync, spawn} from 'node:child_process'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'
import {bufferSource, ElfError, explainDebuggability, readElf, readElfFile} from '../../src/core/recipes/elf.js'
import {tinyElf} from './fixtures.js'

const dir = mkdtempSync(path.join(tmpdir(), 'dxr-elf-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function hasReadelf(): boolean {
  try {
    execFileSync('readelf', ['--version'], {stdio: 'pipe'})
    return true
  } catch {
    return false
  }
}

/** Section names as binutils' readelf lists them: the reference our reader must agree with. */
function readelfSections(file: string): string[] {
  const out = execFileSync('readelf', ['-S', '-W', file], {encoding: 'utf8'})
  return [...out.matchAll(/^\s*\[\s*\d+\]\s+(\S*)\s+[A-Z_0-9]+\s/gm)].map((m) => m[1] ?? '').filter((n) => n !== 'NULL')
}

describe('readElf on fixtures', () => {
  test('an unstripped Go-like binary has symbols and DWARF', async () => {
    const info = await readElf(bufferSource(tinyElf({symtab: true, dwarf: 'plain', go: true})))
    expect(info).toMatchObject({bits: 64, endian: 'little', kind: 'executable', hasSymtab: true, hasDwarf: true, dwarfCompressed: false, isGo: true})
    expect(explainDebuggability(info).debuggable).toBe(true)
  })
  test('a stripped one has neither, and the explanation says Delve refuses it (delve-real.test.ts makes dlv refuse)', async () => {
    const info = await readElf(bufferSource(tinyElf({go: true})))
    expect(info.hasSymtab).toBe(false)
    expect(info.hasDwarf).toBe(false)
    const why = explainDebuggability(info)
    expect(why.debuggable).toBe(false)
    expect(why.summary).toMatch(/-s -w/)
    expect(why.summary).toMatch(/refuses/)
  })
  test('old Go compressed DWARF (.zdebug_info) counts', async () => {
    const info = await readElf(bufferSource(tinyElf({symtab: true, dwarf: 'z'})))
    expect(info.hasDwarf).toBe(true)
    expect(info.dwarfCompressed).toBe(true)
  })
  test('the fixture really executes (the kernel accepts it) and blocks until killed', async () => {
    const file = path.join(dir, 'blocker')
    writeFileSync(file, tinyElf({symtab: true}))
    chmodSync(file, 0o755)
    const child = spawn(file, [], {stdio: 'ignore'})
    const exited = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 300)
      child.on('exit', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    expect(exited).toBe(false)
    child.kill('SIGKILL')
  })
  test.each([
    ['a script', Buffer.from('#!/bin/sh\necho hi\n'.padEnd(80, ' ')), /script/],
    ['text', Buffer.from('hello world, this is not an executable at all, not even close'), /not an ELF/],
    ['too short', Buffer.from('\x7fELF'), /too short/],
  ])('refuses %s with a clear error', async (_name, bytes, why) => {
    await expect(readElf(bufferSource(bytes))).rejects.toThrow(ElfError)
    await expect(readElf(bufferSource(bytes))).rejects.toThrow(why)
  })
  test('corrupted headers give an ElfError or a result, never another exception (2,000 mutations)', async () => {
    const valid = tinyElf({symtab: true, dwarf: 'plain', go: true})
    let seed = 42
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    // Bytes that steer the reader: the ELF header and the section header table at the end.
    const shoff = Number(valid.readBigUInt64LE(40))
    const interesting = [...Array.from({length: 64}, (_, i) => i), ...Array.from({length: valid.length - shoff}, (_, i) => shoff + i)]
    let errors = 0
    for (let round = 0; round < 2000; round++) {
      const bytes = Buffer.from(valid)
      for (let n = 0; n < 1 + Math.floor(random() * 4); n++) {
        const at = interesting[Math.floor(random() * interesting.length)] ?? 0
        bytes[at] = Math.floor(random() * 256)
      }
      try {
        await readElf(bufferSource(bytes))
      } catch (error) {
        expect(error).toBeInstanceOf(ElfError)
        errors++
      }
    }
    expect(errors).toBeGreaterThan(0)
  })

  test('a truncated section table is reported, not read past the end', async () => {
    const whole = tinyElf({symtab: true})
    await expect(readElf(bufferSource(whole.subarray(0, whole.length - 100)))).rejects.toThrow(/outside the file|truncated/)
  })
})

// Under CI the lab has installed binutils: a missing readelf fails these rather than skipping them.
describe.runIf(hasReadelf() || process.env.CI === 'true')('readElf agrees with binutils readelf on real binaries', () => {
  const candidates = ['/bin/busybox', process.execPath, '/bin/ls', '/usr/bin/docker', '/usr/bin/tmux'].filter((f) => {
    try {
      execFileSync('test', ['-f', f])
      return true
    } catch {
      return false
    }
  })
  test.each(candidates)('%s', async (file) => {
    const info = await readElfFile(file)
    const names = info.sections.map((s) => s.name).filter((n) => n !== '')
    expect(names).toEqual(readelfSections(file))
    const reference = readelfSections(file)
    expect(info.hasSymtab).toBe(reference.includes('.symtab'))
    expect(info.hasDwarf).toBe(reference.includes('.debug_info') || reference.includes('.zdebug_info'))
  })
  test('the fixtures too', async () => {
    for (const options of [{}, {symtab: true, dwarf: 'plain' as const, go: true}]) {
      const file = path.join(dir, 'fixture')
      writeFileSync(file, tinyElf(options))
      expect((await readElfFile(file)).sections.map((s) => s.name).filter(Boolean)).toEqual(readelfSections(file))
    }
  })
})
