/** A unified diff of two small texts (configs are tens of lines), from a longest-common-subsequence table. */

type Op = {readonly kind: ' ' | '-' | '+'; readonly line: string}

function splitLines(text: string): string[] {
  if (text === '') return []
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

function diffOps(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length
  const m = b.length
  // Past this size a table costs too much; show the whole file as replaced instead.
  if (n * m > 4_000_000) return [...a.map((line) => ({kind: '-' as const, line})), ...b.map((line) => ({kind: '+' as const, line}))]
  const lcs: Uint32Array[] = Array.from({length: n + 1}, () => new Uint32Array(m + 1))
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array
    const below = lcs[i + 1] as Uint32Array
    for (let j = m - 1; j >= 0; j--) row[j] = a[i] === b[j] ? (below[j + 1] ?? 0) + 1 : Math.max(below[j] ?? 0, row[j + 1] ?? 0)
  }
  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({kind: ' ', line: a[i] ?? ''})
      i++
      j++
    } else if ((lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0)) ops.push({kind: '-', line: a[i++] ?? ''})
    else ops.push({kind: '+', line: b[j++] ?? ''})
  }
  while (i < n) ops.push({kind: '-', line: a[i++] ?? ''})
  while (j < m) ops.push({kind: '+', line: b[j++] ?? ''})
  return ops
}

/** `diff -u` style output; empty string when the texts are equal. */
export function unifiedDiff(before: string, after: string, fromLabel: string, toLabel: string, context = 3): string {
  const aLines = splitLines(before)
  const bLines = splitLines(after)
  const ops = diffOps(aLines, bLines)
  if (ops.every((o) => o.kind === ' ')) return ''
  const aTotal = aLines.length
  const bTotal = bLines.length
  const aNoNewline = before !== '' && !before.endsWith('\n')
  const bNoNewline = after !== '' && !after.endsWith('\n')
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`]
  // Line numbers before each op, on both sides.
  const aLine: number[] = []
  const bLine: number[] = []
  let x = 1
  let y = 1
  for (const op of ops) {
    aLine.push(x)
    bLine.push(y)
    if (op.kind !== '+') x++
    if (op.kind !== '-') y++
  }
  let k = 0
  while (k < ops.length) {
    if (ops[k]?.kind === ' ') {
      k++
      continue
    }
    let start = Math.max(0, k - context)
    let end = k
    // Extend the hunk while the next change is within 2 × context unchanged lines.
    for (;;) {
      while (end < ops.length && ops[end]?.kind !== ' ') end++
      let next = end
      while (next < ops.length && ops[next]?.kind === ' ') next++
      if (next < ops.length && next - end <= context * 2) end = next
      else {
        end = Math.min(ops.length, end + context)
        break
      }
    }
    const slice = ops.slice(start, end)
    const aCount = slice.filter((o) => o.kind !== '+').length
    const bCount = slice.filter((o) => o.kind !== '-').length
    const aStart = aCount === 0 ? (aLine[start] ?? 1) - 1 : (aLine[start] ?? 1)
    const bStart = bCount === 0 ? (bLine[start] ?? 1) - 1 : (bLine[start] ?? 1)
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`)
    for (let i = start; i < end; i++) {
      const o = ops[i]
      if (o === undefined) continue
      out.push(`${o.kind}${o.line}`)
      // As diff -u: a side whose last line has no newline says so right after that line.
      const lastOfA = o.kind !== '+' && (aLine[i] ?? 0) === aTotal && aNoNewline
      const lastOfB = o.kind !== '-' && (bLine[i] ?? 0) === bTotal && bNoNewline
      if (lastOfA || lastOfB) out.push('\\ No newline at end of file')
    }
    k = end
    start = end
  }
  return `${out.join('\n')}\n`
}
