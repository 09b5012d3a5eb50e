import {execa} from 'execa'
import {realpathSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

/** The project's own Node (24), resolved: tmux panes must not pick up the system Node through PATH. */
export const NODE = realpathSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/.bin/node'))

/** A real terminal for end-to-end runs: tmux on its own server socket, so tests never touch the user's tmux. */
export class Tmux {
  private constructor(
    readonly socket: string,
    readonly session: string,
  ) {}

  static async start(command: readonly string[], options: {cols?: number; rows?: number; env?: Record<string, string>; socketPrefix?: string; cwd?: string} = {}): Promise<Tmux> {
    const id = `${options.socketPrefix ?? 'de'}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
    const t = new Tmux(id, id)
    const envArgs = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`])
    // tmux keeps its own PATH whatever -e says, so a PATH is handed over through env(1) instead.
    // The exit status is printed by a shell around the program: a tmux server started from a test
    // worker may never reap its child, so tmux's own pane_dead_status cannot be relied on.
    // The short sleep keeps the pane alive a moment: tmux redraws the main screen as it was when the
    // program entered the alternate screen if the pane dies right after leaving it, which would wipe
    // the program's last words ("Notes saved to …").
    const wrapped = ['sh', '-c', '"$@"; echo "[exited $?]"; sleep 0.5', 'sh', ...command]
    const run = options.env?.PATH === undefined ? wrapped : ['env', `PATH=${options.env.PATH}`, ...wrapped]
    await execa('tmux', ['-L', t.socket, '-f', '/dev/null', 'new-session', '-d', '-s', t.session, '-x', String(options.cols ?? 100), '-y', String(options.rows ?? 30), ...(options.cwd === undefined ? [] : ['-c', options.cwd]), ...envArgs, '--', ...run], {timeout: 10_000})
    // Keep the pane after the program exits so its last words can still be read.
    await execa('tmux', ['-L', t.socket, 'set-option', '-t', t.session, 'remain-on-exit', 'on'], {timeout: 5000, reject: false})
    return t
  }

  async keys(...keys: string[]): Promise<void> {
    await execa('tmux', ['-L', this.socket, 'send-keys', '-t', this.session, ...keys], {timeout: 5000})
  }

  async text(literal: string): Promise<void> {
    await execa('tmux', ['-L', this.socket, 'send-keys', '-t', this.session, '-l', literal], {timeout: 5000})
  }

  async screen(): Promise<string> {
    const r = await execa('tmux', ['-L', this.socket, 'capture-pane', '-p', '-t', this.session], {timeout: 5000, reject: false})
    return r.stdout
  }

  async waitFor(predicate: (screen: string) => boolean, timeoutMs = 15_000): Promise<string> {
    const started = Date.now()
    for (;;) {
      const screen = await this.screen()
      if (predicate(screen)) return screen
      if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for the screen; it shows:\n${screen}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  /** True once the program in the pane has exited (remain-on-exit keeps the pane). */
  async dead(): Promise<boolean> {
    const r = await execa('tmux', ['-L', this.socket, 'display-message', '-p', '-t', this.session, '#{pane_dead} #{pane_dead_status}'], {timeout: 5000, reject: false})
    return r.stdout.startsWith('1')
  }

  /** Waits (bounded) for the program to exit, then returns its exit status as the wrapping shell printed it. */
  async exitStatus(timeoutMs = 10_000): Promise<number | undefined> {
    const started = Date.now()
    for (;;) {
      const match = /\[exited (\d+)\]/.exec(await this.screen())
      if (match) return Number(match[1])
      if (Date.now() - started > timeoutMs) return undefined
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  async kill(): Promise<void> {
    await execa('tmux', ['-L', this.socket, 'kill-server'], {timeout: 5000, reject: false})
  }

  /** The screen with its styles as escape sequences (capture-pane -e), to check what is drawn in colour. */
  async styled(): Promise<string> {
    const r = await execa('tmux', ['-L', this.socket, 'capture-pane', '-p', '-e', '-t', this.session], {timeout: 5000, reject: false})
    return r.stdout
  }

  /** One tmux format variable of the pane, e.g. `#{history_size}`. */
  async display(format: string): Promise<string> {
    const r = await execa('tmux', ['-L', this.socket, 'display-message', '-p', '-t', this.session, format], {timeout: 5000})
    return r.stdout.trim()
  }

  /** Lines that scrolled off the top into tmux's history: 0 for a frame that fits (and on the alternate screen). */
  async historySize(): Promise<number> {
    return Number(await this.display('#{history_size}'))
  }

  async alternateOn(): Promise<boolean> {
    return (await this.display('#{alternate_on}')) === '1'
  }

  /** Resizes the terminal as a user dragging the window would; the program gets SIGWINCH. */
  async resize(cols: number, rows: number): Promise<void> {
    await execa('tmux', ['-L', this.socket, 'resize-window', '-t', this.session, '-x', String(cols), '-y', String(rows)], {timeout: 5000})
  }

  /** Waits until the screen holds still (two equal captures 300 ms apart), so a capture is a whole frame. */
  async steady(timeoutMs = 10_000): Promise<string> {
    const started = Date.now()
    let last = await this.screen()
    for (;;) {
      await new Promise((r) => setTimeout(r, 300))
      const now = await this.screen()
      if (now === last || Date.now() - started > timeoutMs) return now
      last = now
    }
  }
}

/** The screen as rows, exactly as many as the terminal has (capture-pane drops trailing blank rows). */
export function screenRows(screen: string, rows: number): string[] {
  const lines = screen.split('\n')
  while (lines.length < rows) lines.push('')
  return lines
}

/**
What is wrong with a frame, as sentences (empty when it fits): it must fill the terminal from its first row
(the header) to its last (the footer), no row wider than the terminal, and nothing pushed into the history.
`freeRows` allows blank rows under the footer, for a frame that keeps rows free on purpose.
*/
export async function frameProblems(t: Tmux, expected: {cols: number; rows: number; header: RegExp; footer: RegExp; freeRows?: number}): Promise<string[]> {
  const screen = await t.steady()
  const rows = screenRows(screen, expected.rows)
  const problems: string[] = []
  const history = await t.historySize()
  if (history !== 0) problems.push(`${history} lines scrolled into the history`)
  if (rows.length > expected.rows) problems.push(`${rows.length} rows for a ${expected.rows}-row terminal`)
  if (!expected.header.test(rows[0] ?? '')) problems.push(`the first row is not the header ${expected.header}: ${JSON.stringify(rows[0])}`)
  let last = rows.length - 1
  for (let free = 0; free < (expected.freeRows ?? 0) && last > 0 && (rows[last] ?? '').trim() === ''; free++) last--
  if (!expected.footer.test(rows[last] ?? '')) problems.push(`the last row is not the footer ${expected.footer}: ${JSON.stringify(rows[last])}`)
  const wide = rows.findIndex((r) => [...r].length > expected.cols)
  if (wide !== -1) problems.push(`row ${wide + 1} is wider than ${expected.cols} columns`)
  return problems.length === 0 ? [] : [...problems, `the screen:\n${screen}`]
}
