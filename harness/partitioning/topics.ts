import { randomBytes } from 'node:crypto'

/** A topic name no other run uses. */
export function uniqueTopic(name: string): string {
  return `${name}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`
}
