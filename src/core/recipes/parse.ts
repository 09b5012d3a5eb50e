import {Lexer, type Token, type Tokens} from 'marked'
import {parse as parseYaml} from 'yaml'
import {NeedsShellError, splitCommand} from './quote.js'
import {RecipeError, type Recipe, type RecipeStep, type RecipeVariable} from './types.js'

/** Languages of fenced blocks that are steps; other blocks (json, toml) are shown, never run. */
const STEP_LANGS = new Set(['console', 'sh', 'shell', 'bash'])
export const DEFAULT_STEP_TIMEOUT_MS = 60_000
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g
const NAME = /^[a-z][a-z0-9-]*$/

/** Splits `---\nyaml\n---\nbody` into its two parts. */
function splitFrontMatter(text: string, file: string): {front: string; body: string} {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n')
  const match = /^---\n([\s\S]*?)\n---\n?/.exec(normalized)
  if (!match) throw new RecipeError(`${file} has no front matter: a recipe starts with a \`---\` line, YAML (title, summary, suggestedBy, variables), and another \`---\` line.`)
  return {front: match[1] ?? '', body: normalized.slice(match[0].length)}
}

/** Reads `{shell=true name=attach}` (Runme's cell attribute style) after the language. */
export function parseInfoString(info: string): {lang: string; attributes: Record<string, string>} {
  const trimmed = info.trim()
  const lang = (/^[^\s{]*/.exec(trimmed)?.[0] ?? '').toLowerCase()
  const attributes: Record<string, string> = {}
  const braces = /\{([^}]*)\}/.exec(trimmed)
  if (braces) {
    for (const m of (braces[1] ?? '').matchAll(/([A-Za-z][\w-]*)\s*=\s*("[^"]*"|'[^']*'|[^\s,}]+)/g)) {
      const raw = m[2] ?? ''
      attributes[m[1] ?? ''] = /^["']/.test(raw) ? raw.slice(1, -1) : raw
    }
  }
  return {lang, attributes}
}

function isTrue(value: string | undefined): boolean {
  return value === 'true' || value === 'yes' || value === '1'
}

/** Joins lines that end in a backslash with the next, keeping the backslash-newline for the splitter. */
function logicalLines(text: string): string[] {
  const out: string[] = []
  let current: string | undefined
  for (const line of text.split('\n')) {
    current = current === undefined ? line : `${current}\n${line}`
    if (/\\$/.test(line)) continue
    out.push(current)
    current = undefined
  }
  if (current !== undefined) out.push(current)
  return out
}

/** The commands of a block: `$ `-prefixed lines of a console block, or the lines (or whole script) of an sh block. */
function blockCommands(lang: string, text: string, shell: boolean): string[] {
  if (lang === 'console') {
    const commands: string[] = []
    const lines = text.split('\n')
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? ''
      if (!line.startsWith('$ ')) continue
      let command = line.slice(2)
      while (/\\$/.test(command) && i + 1 < lines.length) command += `\n${lines[++i] ?? ''}`
      commands.push(command)
    }
    return commands
  }
  if (shell) return text.trim() === '' ? [] : [text.replace(/\n+$/, '')]
  return logicalLines(text).filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
}

/** Placeholders must stand outside quotes: their values are quoted when filled in, and quotes inside quotes would break. */
function checkPlaceholderContext(command: string, where: string): void {
  let state: 'none' | 'single' | 'double' = 'none'
  for (let i = 0; i < command.length; i++) {
    const c = command[i]
    if (state !== 'single' && c === '\\') {
      i++
      continue
    }
    if (c === '{' && state !== 'none' && new RegExp(PLACEHOLDER.source, 'y').exec(command.slice(i)) !== null) {
      throw new RecipeError(`${where}: the placeholder at "${command.slice(i, i + 24)}" is inside quotes.`, {fix: 'Write it outside quotes; its value is quoted when it is filled in.'})
    }
    if (state === 'none' && c === "'") state = 'single'
    else if (state === 'single' && c === "'") state = 'none'
    else if (state === 'none' && c === '"') state = 'double'
    else if (state === 'double' && c === '"') state = 'none'
  }
}

function readVariables(raw: unknown, file: string): RecipeVariable[] {
  if (raw === undefined || raw === null) return []
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new RecipeError(`${file}: \`variables\` must be a map of name to {default, detect, description, pattern}.`)
  const out: RecipeVariable[] = []
  for (const [name, spec] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new RecipeError(`${file}: variable name "${name}" may only hold letters, digits and _.`)
    const s = (spec ?? {}) as Record<string, unknown>
    const text = (key: string): string | undefined => {
      const v = s[key]
      if (v === undefined || v === null) return undefined
      if (typeof v === 'object') throw new RecipeError(`${file}: variables.${name}.${key} must be a plain value.`)
      return String(v)
    }
    const pattern = text('pattern')
    if (pattern !== undefined) {
      try {
        new RegExp(pattern)
      } catch {
        throw new RecipeError(`${file}: variables.${name}.pattern is not a valid regular expression.`)
      }
    }
    const def = text('default')
    const detect = text('detect')
    out.push({
      name,
      description: text('description') ?? '',
      ...(def === undefined ? {} : {default: def}),
      ...(detect === undefined ? {} : {detect}),
      ...(pattern === undefined ? {} : {pattern}),
      ...(s.words === true ? {words: true} : {}),
    })
  }
  return out
}

function headingText(token: Tokens.Heading): string {
  return token.text.replace(/`/g, '').trim()
}

/** Parses one recipe file. Throws RecipeError with the file name and what is wrong. */
export function parseRecipe(text: string, name: string, file = `${name}.md`): Recipe {
  if (!NAME.test(name)) throw new RecipeError(`${file}: a recipe's file name must be kebab-case (a-z, 0-9, -).`)
  const {front, body} = splitFrontMatter(text, file)
  let meta: Record<string, unknown>
  try {
    const parsed: unknown = parseYaml(front)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('front matter is not a map')
    meta = parsed as Record<string, unknown>
  } catch (error) {
    throw new RecipeError(`${file}: the front matter is not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)}).`)
  }
  const title = typeof meta.title === 'string' ? meta.title.trim() : ''
  const summary = typeof meta.summary === 'string' ? meta.summary.trim() : ''
  if (!title || !summary) throw new RecipeError(`${file}: the front matter needs a \`title\` and a \`summary\`.`)
  const suggestedRaw = meta.suggestedBy ?? []
  if (!Array.isArray(suggestedRaw) || suggestedRaw.some((x) => typeof x !== 'string')) throw new RecipeError(`${file}: \`suggestedBy\` must be a list of finding ids.`)
  const variables = readVariables(meta.variables, file)
  const declared = new Set(variables.map((v) => v.name))

  const steps: RecipeStep[] = []
  const names = new Set<string>()
  let heading = title
  const visit = (tokens: readonly Token[]) => {
    for (const token of tokens) {
      if (token.type === 'heading') heading = headingText(token as Tokens.Heading)
      if (token.type === 'list') for (const item of (token as Tokens.List).items) visit(item.tokens)
      if (token.type !== 'code') continue
      const code = token as Tokens.Code
      const {lang, attributes} = parseInfoString(code.lang ?? '')
      if (!STEP_LANGS.has(lang)) continue
      const shell = isTrue(attributes.shell)
      const commands = blockCommands(lang, code.text, shell)
      if (commands.length === 0) continue
      const index = steps.length
      const stepName = attributes.name ?? `step-${index + 1}`
      const where = `${file}, step "${stepName}"`
      if (!NAME.test(stepName)) throw new RecipeError(`${where}: a step name must be kebab-case.`)
      if (names.has(stepName)) throw new RecipeError(`${where}: two steps share this name.`)
      names.add(stepName)
      const uses = new Set<string>()
      for (const command of commands) {
        checkPlaceholderContext(command, where)
        for (const m of command.matchAll(PLACEHOLDER)) {
          const v = m[1] ?? ''
          if (!declared.has(v)) throw new RecipeError(`${where} uses {{${v}}}, which the front matter does not declare under \`variables\`.`)
          uses.add(v)
        }
        if (!shell) {
          try {
            splitCommand(command.replace(PLACEHOLDER, 'value'))
          } catch (error) {
            if (error instanceof NeedsShellError) throw new RecipeError(`${where}: ${error.message}`, {fix: error.fix, cause: error})
            throw error
          }
        }
      }
      const interactive = isTrue(attributes.interactive)
      const sudo = commands.some((c) => /(^|[\s;&|(])sudo\s/.test(c))
      const printOnly = sudo
        ? 'it uses sudo: dagger-explore shows sudo commands for you to run, it never runs them itself'
        : attributes.run === 'false'
          ? (attributes.why ?? 'the recipe marks it to be run by hand')
          : undefined
      const seconds = Number(attributes.timeout)
      steps.push({
        index,
        name: stepName,
        title: heading,
        commands,
        shell,
        interactive,
        runnable: printOnly === undefined,
        ...(printOnly === undefined ? {} : {printOnly}),
        timeoutMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_STEP_TIMEOUT_MS,
        optional: isTrue(attributes.optional),
        mayFail: isTrue(attributes.mayFail),
        uses: [...uses],
        attributes,
      })
    }
  }
  visit(Lexer.lex(body))
  const cell = typeof meta.cell === 'string' ? meta.cell : undefined
  return {name, title, summary, suggestedBy: suggestedRaw as string[], variables, ...(cell === undefined ? {} : {cell}), body, steps}
}

export {PLACEHOLDER}
