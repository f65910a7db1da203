/**
 * Faults a developer switches on from the page's "break it" (POST /dev/faults, development rules
 * only: the route does not exist otherwise, so in production every field stays at rest). One state per
 * process: the service is what is paused, refused or slowed, not one request.
 */
export interface DevFaultState {
  /** Subscribers: the consumer is cancelled; messages wait in the queue until it resumes. */
  paused: boolean;
  /**
   * The ledger refuses this many more postings (INJECTED_REFUSAL), one per posting; a subscriber fails
   * this many more events, one per event, each to its retry queue (it comes back one attempt later).
   */
  refuseNext: number;
  /** Every TCP command (and, in a subscriber, every batch of events) waits this long first. */
  delayMs: number;
}

type Listener = (state: DevFaultState) => void;

class DevFaults {
  private current: DevFaultState = { paused: false, refuseNext: 0, delayMs: 0 };
  private readonly listeners = new Set<Listener>();

  /** The injected delay (read on every command: no copy of the state). */
  get delayMs(): number {
    return this.current.delayMs;
  }

  get state(): DevFaultState {
    return { ...this.current };
  }

  set(patch: Partial<DevFaultState>): DevFaultState {
    this.current = { ...this.current, ...patch };
    for (const listener of this.listeners) listener(this.state);
    return this.state;
  }

  /** True (and one fewer left) when the next posting, or event, is to be refused. */
  takeRefusal(): boolean {
    if (this.current.refuseNext <= 0) return false;
    this.current = { ...this.current, refuseNext: this.current.refuseNext - 1 };
    return true;
  }

  /** Resolves after the injected delay; at once (no timer) when there is none. */
  async delay(): Promise<void> {
    const ms = this.current.delayMs;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Back to rest (tests). */
  reset(): void {
    this.set({ paused: false, refuseNext: 0, delayMs: 0 });
  }
}

export const devFaults = new DevFaults();
