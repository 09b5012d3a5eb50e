/**
Listens for SIGINT, SIGTERM and SIGHUP while a command runs cells, for the plain runner and the
engine commands alike. `on`, not `once`: execa's child cleanup (signal-exit) also listens while a
child runs, and re-raises the signal, killing us before the closing line, when it finds itself the
only listener left, which a `once` listener is not any more by the time signal-exit's runs.
*/
export interface StopSignals {
  /** Whether a stop signal has come. */
  readonly stopped: () => boolean
  /** Resolves (to undefined, for a race with the cell's result) when the first stop signal comes. */
  readonly interruption: Promise<undefined>
  /** Stops listening; until then a late signal still reaches `onStop`. */
  readonly release: () => void
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

export function watchStopSignals(onStop: () => void): StopSignals {
  let stopped = false
  let resolve: (value: undefined) => void = () => undefined
  const interruption = new Promise<undefined>((r) => (resolve = r))
  const listener = (): void => {
    stopped = true
    resolve(undefined)
    onStop()
  }
  for (const sig of STOP_SIGNALS) process.on(sig, listener)
  return {
    stopped: () => stopped,
    interruption,
    release: () => {
      for (const sig of STOP_SIGNALS) process.removeListener(sig, listener)
    },
  }
}
