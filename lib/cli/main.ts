#!/usr/bin/env node
// The elkan-kmeans command: a thin wrapper over run() with the process's streams.
import { run } from './run.js';

const controller = new AbortController();
// The first Ctrl-C stops the fit between iterations; a second one kills the process as usual.
process.once('SIGINT', () => controller.abort());
// A failed write to stdout (a full disk, a reader that stopped early) reaches run() through the
// write's callback, which reports it in one line; without a listener the stream's 'error' event
// would also end the process with a stack trace. Stderr has nowhere left to report its own failures.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

// run() reports every failure itself, in one line, and resolves with the exit code.
void run(process.argv.slice(2), {
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
}).then((code) => {
  process.exitCode = code;
});
