import type { IterationInfo, SeedingProgressInfo } from '../types.js';

/** What the progress display needs of stderr: a TTY's width and isTTY flag. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const REDRAW_MS = 80;
const BAR = 20;

function bar(fraction: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * BAR);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

/**
 * One status line on stderr, redrawn in place: reading progress (bytes of the file), then seeding
 * progress (steps of k-means++ or k-means||), then fitting progress (run, iteration, points that
 * changed cluster); for --mini-batch, the batches fitted and the bytes of the file they came from.
 * Only when stderr is a terminal and the command is not --quiet; on a pipe or file it writes
 * nothing at all, so logs hold just the summary.
 */
export class Progress {
  readonly enabled: boolean;
  private lastDraw = 0;
  private shown = false;
  private bytes = 0;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number = () => performance.now(),
    quiet = false,
  ) {
    this.enabled = stream.isTTY === true && !quiet;
  }

  private draw(text: string, force = false): void {
    if (!this.enabled) return;
    const time = this.now();
    if (!force && time - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = time;
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`\r\x1b[2K${text.length > width ? text.slice(0, width) : text}`);
    this.shown = true;
  }

  /** Bytes read so far of a file of `total` bytes (unknown for stdin). */
  read(bytes: number, total: number | undefined, name: string): void {
    this.bytes += bytes;
    if (total) this.draw(`reading ${name} ${bar(this.bytes / total)} ${Math.floor((100 * this.bytes) / total)}% of ${megabytes(total)}`);
    else this.draw(`reading ${name} ${megabytes(this.bytes)}`);
  }

  /**
   * A streamed mini-batch fit has taken `batches` steps on the first `bytes` of a file of `total`
   * bytes (unknown for stdin): the step count is unknown until the file is read, so the bar fills with the bytes.
   */
  miniBatch(batches: number, bytes: number, total: number | undefined): void {
    const steps = `${batches} batch${batches === 1 ? '' : 'es'}`;
    if (total)
      this.draw(`mini-batch ${bar(bytes / total)} ${Math.floor((100 * Math.min(bytes, total)) / total)}% of ${megabytes(total)} · ${steps}`, batches === 1);
    else this.draw(`mini-batch ${megabytes(bytes)} · ${steps}`, batches === 1);
  }

  /** A phase without iterations to count yet, such as seeding. */
  status(text: string): void {
    this.draw(text, true);
  }

  /** Seeding steps done: the bar fills with the runs done plus this run's share of its steps. */
  seeding(info: SeedingProgressInfo, runs: number, method: string): void {
    const fraction = (info.run + info.done / info.total) / runs;
    const run = runs > 1 ? `run ${info.run + 1}/${runs} · ` : '';
    this.draw(`seeding ${bar(fraction)} ${run}${method} ${Math.floor((100 * info.done) / info.total)}%`, info.done === info.total);
  }

  /**
   * One iteration done. The bar fills with the runs done plus how settled the current run is:
   * log-scaled, from all n points changing cluster (empty) to none (full).
   */
  iteration(info: IterationInfo, n: number, runs: number): void {
    const settled = n > 1 ? 1 - Math.log(Math.max(1, info.changed)) / Math.log(n) : 1;
    const fraction = (info.run + (info.changed === 0 ? 1 : settled)) / runs;
    const run = runs > 1 ? `run ${info.run + 1}/${runs} · ` : '';
    this.draw(`fitting ${bar(fraction)} ${run}iteration ${info.iteration} · ${info.changed} changed`, info.iteration === 1);
  }

  /** Erases the status line. */
  clear(): void {
    if (this.enabled && this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
