import {constants} from 'node:os'
import type {Recorder} from '../notebook/recorder.js'
import type {PreparedCommand, PreparedStep} from './types.js'

export interface CommandOutcome {
  readonly command: PreparedCommand
  readonly exitCode: number | null
  /** Captured output (sanitised); empty for an interactive command, whose output went to the terminal. */
  readonly output: string
}

export interface StepOutcome {
  readonly step: string
  readonly ok: boolean
  readonly commands: readonly CommandOutcome[]
  /** Set when the step was not run at all (print-only). */
  readonly skipped?: string
}

export interface RunStepOptions {
  readonly recorder: Recorder
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
  /** How to start dagger-explore itself (node and its script) for steps that call \`dagger-explore …\`: it may not be on PATH under npx. */
  readonly self?: readonly string[]
  /** Where a step that takes the terminal writes its output: stderr when stdout carries a result (`--json`). */
  readonly interactiveStdout?: 'stdout' | 'stderr'
}

function withSelf(command: PreparedCommand, self: readonly string[] | undefined): PreparedCommand {
  if (!self || self.length === 0 || command.argv[0] !== 'dagger-explore') return command
  return {...command, argv: [...self, ...command.argv.slice(1)]}
}

const TERMINAL_SIGNALS = ['SIGINT', 'SIGQUIT', 'SIGTSTP'] as const

/**
While a child owns the terminal, Ctrl-C, Ctrl-\\ and Ctrl-Z are the child's (a shell prompt, Delve
halting its target): the terminal sends them to the whole foreground group, so dagger-explore sets its
own handlers aside and ignores them until the child exits, as shells and git do around an editor.
*/
async function withTerminalSignalsHeld<T>(run: () => Promise<T>): Promise<T> {
  // rawListeners keeps once() wrappers, so a one-shot handler stays one-shot when it is put back.
  const saved = TERMINAL_SIGNALS.map((signal) => ({signal, listeners: process.rawListeners(signal)}))
  const ignore = () => undefined
  for (const {signal} of saved) {
    process.removeAllListeners(signal)
    process.on(signal, ignore)
  }
  try {
    return await run()
  } finally {
    for (const {signal, listeners} of saved) {
      process.removeListener(signal, ignore)
      for (const listener of listeners) process.on(signal, listener as (...args: unknown[]) => void)
    }
  }
}

/**
Hands the terminal to a program (a debugger, a shell) and takes it back when it exits. The caller has
released the terminal first (Ink's suspendTerminal, or a CLI that is not drawing). Output goes straight
to the terminal, so the record says that instead of holding it.
*/
async function runInteractive(command: PreparedCommand, options: RunStepOptions): Promise<number | null> {
  const {execa} = await import('execa')
  const [file, ...args] = command.argv
  const startedAt = new Date()
  const result = await withTerminalSignalsHeld(() =>
    execa(file ?? 'false', args, {
      reject: false,
      // fd 2 for stdout keeps a `--json` result alone on stdout while the program still has the terminal.
      stdio: options.interactiveStdout === 'stderr' ? ['inherit', 2, 'inherit'] : 'inherit',
      cancelSignal: options.recorder.signal,
      forceKillAfterDelay: 2000,
      ...(options.cwd === undefined ? {} : {cwd: options.cwd}),
      ...(options.env === undefined ? {} : {env: options.env, extendEnv: false}),
    }),
  )
  const code = (result as {code?: string}).code
  const notFound = code === 'ENOENT' || code === 'EACCES'
  const signal = result.signal
  // A program ended by a signal (Ctrl-C) gets the shell's number for it, 128 + the signal.
  const signalled = signal === undefined ? undefined : 128 + (constants.signals[signal as keyof typeof constants.signals] ?? 0)
  const exitCode = notFound ? 127 : (result.exitCode ?? signalled ?? null)
  options.recorder.record({
    kind: 'exec',
    argv: command.argv,
    exitCode,
    output: notFound
      ? `${file}: command not found`
      : `(interactive: the terminal was handed over to this program; its output is not recorded)${signal === undefined ? '' : `\nIt ended on ${signal}.`}`,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  })
  return exitCode
}

/** Runs a prepared step's commands in order, recording each; stops at the first that fails. */
export async function runStep(prepared: PreparedStep, options: RunStepOptions): Promise<StepOutcome> {
  const {step} = prepared
  if (!step.runnable) return {step: step.name, ok: true, commands: [], skipped: step.printOnly ?? 'print-only step'}
  const outcomes: CommandOutcome[] = []
  for (const original of prepared.commands) {
    const command = withSelf(original, options.self)
    if (step.interactive) {
      const exitCode = await runInteractive(command, options)
      outcomes.push({command, exitCode, output: ''})
      if (exitCode !== 0) return {step: step.name, ok: false, commands: outcomes}
      continue
    }
    const [file, ...args] = command.argv
    const result = await options.recorder.exec(file ?? 'false', args, {
      timeoutMs: step.timeoutMs,
      ...(options.cwd === undefined ? {} : {cwd: options.cwd}),
      ...(options.env === undefined ? {} : {env: options.env}),
    })
    const record = options.recorder.commands.at(-1)
    outcomes.push({command, exitCode: result.exitCode, output: record?.output ?? ''})
    if (result.exitCode !== 0) return {step: step.name, ok: false, commands: outcomes}
  }
  return {step: step.name, ok: true, commands: outcomes}
}

/** What a dry run shows: each command as typed, and the argument vector that would be executed. */
export function describeDryRun(prepared: PreparedStep): string {
  const lines: string[] = []
  for (const command of prepared.commands) {
    lines.push(`$ ${command.text.replace(/\n/g, '\n  ')}`)
    lines.push(`  argv: ${JSON.stringify(command.argv)}`)
  }
  if (!prepared.step.runnable) lines.push(`  (print-only: ${prepared.step.printOnly ?? 'not run by the app'})`)
  else if (prepared.step.interactive) lines.push('  (interactive: the terminal is handed over to it until it exits)')
  return lines.join('\n')
}
