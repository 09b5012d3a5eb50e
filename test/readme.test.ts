import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {COMMANDS} from '../src/cli/main.js'
import {ROOT, cli} from './helpers/cli.js'

/** Template leftovers: `{helpof('check')}`, `{{"key", …}}` (an unformatted f-string) or `${name}`. */
export function placeholders(text: string): string[] {
  const patterns = [/\{[A-Za-z_$][\w$.]*\([^)]*\)\}/g, /\{\{/g, /\$\{[A-Za-z_][\w.]*\}/g, /(?<!\$)\{[A-Za-z_]\w*\}/g]
  // Source code (the contributor section's example cell) has real template literals and destructuring.
  let inCode = false
  return text.split('\n').flatMap((line, i) => {
    const fence = /^\s*```(\w*)/.exec(line)
    if (fence) {
      inCode = !inCode && /^(?:ts|tsx|typescript|js|javascript)$/.test(fence[1] ?? '')
      return []
    }
    if (inCode) return []
    return patterns.flatMap((p) => [...line.matchAll(p)].map((m) => `README.md:${i + 1}: ${m[0]}`))
  })
}

describe('README.md', () => {
  it('spots each kind of placeholder', () => {
    expect(placeholders("{helpof('check')}\n`{{\"notesDir\", …}}`\nfoo ${name}\n{title}")).toHaveLength(4)
    expect(placeholders('`{"file", "sessions": [{"file"}]}` and {…} and `a}}`')).toEqual([])
    expect(placeholders('```ts\nconst {bytes} = `${n}`\n```\n```text\n${left}\n```')).toEqual(['README.md:5: ${left}'])
  })

  it('holds no unfilled placeholder', () => {
    expect(placeholders(readFileSync(path.join(ROOT, 'README.md'), 'utf8'))).toEqual([])
  })

  /** Every fenced block of the README, as written. */
  function fencedBlocks(text: string): string[] {
    const blocks: string[] = []
    let current: string[] | undefined
    for (const line of text.split('\n')) {
      if (line.startsWith('```')) {
        if (current === undefined) current = []
        else {
          blocks.push(`${current.join('\n')}\n`)
          current = undefined
        }
      } else current?.push(line)
    }
    return blocks
  }

  // The command reference is the real --help of each command, word for word, so it cannot drift.
  it.each([[], ...Object.keys(COMMANDS).map((name) => [name])])('shows the real --help of `dagger-explore %s`', async (...command) => {
    const result = await cli([...command, '--help'], {env: {NO_COLOR: '1'}})
    expect(result.exitCode).toBe(0)
    expect(fencedBlocks(readFileSync(path.join(ROOT, 'README.md'), 'utf8'))).toContain(result.stdout.endsWith('\n') ? result.stdout : `${result.stdout}\n`)
  })
})
