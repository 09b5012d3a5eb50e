import {execa} from 'execa'

/** A real terminal for end-to-end runs: tmux on its own server socket, so tests never touch the user's tmux. */
export class Tmux {
  private constructor(
    readonly socket: string,
    readonly session: string,
  ) {}

  static async start(command: readonly string[], options: {cols?: number; rows?: number; env?: Record<string, string>} = {}): Promise<Tmux> {
    const id = `de-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
    const t = new Tmux(id, id)
    const envArgs = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`])
    // tmux keeps its own PATH whatever -e says, so a PATH is handed over through env(1) instead.
    // The exit status is printed by a shell around the program: a tmux server started from a test
    // worker may never reap its child, so tmux's own pane_dead_status cannot be relied on.
    const wrapped = ['sh', '-c', '"$@"; echo "[exited $?]"', 'sh', ...command]
    const run = options.env?.PATH === undefined ? wrapped : ['env', `PATH=${options.env.PATH}`, ...wrapped]
    await execa('tmux', ['-L', t.socket, '-f', '/dev/null', 'new-session', '-d', '-s', t.session, '-x', String(options.cols ?? 100), '-y', String(options.rows ?? 30), ...envArgs, '--', ...run], {timeout: 10_000})
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
}
