/**
 * The postmortem's timeline: what happened, when, on a clock that starts at 10:02:00 (the lecture's
 * double charge). Every piece of the payments domain tells it; a test prints it.
 */
import { now } from '../workload/clock.js'

export class Timeline {
  private readonly lines: { at: number; text: string }[] = []
  readonly startedAt = now()

  tell(text: string, at = now()): void {
    this.lines.push({ at, text })
  }

  text(): string {
    const clock = (at: number): string => {
      const ms = Math.max(0, Math.round(at - this.startedAt)) + (10 * 60 + 2) * 60_000
      const h = Math.floor(ms / 3_600_000)
      const m = Math.floor(ms / 60_000) % 60
      const s = Math.floor(ms / 1000) % 60
      return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`
    }
    return [...this.lines]
      .sort((a, b) => a.at - b.at)
      .map((l) => `  ${clock(l.at)}  ${l.text}`)
      .join('\n')
  }

  print(title: string): void {
    console.log(`\n${title}\n${this.text()}\n`)
  }
}

