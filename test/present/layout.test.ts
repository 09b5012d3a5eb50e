import {describe, expect, it} from 'vitest'
import {factLabelWidth, factLines, reflow, tokens, wrapText, type LayoutRow} from '../../src/core/present/layout.js'
import {MORE_MARK} from '../../src/core/present/sideways.js'

const WIDTHS = Array.from({length: 181}, (_, i) => 20 + i)

/** Every example of issue 14's "Wrapping" paragraph, as the producers write them. */
const EXAMPLES: readonly {name: string; text: string; hang?: number; keep: readonly string[]}[] = [
  {
    name: 'intro sentence',
    text: reflow([
      'This notebook walks you from a fresh dagger clone to a running dagger-engine.dev, one step at a time:',
      'your environment and Docker daemon, the registries the build pulls from, the build itself, the engine',
      'container, what is inside the engine image, and how to attach a debugger.',
    ])[0] as string,
    keep: ['dagger-engine.dev,'],
  },
  {
    name: 'intro: nothing destructive',
    text: reflow(['Each step shows every command it runs and explains what it finds. Nothing destructive happens without', 'asking you first, and everything is written to the notes file shown at the top, to keep or share.'])[0] as string,
    keep: [],
  },
  {
    name: 'curl install command',
    text: '    Fix: Install the dagger CLI (https://docs.dagger.io/install, e.g. `curl -fsSL https://dl.dagger.io/dagger/install.sh | BIN_DIR=$HOME/.local/bin sh`) and make sure it is on PATH.',
    keep: ['`curl -fsSL https://dl.dagger.io/dagger/install.sh | BIN_DIR=$HOME/.local/bin sh`)', '(https://docs.dagger.io/install,'],
  },
  {
    name: 'sysctl command',
    text: '    Fix: Enable forwarding: `sudo sysctl -w net.ipv4.ip_forward=1` (persist it in /etc/sysctl.d/), or let dockerd manage it (remove `--ip-forward=false`).',
    keep: ['`sudo sysctl -w net.ipv4.ip_forward=1`', '/etc/sysctl.d/),', '`--ip-forward=false`).'],
  },
  {
    name: 'image reference',
    text: '! WARN The running engine uses localhost/dagger-engine.dev:latest, not the image you just built from the checkout',
    hang: 7,
    keep: ['localhost/dagger-engine.dev:latest,'],
  },
  {
    name: 'daemon.json path',
    text: '    Why: max-concurrent-downloads is raised to 10 in /etc/docker/daemon.json and the daemon runs with it',
    keep: ['/etc/docker/daemon.json'],
  },
  {
    name: 'docker run in a confirmation',
    text: 'Run it? `docker run -d --name dagger-engine.dev --privileged -v dagger-engine.dev:/var/lib/dagger localhost/dagger-engine.dev:latest --debug` y/n',
    keep: ['`docker run -d --name dagger-engine.dev --privileged -v dagger-engine.dev:/var/lib/dagger localhost/dagger-engine.dev:latest --debug`'],
  },
]

function hangOf(text: string, hang?: number): number {
  if (hang !== undefined) return hang
  const indent = /^ */.exec(text)?.[0].length ?? 0
  const label = /^(Why|Fix|Recipe|Docs): /.exec(text.slice(indent))
  return indent + (label?.[0].length ?? 0)
}

/**
A continuation row starts at the hanging indent; a token too wide for the room after it moves left
just enough to show whole, or starts at column 0 when it is cut.
*/
function keepsHang(r: LayoutRow, pad: string, width: number): boolean {
  if (r.full !== undefined) return !r.text.startsWith(' ') && r.text.endsWith(MORE_MARK)
  const [token, ...more] = tokens(r.text)
  if (r.text.startsWith(pad) && r.text[pad.length] !== ' ') return true
  return more.length === 0 && token !== undefined && r.text === ' '.repeat(Math.min(pad.length, width - token.length)) + token
}

/** The whole token a row stands for: itself when uncut, its `full` when cut. */
function wholeTokens(rows: readonly LayoutRow[]): string[] {
  return rows.flatMap((r) => (r.full !== undefined ? [r.full] : tokens(r.text)))
}

describe('wrapText on issue 14 examples at every width 20..200', () => {
  for (const example of EXAMPLES) {
    it(example.name, () => {
      for (const width of WIDTHS) {
        const rows = wrapText(example.text, width, example.hang === undefined ? {} : {hang: example.hang})
        const where = `${example.name} at ${width}`
        // Fits the pane.
        for (const r of rows) expect(r.text.length, where).toBeLessThanOrEqual(width)
        // No word, path, URL or command was broken: the tokens read back are the text's tokens.
        expect(wholeTokens(rows), where).toEqual(tokens(example.text))
        for (const keep of example.keep) expect(wholeTokens(rows), where).toContain(keep)
        // A cut row says so and carries the rest.
        for (const r of rows) if (r.full !== undefined) expect(r.text.endsWith(MORE_MARK), where).toBe(true)
        // Continuation rows keep the hanging indent (capped at half the width).
        const pad = ' '.repeat(Math.min(hangOf(example.text, example.hang), Math.floor(width / 2)))
        for (const r of rows.slice(1)) expect(keepsHang(r, pad, width), `${where}: ${JSON.stringify(r.text)}`).toBe(true)
        // Greedy: no row was broken while the next token would still have fit.
        for (let i = 0; i + 1 < rows.length; i++) {
          const next = rows[i + 1] as LayoutRow
          if ((rows[i] as LayoutRow).full !== undefined) continue
          const nextToken = next.full ?? (tokens(next.text)[0] as string)
          expect((rows[i] as LayoutRow).text.length + 1 + nextToken.length, `${where}: row ${i}`).toBeGreaterThan(width)
        }
      }
    })
  }

  it('reads the mid-command breaks of the issue never again', () => {
    for (const width of WIDTHS) {
      const text = wrapText(EXAMPLES[3]!.text, width).map((r) => r.text).join('\n')
      expect(text).not.toMatch(/sysctl -w\n/)
      expect(text).not.toMatch(/`curl\n/)
      const ref = wrapText(EXAMPLES[4]!.text, width, {hang: 7}).map((r) => r.text).join('\n')
      expect(ref).not.toMatch(/lates\n/)
      const daemon = wrapText(EXAMPLES[5]!.text, width).map((r) => r.text).join('\n')
      expect(daemon).not.toMatch(/\/etc\/docker\/d\n/)
    }
  })
})

describe('wrapText details', () => {
  it('moves a command that fits the pane but not the room after the hang left, whole', () => {
    const rows = wrapText('    Fix: Enable forwarding: `sudo sysctl -w net.ipv4.ip_forward=1` now', 40)
    expect(rows).toEqual([{text: '    Fix: Enable forwarding:'}, {text: '  `sudo sysctl -w net.ipv4.ip_forward=1`'}, {text: '         now'}])
  })

  it('leaves a line that fits alone', () => {
    expect(wrapText('short', 20)).toEqual([{text: 'short'}])
  })

  it('puts a command too wide for the pane on its own row, cut with the marker, and returns it whole', () => {
    const command = '`docker run --privileged -v /var/lib/dagger localhost/dagger-engine.dev:latest`'
    const rows = wrapText(`    Fix: run ${command} then retry`, 40)
    expect(rows).toEqual([
      {text: '    Fix: run'},
      {text: `${command.slice(0, 40 - MORE_MARK.length)}${MORE_MARK}`, full: command},
      {text: '         then retry'},
    ])
  })

  it('cuts a verbatim line (command, output) instead of wrapping it', () => {
    const line = '$ docker buildx build --platform linux/amd64,linux/arm64 -t localhost/dagger-engine.dev:latest .'
    for (const width of WIDTHS) {
      const rows = wrapText(line, width, {verbatim: true})
      expect(rows).toHaveLength(1)
      expect(rows[0]!.text.length).toBeLessThanOrEqual(width)
      if (line.length > width) expect(rows[0]).toEqual({text: `${line.slice(0, width - MORE_MARK.length)}${MORE_MARK}`, full: line})
      else expect(rows[0]).toEqual({text: line})
    }
  })

  it('keeps a code span with its surrounding punctuation, and treats an unclosed backtick as a character', () => {
    expect(tokens('run (`a b c`), then `x')).toEqual(['run', '(`a b c`),', 'then', '`x'])
    expect(tokens('``a ` b`` c')).toEqual(['``a ` b``', 'c'])
  })

  it('never returns a row wider than the pane, even at width 1', () => {
    for (const width of [1, 2, 3, 5]) for (const r of wrapText('abcdef ghijkl', width)) expect(r.text.length).toBeLessThanOrEqual(width)
  })
})

describe('reflow', () => {
  it('joins hard-wrapped lines of a paragraph and keeps blank lines, list items, commands and indented lines', () => {
    expect(reflow(['Each step shows', 'every command.', '', '- one', '- two', '$ docker ps', '  indented', 'Next', 'line'])).toEqual([
      'Each step shows every command.',
      '',
      '- one',
      '- two',
      '$ docker ps',
      '  indented',
      'Next line',
    ])
  })
})

describe('fact tables', () => {
  const facts = [
    {label: 'OS', value: 'Debian 12'},
    {label: 'tonistiigi/binfmt@sha256:8db0f6dc7a8e1c2f93bb9ca3a3da6d0c1a2b3c4d5e6f', value: 'present'},
    {label: 'Docker endpoint', value: 'unix:///var/run/docker.sock\n(chosen by default)'},
  ]

  it('caps the label column: one long label takes its own row instead of pushing every value right', () => {
    expect(factLabelWidth(facts.map((f) => f.label))).toBe('Docker endpoint'.length)
    const lines = factLines(facts)
    const col = 'Docker endpoint'.length + 2
    expect(lines.map((l) => l.text)).toEqual([
      `${'OS'.padEnd(col - 2)}  Debian 12`,
      facts[1]!.label,
      `${' '.repeat(col)}present`,
      `Docker endpoint  unix:///var/run/docker.sock`,
      `${' '.repeat(col)}(chosen by default)`,
    ])
    expect(lines.every((l) => l.hang === col)).toBe(true)
    expect(lines[1]!.label).toBe(true)
  })

  it('wraps a long value under its value column at every width', () => {
    const [line] = factLines([{label: 'Registry references', value: 'docker.io/library/golang:1.24-alpine docker.io/library/alpine:3.22 gcr.io/distroless/static-debian12 tonistiigi/xx:1.6.1'}])
    for (const width of WIDTHS) {
      const rows = wrapText(line!.text, width, {hang: line!.hang})
      const pad = ' '.repeat(Math.min(line!.hang, Math.floor(width / 2)))
      for (const r of rows.slice(1)) expect(keepsHang(r, pad, width), `${width}: ${r.text}`).toBe(true)
      expect(wholeTokens(rows)).toEqual(tokens(line!.text))
    }
  })

  it('keeps a short label padded when its value wraps, so the first value row lines up with the rest', () => {
    const lines = factLines([
      {label: 'Config file', value: '/etc/docker/daemon.json'},
      {label: 'Why this file', value: 'The running dockerd (pid 26389) has no --config-file, so it reads the default /etc/docker/daemon.json.'},
    ])
    const hang = lines[1]!.hang
    const rows = wrapText(lines[1]!.text, 56, {hang})
    expect(rows.length).toBeGreaterThan(1)
    for (const r of rows) expect(r.text.length).toBeLessThanOrEqual(56)
    expect(rows[0]!.text.startsWith(`${'Why this file'.padEnd(hang)}The running`)).toBe(true)
    for (const r of rows.slice(1)) expect(r.text.slice(0, hang).trim()).toBe('')
    expect(rows.map((r) => r.text.trim()).join(' ').split(/\s+/)).toEqual(lines[1]!.text.split(/\s+/))
  })
})
