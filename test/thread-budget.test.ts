import { describe, expect, it } from 'vitest';
import { ThreadBudget } from '../lib/thread-budget.js';

describe('the shared thread budget', () => {
  it('never grants more threads than its capacity at once, first come first served', async () => {
    const budget = new ThreadBudget(4);
    const order: string[] = [];
    let inUse = 0;
    let most = 0;
    const job = async (name: string, threads: number, ms: number): Promise<void> => {
      const grant = await budget.acquire(threads);
      inUse += grant.threads;
      most = Math.max(most, inUse);
      order.push(name);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inUse -= grant.threads;
      grant.release();
    };
    await Promise.all([job('a', 3, 20), job('b', 2, 5), job('c', 1, 5), job('d', 4, 5)]);
    expect(most).toBeLessThanOrEqual(4);
    // c would fit beside a, but waits behind b: no call is starved by smaller ones.
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('clamps a request to its capacity and to at least one thread', async () => {
    const budget = new ThreadBudget(2);
    const big = await budget.acquire(16);
    expect(big.threads).toBe(2);
    big.release();
    big.release(); // a second release gives nothing back twice
    const small = await budget.acquire(0);
    expect(small.threads).toBe(1);
    const other = await budget.acquire(1);
    expect(other.threads).toBe(1);
    small.release();
    other.release();
  });
});
