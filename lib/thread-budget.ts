/**
 * One process-wide budget of native threads. Every async native fit holds some of it while it
 * runs, so concurrent calls queue (first come, first served) instead of each starting a full
 * OpenMP team on its own libuv worker and multiplying threads past the cores.
 */
export class ThreadBudget {
  private available: number;
  private readonly waiting: Array<{ threads: number; grant: () => void }> = [];

  constructor(readonly capacity: number) {
    this.available = capacity;
  }

  /** Waits for `threads` (at most the capacity) and resolves with how many were granted and how to give them back. */
  async acquire(threads: number): Promise<{ threads: number; release: () => void }> {
    const wanted = Math.max(1, Math.min(threads, this.capacity));
    if (this.waiting.length > 0 || this.available < wanted) {
      await new Promise<void>((grant) => this.waiting.push({ threads: wanted, grant }));
    } else {
      this.available -= wanted;
    }
    let released = false;
    return {
      threads: wanted,
      release: () => {
        if (released) return;
        released = true;
        this.available += wanted;
        this.grantWaiting();
      },
    };
  }

  private grantWaiting(): void {
    while (this.waiting.length > 0 && this.waiting[0].threads <= this.available) {
      const next = this.waiting.shift()!;
      this.available -= next.threads;
      next.grant();
    }
  }
}
