import {execFileSync} from 'node:child_process'
import {describe, expect, test} from 'vitest'
import {checkValue, fillCommand, prepareCommand} from '../../src/core/recipes/fill.js'
import {parseRecipe} from '../../src/core/recipes/parse.js'
import {NeedsShellError, shellQuote, splitCommand, UnsafeValueError} from '../../src/core/recipes/quote.js'
import {RecipeError} from '../../src/core/recipes/types.js'

// Values an attacker (or an unlucky container name) could put into a command.
const HOSTILE = [
  'plain',
  'with space',
  'semi;colon; rm -rf /tmp/nope',
  '$(touch /tmp/dxr-pwned)',
  '`id`',
  "it's",
  "'; echo injected; '",
  '"double" \\"escaped\\"',
  'line one\nline two\n',
  'tab\there',
  '$HOME ${PATH} $((1+1))',
  '* ? [a-z] ~root',
  '&& || | > < >> 2>&1 &',
  '\\x1b[31m literal backslash escapes \\033 \\e \\n',
  '#not a comment',
  'ünïcødé ✓ 漢字',
  '',
  "''''",
  '\\',
  '!history !!',
]

/** Runs the quoted word through a real POSIX shell and returns what the program received as $1. */
function throughShell(quoted: string): string {
  return execFileSync('sh', ['-c', `printf %s ${quoted}`], {encoding: 'utf8'})
}

describe('shellQuote', () => {
  test.each(HOSTILE)('sh reads %j back verbatim', (value) => {
    const quoted = shellQuote(value)
    expect(throughShell(quoted)).toBe(value)
    // And as one word: a second argument would be printed by a second %s.
    expect(execFileSync('sh', ['-c', `set -- ${quoted}; printf %s "$#"`], {encoding: 'utf8'})).toBe('1')
  })

  test('500 random strings of shell metacharacters, quotes, blanks and Unicode all come back verbatim', () => {
    const alphabet = [...` \t\n!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~azAZ09`, 'é', '漢', '✓', '\u00a0']
    let seed = 7
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const values = Array.from({length: 500}, () => Array.from({length: Math.floor(random() * 24)}, () => alphabet[Math.floor(random() * alphabet.length)]).join(''))
    const script = `printf '%s\\0' ${values.map((v) => shellQuote(v)).join(' ')}`
    const out = execFileSync('sh', ['-c', script]).toString('utf8').split('\0')
    expect(out.slice(0, -1)).toEqual(values)
  })

  test('a filled shell=true step hands the value over verbatim, with nothing executed', () => {
    for (const value of HOSTILE) {
      const script = fillCommand('printf %s {{v}}', {v: value})
      expect(execFileSync('sh', ['-c', script], {encoding: 'utf8'})).toBe(value)
    }
  })

  test('a filled argv step splits back to exactly the value, the same way sh does', () => {
    const step = parseRecipe('---\ntitle: t\nsummary: s\nvariables:\n  v: {default: x}\n---\n```console\n$ printf %s {{v}}\n```\n', 't').steps[0]!
    for (const value of HOSTILE) {
      const prepared = prepareCommand(step, step.commands[0]!, {v: value})
      expect(prepared.argv).toEqual(['printf', '%s', value])
      expect(execFileSync('sh', ['-c', prepared.text], {encoding: 'utf8'})).toBe(value)
    }
  })

  test.each([
    ['NUL', 'a\u0000b', /NUL/],
    ['ESC (a colour sequence)', 'red \u001b[31mtext', /escape/],
    ['OSC 52 clipboard write', '\u001b]52;c;ZWNobyBoaQ==\u0007', /escape/],
    ['bell', 'ding\u0007', /control character/],
    ['carriage return (hides what came before)', 'safe\rrm -rf ~', /control character/],
    ['8-bit CSI', 'x\u009b31m', /control character/],
    ['backspace', 'ab\bc', /control character/],
    ['right-to-left override', 'abc\u202Edef', /bidirectional/],
    ['a lone surrogate', 'x\uD800y', /Unicode/],
  ])('refuses %s', (_name, value, reason) => {
    expect(() => shellQuote(value)).toThrow(UnsafeValueError)
    expect(() => shellQuote(value)).toThrow(reason)
    expect(() => fillCommand('echo {{v}}', {v: value})).toThrow(RecipeError)
  })

  test('a variable without a value says so, and the fix says how to give it', () => {
    expect(() => fillCommand('echo {{v}}', {})).toThrow(expect.objectContaining({message: 'The variable "v" has no value.', fix: 'Pass it with --var v=VALUE.'}))
  })

  test('plain words stay unquoted so commands read naturally', () => {
    expect(shellQuote('dagger-engine.dev')).toBe('dagger-engine.dev')
    expect(shellQuote('localhost/dagger-engine.dev:latest')).toBe('localhost/dagger-engine.dev:latest')
    expect(shellQuote('/usr/local/bin/dagger-engine')).toBe('/usr/local/bin/dagger-engine')
  })
})

describe('variable rules', () => {
  test('a value starting with - is refused even though it quotes fine', () => {
    expect(checkValue({name: 'c', description: 'a container'}, '--privileged')).toMatch(/option/)
  })
  test('a pattern pins the shape', () => {
    const pid = {name: 'pid', description: 'a PID', pattern: '[0-9]+'}
    expect(checkValue(pid, '7')).toBeUndefined()
    expect(checkValue(pid, '7; rm -rf /')).toMatch(/PID/)
  })
})

describe('splitCommand', () => {
  test('splits like sh for simple commands', () => {
    expect(splitCommand(`docker inspect --format '{{.State.Status}}' "dagger engine" a\\ b x"y"'z'`)).toEqual(['docker', 'inspect', '--format', '{{.State.Status}}', 'dagger engine', 'a b', 'xyz'])
    expect(splitCommand('docker run \\\n  --rm x  # comment')).toEqual(['docker', 'run', '--rm', 'x'])
    expect(splitCommand(`printf '%s\\n' "a\\"b" ''`)).toEqual(['printf', '%s\\n', 'a"b', ''])
  })
  test.each([
    ['a | b', /operator/],
    ['a && b', /operator/],
    ['a; b', /operator/],
    ['a > f', /operator/],
    ['echo $HOME', /expansion/],
    ['echo "$HOME"', /expansion/],
    ['echo `id`', /backtick/],
    ['ls *.md', /wildcard/],
    ['cd ~', /home directory/],
    ['FOO=1 cmd', /assignment/],
    ['a\nb', /several lines/],
    ["echo 'open", /never closed/],
  ])('%j needs a shell', (line, why) => {
    expect(() => splitCommand(line)).toThrow(NeedsShellError)
    expect(() => splitCommand(line)).toThrow(why)
  })
})

describe('parse rules', () => {
  const recipe = (block: string, variables = '  v: {default: x}\n') => `---\ntitle: t\nsummary: s\nvariables:\n${variables}---\n# H\n\n${block}\n`
  test('a step that needs a shell without saying so is an authoring error', () => {
    expect(() => parseRecipe(recipe('```console\n$ a | b\n```'), 't')).toThrow(/the operator `\|`, which only a shell understands\.$/)
    expect(() => parseRecipe(recipe('```console\n$ a | b\n```'), 't')).toThrow(expect.objectContaining({fix: 'Mark the block with {shell=true} to run it through sh.'}))
  })
  test('a placeholder inside quotes is an authoring error', () => {
    expect(() => parseRecipe(recipe('```sh {shell=true}\necho "{{v}}"\n```'), 't')).toThrow(/inside quotes\.$/)
    expect(() => parseRecipe(recipe('```sh {shell=true}\necho "{{v}}"\n```'), 't')).toThrow(expect.objectContaining({fix: 'Write it outside quotes; its value is quoted when it is filled in.'}))
  })
  test('an undeclared placeholder is an authoring error', () => {
    expect(() => parseRecipe(recipe('```console\n$ echo {{w}}\n```'), 't')).toThrow(/does not declare/)
  })
  test('Go templates are not placeholders', () => {
    const r = parseRecipe(recipe("```console\n$ docker ps --format '{{.Names}} {{json .Labels}}'\n```"), 't')
    expect(r.steps[0]?.uses).toEqual([])
  })
  test('optional and mayFail', () => {
    const r = parseRecipe(recipe('```console {name=a optional=true}\n$ x\n```\n```console {name=b mayFail=true}\n$ y\n```'), 't')
    expect(r.steps.map((s) => [s.name, s.optional, s.mayFail])).toEqual([
      ['a', true, false],
      ['b', false, true],
    ])
  })
  test('attributes, titles, output lines', () => {
    const r = parseRecipe(recipe('```console {name=look timeout=5}\n$ docker ps\nCONTAINER ID ...\n$ docker images\n```\n\n## Attach\n\n```sh {shell=true interactive=true name=go}\necho a | cat\n```'), 't')
    expect(r.steps.map((s) => [s.name, s.title, s.commands.length, s.shell, s.interactive, s.timeoutMs])).toEqual([
      ['look', 'H', 2, false, false, 5000],
      ['go', 'Attach', 1, true, true, 60_000],
    ])
  })
})
