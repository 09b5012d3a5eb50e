import {createInterface} from 'node:readline'
import type {CliIO} from './io.js'

/**
The one way a subcommand asks a question on the terminal. Questions go to stderr, so stdout carries
only results (a pipe or --json never gets a prompt in it). Answers are read line by line from one
reader, so several questions can share stdin, and lines typed ahead are kept for the next question.
*/
export class Prompter {
  private readonly lines: string[] = []
  private readonly waiting: ((line: string | undefined) => void)[] = []
  private closed = false
  private readonly rl: ReturnType<typeof createInterface>

  constructor(private readonly io: CliIO) {
    this.rl = createInterface({input: io.stdin, terminal: false})
    this.rl.on('line', (line) => {
      const waiter = this.waiting.shift()
      if (waiter === undefined) this.lines.push(line)
      else waiter(line)
    })
    this.rl.on('close', () => {
      this.closed = true
      for (const waiter of this.waiting.splice(0)) waiter(undefined)
    })
  }

  /** The answer, trimmed; undefined when input ended. */
  async ask(question: string): Promise<string | undefined> {
    this.io.stderr.write(question)
    const queued = this.lines.shift()
    if (queued !== undefined) return queued.trim()
    if (this.closed) return undefined
    return new Promise((resolve) => this.waiting.push((line) => resolve(line?.trim())))
  }

  close(): void {
    this.rl.close()
  }
}

/** Asks once; y/yes is yes, q/quit is quit (when offered), anything else (or end of input) no. */
export async function askOnce(io: CliIO, question: string): Promise<'yes' | 'no' | 'quit'> {
  const prompter = new Prompter(io)
  try {
    const answer = ((await prompter.ask(question)) ?? '').toLowerCase()
    return answer === 'y' || answer === 'yes' ? 'yes' : answer === 'q' || answer === 'quit' ? 'quit' : 'no'
  } finally {
    prompter.close()
  }
}
