/**
The file writes under way right now, kept where bin/dagger-explore.js's stop-signal handler can see
them (a global symbol: bin is plain JavaScript loaded before the app): a signal that arrives while a
note is being written lets that write finish (its rename lands, its temporary file goes) before the
process exits 130, instead of cutting it and leaving a `.tmp` beside the notes.
*/
const KEY = Symbol.for('dagger-explore in-flight writes')

/** What bin reads off the global: whether a write is under way, and the one wait for them all. */
interface Registry {
  readonly writes: Set<Promise<unknown>>
  readonly settled: (limitMs: number) => Promise<void>
}

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>
  return (holder[KEY] ??= {writes: new Set(), settled: writesSettled})
}

/** Runs the write, listed as in flight until it settles. */
export function tracked<T>(write: () => Promise<T>): Promise<T> {
  const {writes} = registry()
  const running = write()
  const settled = running.then(
    () => undefined,
    () => undefined,
  )
  writes.add(settled)
  void settled.then(() => writes.delete(settled))
  return running
}

/**
Resolves when no write is under way, or after `limitMs`. It looks again after each batch settles:
a log save is several writes in a row (sidecars, the log, its state), and the next one starts as the
previous one lands.
*/
export function writesSettled(limitMs: number): Promise<void> {
  const {writes} = registry()
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, limitMs)
    const look = (): void => {
      if (writes.size === 0) {
        clearTimeout(timer)
        resolve()
        return
      }
      void Promise.all([...writes]).then(() => setImmediate(look))
    }
    look()
  })
}
