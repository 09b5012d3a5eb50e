import {lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {cli} from '../helpers/cli.js'

const dir = mkdtempSync(path.join(tmpdir(), 'de-reset-link-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('daemon-config reset on a symlink', () => {
  it('changes the target, keeps the link, and says so', async () => {
    const real = path.join(dir, 'real.json')
    const link = path.join(dir, 'daemon.json')
    writeFileSync(real, '{"debug": true, "iptables": false}\n')
    symlinkSync(real, link)
    const r = await cli(['daemon-config', 'reset', link, '--drop', 'debug', '--yes'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain(`${link} is a symlink to ${real}`)
    expect(r.stdout).toContain(`--- ${real}`)
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(JSON.parse(readFileSync(real, 'utf8'))).toEqual({iptables: false})
  })

  it('refuses a file that does not parse, changing nothing (exit 1)', async () => {
    const bad = path.join(dir, 'binary.json')
    writeFileSync(bad, Buffer.from([0x7b, 0x00, 0xff, 0x7d]))
    const r = await cli(['daemon-config', 'reset', bad, '--yes'])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/does not parse as a JSON object/)
    expect(r.stderr).toMatch(/not text: it holds a NUL byte/)
    expect(readFileSync(bad)).toEqual(Buffer.from([0x7b, 0x00, 0xff, 0x7d]))
  })

  it('calls a binary file (an ELF header) not text, as the check does, not a JSON syntax error at its first byte', async () => {
    const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00])
    const bad = path.join(dir, 'elf.json')
    writeFileSync(bad, elf)
    const r = await cli(['daemon-config', 'reset', bad, '--yes'])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/not text: it holds a NUL byte/)
    expect(r.stderr).not.toMatch(/not valid JSON|control character/)
    expect(readFileSync(bad)).toEqual(elf)
  })
})
