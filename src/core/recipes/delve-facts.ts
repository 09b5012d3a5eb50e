/**
What Delve says, word for word, in the cases the Debugger cell predicts. Each text was printed by a
real `dlv attach` (Debian's delve 1.20.2) in the test lab, and test/recipes/delve-real.test.ts runs
dlv again and compares: if a Delve release changes its wording, that test fails, not the user.
*/

/** `dlv attach PID` on a Go binary linked with `-s -w` or `-w` (no DWARF): Delve refuses and exits 1. */
export function delveNoDebugInfoRefusal(pid: number | string): string {
  return `could not attach to pid ${pid}: could not open debug info - debuggee must not be built with 'go run' or -ldflags='-s -w', which strip debug info`
}

/** Delve's prompt after `exit` on an attached process: answer `n` or the engine is killed. */
export const DELVE_KILL_PROMPT = 'Would you like to kill the process? [Y/n]'

/** The flag Delve needs before it takes commands from a stdin that is not a terminal. */
export const DELVE_NON_TERMINAL_FLAG = '--allow-non-terminal-interactive=true'
