import type {Status} from '../types.js'

/**
What a colour means, not which colour: each output (Ink, ANSI, none) maps the role itself, so a
status never depends on colour — its word and glyph say it alone.
*/
export type ColorRole = 'good' | 'attention' | 'problem' | 'muted' | 'broken'

export interface StatusStyle {
  /** The word every output prints, so the status survives NO_COLOR, a screen reader and grep. */
  readonly word: string
  /** A glyph distinct from every other status's glyph. */
  readonly glyph: string
  readonly role: ColorRole
}

export const STATUS_STYLE: Readonly<Record<Status, StatusStyle>> = {
  pass: {word: 'PASS', glyph: '✓', role: 'good'},
  warn: {word: 'WARN', glyph: '!', role: 'attention'},
  fail: {word: 'FAIL', glyph: '✗', role: 'problem'},
  skipped: {word: 'SKIP', glyph: '-', role: 'muted'},
  crashed: {word: 'CRASH', glyph: '☠', role: 'broken'},
}

export const STATUS_LABEL: Readonly<Record<Status, string>> = {
  pass: STATUS_STYLE.pass.word,
  warn: STATUS_STYLE.warn.word,
  fail: STATUS_STYLE.fail.word,
  skipped: STATUS_STYLE.skipped.word,
  crashed: STATUS_STYLE.crashed.word,
}

export const STATUS_GLYPH: Readonly<Record<Status, string>> = {
  pass: STATUS_STYLE.pass.glyph,
  warn: STATUS_STYLE.warn.glyph,
  fail: STATUS_STYLE.fail.glyph,
  skipped: STATUS_STYLE.skipped.glyph,
  crashed: STATUS_STYLE.crashed.glyph,
}

/** `✓ PASS`: glyph and word, the mark in front of a finding in every text output. */
export function statusMark(status: Status): string {
  return `${STATUS_GLYPH[status]} ${STATUS_LABEL[status]}`
}

/** Ink colour names per role (the TUI). */
export const INK_COLOR: Readonly<Record<ColorRole, string>> = {good: 'green', attention: 'yellow', problem: 'red', muted: 'gray', broken: 'magenta'}

/** ANSI SGR foreground codes per role (`--plain` with colour). */
export const ANSI_COLOR: Readonly<Record<ColorRole, string>> = {good: '32', attention: '33', problem: '31', muted: '90', broken: '35'}

export function inkColor(status: Status): string {
  return INK_COLOR[STATUS_STYLE[status].role]
}

/** Wraps text in the status's ANSI colour when colour is on; the text itself carries the meaning. */
export function paintStatus(status: Status, text: string, color: boolean): string {
  return color ? `\u001B[${ANSI_COLOR[STATUS_STYLE[status].role]}m${text}\u001B[39m` : text
}

/** A probe layer's outcome (registry diagnosis) in the same vocabulary. */
export function layerStatus(outcome: 'ok' | 'fail' | 'skipped'): Status {
  return outcome === 'ok' ? 'pass' : outcome === 'fail' ? 'fail' : 'skipped'
}
