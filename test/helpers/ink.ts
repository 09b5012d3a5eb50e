/** Lets React and Ink flush: a frame can be visible before its input handlers are armed. */
export async function settle(): Promise<void> {
  await new Promise((r) => setImmediate(r))
  await new Promise((r) => setTimeout(r, 0))
}

/** Polls a frame until `predicate` holds, so tests never depend on fixed sleeps. */
export async function waitForFrame(lastFrame: () => string | undefined, predicate: (frame: string) => boolean, timeoutMs = 10_000): Promise<string> {
  const started = Date.now()
  for (;;) {
    const frame = lastFrame() ?? ''
    if (predicate(frame)) {
      await settle()
      return frame
    }
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for the frame; last frame:\n${frame}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
