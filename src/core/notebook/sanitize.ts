/**
Cleaning of every text that came from outside (command output, container names, log lines) before it
is displayed or written: escape sequences and control characters go, secrets are redacted.
*/

import {mayHoldSecret, SECRET_RULES} from './secret-patterns.js'

// CSI, OSC (BEL or ST terminated), DCS/SOS/PM/APC strings, and two-byte ESC sequences; also the 8-bit C1 forms.
const ESCAPES =
  /(?:\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?)|(?:\u009D[^\u0007\u009C]*(?:\u0007|\u009C)?)|(?:\u001B[PX^_][^\u001B]*\u001B\\)|(?:(?:\u001B\[|\u009B)[0-?]*[ -/]*[@-~])|(?:\u001B[ -/]*[0-~])/g
// Keep tab and newline; a carriage return in the middle of a line (progress bars) becomes a newline.
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g

/** Removes terminal escape sequences and control characters, keeping tabs and newlines. */
export function stripControl(text: string): string {
  return text
    .replace(ESCAPES, '')
    .replace(/\r\n/g, '\n')
    .replace(/\r(?!\n)/g, '\n')
    .replace(CONTROLS, '')
}

/** Replaces secrets with `[REDACTED]`, by the table in secret-patterns.ts (the one redaction table of the project). */
export function redact(text: string): string {
  if (!mayHoldSecret(text)) return text
  let out = text
  for (const rule of SECRET_RULES) {
    out = typeof rule.replace === 'string' ? out.replace(rule.pattern, rule.replace) : out.replace(rule.pattern, rule.replace as (...a: string[]) => string)
  }
  return out
}

/** `sanitize` over every string inside a JSON-able value (reports, states). */
export function sanitizeDeep<T>(value: T): T {
  if (typeof value === 'string') return sanitize(value) as T
  if (Array.isArray(value)) return value.map((v) => sanitizeDeep(v)) as T
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, sanitizeDeep(v)])) as T
  }
  return value
}

/** Both cleanings, in the order that matters: escapes first so that they cannot hide a secret from the redactor. */
export function sanitize(text: string): string {
  return redact(stripControl(text))
}
