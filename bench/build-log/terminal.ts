import {EventEmitter} from 'node:events'

/**
A terminal for Ink without a terminal: a fixed 120×40 TTY-like stdout that counts what is drawn, and a
stdin that can be typed into. (ink-testing-library's stdout has no `rows`, so Ink would ask `tput`
for the size on every frame, which is not what happens in a real terminal.)
*/
export class BenchStdout extends EventEmitter {
  readonly isTTY = true
  readonly columns = 120
  readonly rows = 40
  bytes = 0
  frames = 0
  write = (chunk: string | Uint8Array): boolean => {
    this.bytes += chunk.length
    this.frames++
    return true
  }
}

export class BenchStdin extends EventEmitter {
  readonly isTTY = true
  private data: string | null = null
  type(text: string): void {
    this.data = text
    this.emit('readable')
    this.emit('data', text)
  }
  read = (): string | null => {
    const data = this.data
    this.data = null
    return data
  }
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}
