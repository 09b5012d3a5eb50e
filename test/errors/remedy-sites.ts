import path from 'node:path'
import ts from 'typescript'

/**
Finds every place in src that gives a DaggerExploreError its message, and whether that message
tells the user what to do. The rule the guard test holds src to: `message` states what is wrong,
`fix` what to do about it; a remedy inside the message is misplaced whether or not a fix is also
given (text mode would print it twice or out of its "Fix:" line, and --json would hide it in
`error`). The compiler API, not a regex, so a message built over several lines, through a
constant, a conditional or a helper such as `usage(text)` is still read.
*/
export interface MessageSite {
  readonly file: string
  readonly line: number
  /** The error class the message ends up in. */
  readonly errorClass: string
  /** The message as written, template holes shown as `X`; one entry per branch of a conditional. */
  readonly texts: readonly string[]
  /** The sentence that reads as a remedy, when one does. */
  readonly remedy: string | undefined
  /** Whether the site passes a fix (true when it cannot be told, e.g. a spread or a variable). */
  readonly hasFix: boolean
}

/** Verbs that open an instruction to the user. */
const VERBS = [
  'run', 'rerun', 're-run', 'use', 'pass', 'set', 'unset', 'install', 'try', 'check', 'fix', 'remove', 'add', 'give', 'choose', 'start', 'stop',
  'see', 'point', 'name', 'make', 'open', 'restart', 'delete', 'enable', 'disable', 'upgrade', 'update', 'put', 'rename', 'quote', 'wait',
  'free', 'edit', 'change', 'move', 'pick', 'drop', 'leave', 'build', 'pull', 'log', 'ask', 'type', 'write', 'export', 'call', 'allow', 'grant',
  'create', 'mount', 'let', 'keep', 'read', 'look', 'replace', 'retry', 'split', 'shorten', 'trust', 'connect', 'configure', 'save', 'supply',
  'specify', 'select', 'append', 'prefix', 'omit', 'say', 'list', 'copy', 'load', 'reset', 'store', 'mark', 'reinstall', 'review', 'correct',
]
/** An example of what to type is advice too: it belongs with the fix. */
const EXAMPLE = /(?:^|[.!?;]\s+)((?:Example|For example|E\.g\.):?\s)/
const REMEDY = new RegExp(
  // A sentence (or a clause after ';', ':', '—', '(' or ' or ') that opens with one of the verbs, a
  // backtick or quote around the verb allowed, followed by a word or a code span.
  String.raw`(?:^|[.!?;:]\s+|\(\s*|\s[—–]\s+|\bor\s+|\bthen\s+|\n\s*)([\x60"']?(?:${VERBS.join('|')})\b[\x60"']?\s+(?:[\x60"'<(\-]|[A-Za-z0-9]))`,
  'i',
)
/** Lower-case verbs only count after a clause break, not after a full stop (there a verb is capitalised). */
export function remedyIn(text: string): string | undefined {
  const example = EXAMPLE.exec(text)
  if (example) return text.slice(example.index).replace(/^[.!?;]\s+/, '').trim()
  for (const sentence of text.split(/(?<=[.!?])\s+(?=[A-Z\x60"'(])/)) {
    const m = REMEDY.exec(sentence)
    if (!m) continue
    const at = m.index + m[0].length - m[1]!.length
    const first = sentence.slice(at).replace(/^[\x60"']/, '')
    const opensSentence = at === 0 || /[.!?]\s+$|\n\s*$/.test(sentence.slice(0, at))
    // A capitalised verb opens a sentence; after a clause break a lower-case one still instructs ("…; run X", "or try X").
    if (opensSentence && !/^[A-Z]/.test(first)) continue
    return sentence.trim()
  }
  return undefined
}

interface Forwarder {
  /** Which argument becomes the message. */
  readonly message: number
  /** Which argument carries the fix: a string, or an advice object with `fix`; `always` when the callee adds one itself. */
  readonly fix: {readonly kind: 'string' | 'advice'; readonly index: number; readonly defaulted?: boolean} | 'always' | 'never'
  readonly errorClass: string
}

export function scanMessageSites(root: string): MessageSite[] {
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile)
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root)
  const srcDir = path.join(root, 'src') + path.sep
  const program = ts.createProgram({rootNames: parsed.fileNames.filter((f) => f.startsWith(srcDir)), options: {...parsed.options, noEmit: true}})
  const checker = program.getTypeChecker()
  const files = program.getSourceFiles().filter((f) => f.fileName.startsWith(srcDir))

  const resolve = (node: ts.Node): ts.Declaration | undefined => {
    let symbol = checker.getSymbolAtLocation(node)
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol)
    return symbol?.valueDeclaration ?? symbol?.declarations?.[0]
  }

  // Each error class, its constructor, or a helper function that passes one of its arguments into a message.
  const forwarders = new Map<ts.Node, Forwarder>()
  const base = files.flatMap((f) => f.statements).find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === 'DaggerExploreError')
  if (!base) throw new Error('DaggerExploreError not found in src')
  forwarders.set(base, {message: 0, fix: {kind: 'advice', index: 1}, errorClass: 'DaggerExploreError'})

  const stringFix = (fn: ts.SignatureDeclaration, i: number): Forwarder['fix'] =>
    i < 0 ? 'always' : {kind: 'string', index: i, defaulted: fn.parameters[i]?.initializer !== undefined}
  const paramIndex = (fn: ts.SignatureDeclaration, expr: ts.Expression | undefined): number => {
    if (!expr || !ts.isIdentifier(expr)) return -1
    return fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === expr.text)
  }
  /** How the callee called with `args` receives its fix, in terms of the enclosing function's parameters. */
  const fixOf = (callee: Forwarder, args: readonly ts.Expression[], fn: ts.SignatureDeclaration): Forwarder['fix'] => {
    if (callee.fix === 'always' || callee.fix === 'never') return callee.fix
    const arg = args[callee.fix.index]
    if (!arg) return 'never'
    if (callee.fix.kind === 'string') {
      return stringFix(fn, paramIndex(fn, arg))
    }
    if (ts.isObjectLiteralExpression(arg)) {
      const prop = arg.properties.find((p) => p.name !== undefined && ts.isIdentifier(p.name) && p.name.text === 'fix')
      const spread = arg.properties.find(ts.isSpreadAssignment)
      if (prop && ts.isPropertyAssignment(prop)) {
        return stringFix(fn, paramIndex(fn, prop.initializer))
      }
      if (prop && ts.isShorthandPropertyAssignment(prop)) {
        return stringFix(fn, paramIndex(fn, prop.name))
      }
      if (spread) {
        const i = paramIndex(fn, spread.expression)
        return i >= 0 ? {kind: 'advice', index: i} : 'always'
      }
      return 'never'
    }
    const i = paramIndex(fn, arg)
    return i >= 0 ? {kind: 'advice', index: i} : 'always'
  }

  const calleeOf = (call: ts.NewExpression | ts.CallExpression | ts.SuperCall): Forwarder | undefined => {
    if (call.expression.kind === ts.SyntaxKind.SuperKeyword) {
      const cls = ts.findAncestor(call, ts.isClassLike)
      const heritage = cls?.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]
      return heritage ? forwarderFor(resolve(heritage.expression)) : undefined
    }
    return forwarderFor(resolve(call.expression))
  }
  const forwarderFor = (decl: ts.Declaration | undefined): Forwarder | undefined => {
    if (!decl) return undefined
    if (ts.isVariableDeclaration(decl) && decl.initializer && (ts.isArrowFunction(decl.initializer) || ts.isFunctionExpression(decl.initializer))) return forwarders.get(decl.initializer)
    return forwarders.get(decl)
  }

  // Classes first, parents before children (repeat until nothing new), then helper functions the same way.
  const classes = files.flatMap((f) => collect(f, ts.isClassDeclaration))
  const functions = files.flatMap((f) => collect(f, (n): n is ts.FunctionLikeDeclaration => ts.isFunctionDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)))
  for (let changed = true; changed; ) {
    changed = false
    for (const cls of classes) {
      if (forwarders.has(cls)) continue
      const heritage = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]
      const parent = heritage && forwarderFor(resolve(heritage.expression))
      if (!parent) continue
      const ctor = cls.members.find(ts.isConstructorDeclaration)
      const name = cls.name?.text ?? 'anonymous'
      if (!ctor) {
        forwarders.set(cls, {...parent, errorClass: name})
      } else {
        const superCall = collect(ctor, (n): n is ts.CallExpression => ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword)[0]
        const args = superCall?.arguments ?? ts.factory.createNodeArray()
        forwarders.set(cls, {message: paramIndex(ctor, args[parent.message]), fix: fixOf(parent, args, ctor), errorClass: name})
      }
      changed = true
    }
    for (const fn of functions) {
      if (forwarders.has(fn)) continue
      for (const call of collect(fn, (n): n is ts.NewExpression | ts.CallExpression => ts.isNewExpression(n) || ts.isCallExpression(n))) {
        if (ts.findAncestor(call.parent, ts.isFunctionLike) !== fn) continue
        const callee = calleeOf(call)
        const i = callee ? paramIndex(fn, call.arguments?.[callee.message]) : -1
        if (!callee || i < 0) continue
        forwarders.set(fn, {message: i, fix: fixOf(callee, call.arguments ?? [], fn), errorClass: callee.errorClass})
        changed = true
        break
      }
    }
  }

  const sites: MessageSite[] = []
  for (const file of files) {
    for (const call of collect(file, (n): n is ts.NewExpression | ts.CallExpression => ts.isNewExpression(n) || ts.isCallExpression(n))) {
      const callee = calleeOf(call)
      if (!callee) continue
      const args = call.arguments ?? ts.factory.createNodeArray()
      const arg = args[callee.message]
      // A message passed straight on from the enclosing function's parameter is checked where that function is called.
      const fn = ts.findAncestor(call.parent, ts.isFunctionLike)
      if (!arg || (fn && forwarders.has(fn) && paramIndex(fn, arg) >= 0) || (fn && ts.isConstructorDeclaration(fn) && paramIndex(fn, arg) >= 0)) continue
      const texts = textsOf(arg, checker)
      if (texts.length === 0) continue
      const fix = callee.fix === 'always' ? true : callee.fix === 'never' ? false : (args[callee.fix.index] === undefined && callee.fix.defaulted === true) || hasFixArg(args[callee.fix.index], callee.fix.kind)
      const {line} = file.getLineAndCharacterOfPosition(call.getStart())
      sites.push({
        file: path.relative(root, file.fileName),
        line: line + 1,
        errorClass: callee.errorClass,
        texts,
        remedy: texts.map(remedyIn).find((r) => r !== undefined),
        hasFix: fix,
      })
    }
  }
  return sites
}

function hasFixArg(arg: ts.Expression | undefined, kind: 'string' | 'advice'): boolean {
  if (!arg) return false
  if (arg.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isIdentifier(arg) && arg.text === 'undefined')) return false
  if (kind === 'string' || !ts.isObjectLiteralExpression(arg)) return true
  return arg.properties.some((p) => ts.isSpreadAssignment(p) || (p.name !== undefined && ts.isIdentifier(p.name) && p.name.text === 'fix'))
}

function collect<T extends ts.Node>(root: ts.Node, test: (n: ts.Node) => n is T): T[] {
  const out: T[] = []
  const visit = (n: ts.Node): void => {
    if (test(n)) out.push(n)
    ts.forEachChild(n, visit)
  }
  ts.forEachChild(root, visit)
  return out
}

/** The message's literal text, holes as `X`; each branch of a conditional separately (at most 64 combinations). */
function textsOf(expr: ts.Expression, checker: ts.TypeChecker, depth = 0): string[] {
  const cap = (xs: string[]): string[] => xs.slice(0, 64)
  if (depth > 8) return ['X']
  if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isNonNullExpression(expr)) return textsOf(expr.expression, checker, depth + 1)
  if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return [expr.text]
  if (ts.isTemplateExpression(expr)) {
    let acc = [expr.head.text]
    for (const span of expr.templateSpans) {
      const inner = textsOf(span.expression, checker, depth + 1)
      acc = cap(acc.flatMap((a) => inner.map((i) => a + i + span.literal.text)))
    }
    return acc
  }
  if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = textsOf(expr.left, checker, depth + 1)
    const right = textsOf(expr.right, checker, depth + 1)
    return cap(left.flatMap((l) => right.map((r) => l + r)))
  }
  if (ts.isBinaryExpression(expr) && (expr.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || expr.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    return cap([...textsOf(expr.left, checker, depth + 1), ...textsOf(expr.right, checker, depth + 1)])
  }
  if (ts.isConditionalExpression(expr)) return cap([...textsOf(expr.whenTrue, checker, depth + 1), ...textsOf(expr.whenFalse, checker, depth + 1)])
  if (ts.isIdentifier(expr)) {
    const decl = checker.getSymbolAtLocation(expr)?.valueDeclaration
    // A const declared with its text is read through; anything else is a hole.
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) return textsOf(decl.initializer, checker, depth + 1)
    return ['X']
  }
  return ['X']
}

// `node test/errors/remedy-sites.ts [root]` prints the sites whose message holds a remedy, and the counts.
if (import.meta.url === `file://${process.argv[1]}`) {
  const sites = scanMessageSites(path.resolve(process.argv[2] ?? '.'))
  const withRemedy = sites.filter((s) => s.remedy !== undefined)
  const by = new Map<string, [number, number, number]>()
  for (const s of sites) {
    const c = by.get(s.errorClass) ?? [0, 0, 0]
    c[0]++
    if (s.hasFix) c[1]++
    if (s.remedy) c[2]++
    by.set(s.errorClass, c)
  }
  if (process.argv.includes('--list')) for (const s of withRemedy) console.log(`${s.file}:${s.line} ${s.errorClass}${s.hasFix ? ' (has fix)' : ''}: ${s.remedy}`)
  console.log('class sites with-fix remedy-in-message')
  for (const [k, [n, f, r]] of [...by].sort((a, b) => b[1][0] - a[1][0])) console.log(`${k} ${n} ${f} ${r}`)
  console.log(`total ${sites.length} sites, ${sites.filter((s) => s.hasFix).length} with a fix, ${withRemedy.length} with a remedy in the message (${withRemedy.filter((s) => !s.hasFix).length} of them without a fix)`)
}
