/**
 * A queue's alarm, kept in memory between calls: enqueue asks on every batch whether the alarm comes
 * soon enough, and storage need not be read each time. Whoever else sets the alarm (the sending pass,
 * sender.ts) does so during a flush, so a flush makes the clock read storage again (`unknown`).
 */
export class AlarmClock {
  /** The alarm as last set or read here (undefined: unknown, ask storage). */
  private at: number | null | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** The alarm fired, or a flush may have set it: read storage next time. */
  unknown(): void {
    this.at = undefined;
  }

  /** Makes sure an alarm fires no later than `at`; `flushing`: someone else may set it meanwhile. */
  async wakeBy(at: number, flushing: boolean): Promise<void> {
    if (flushing) this.at = undefined;
    if (this.at === undefined) {
      const read = await this.storage.getAlarm();
      if (this.at === undefined) this.at = read;
    }
    if (this.at == null || this.at > at) {
      this.at = flushing ? undefined : at;
      await this.storage.setAlarm(at);
    }
  }
}
