/**
The last `capacity` lines of a stream, each clipped to `maxLineLength` characters: memory stays
bounded however long a build talks. Lines keep their absolute number so that a view can say "line
184,220 of 200,000" after the early ones are gone.
*/
export class LineRing {
  private readonly lines: string[]
  private start = 0
  private size = 0
  /** Lines ever pushed; the absolute number of the next line is `total + 1`. */
  total = 0

  constructor(
    readonly capacity: number = 5000,
    readonly maxLineLength: number = 2000,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('LineRing capacity must be a positive integer')
    this.lines = new Array<string>(capacity)
  }

  push(line: string): void {
    const text = line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line
    const at = (this.start + this.size) % this.capacity
    this.lines[at] = text
    if (this.size < this.capacity) this.size++
    else this.start = (this.start + 1) % this.capacity
    this.total++
  }

  get length(): number {
    return this.size
  }

  /** Absolute number (1-based) of the oldest line still held. */
  get firstNumber(): number {
    return this.total - this.size + 1
  }

  /** The i-th held line, 0 = oldest. */
  at(i: number): string | undefined {
    if (i < 0 || i >= this.size) return undefined
    return this.lines[(this.start + i) % this.capacity]
  }

  /** Held lines from index `from` (inclusive) to `to` (exclusive). */
  slice(from: number, to: number): string[] {
    const out: string[] = []
    const end = Math.min(to, this.size)
    for (let i = Math.max(0, from); i < end; i++) out.push(this.lines[(this.start + i) % this.capacity] as string)
    return out
  }

  /** The last n held lines. */
  tail(n: number): string[] {
    return this.slice(this.size - n, this.size)
  }
}
