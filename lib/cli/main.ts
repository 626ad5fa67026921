#!/usr/bin/env node
// The elkan-kmeans command: a thin wrapper over run() with the process's streams.
import { run } from './run.js';

const controller = new AbortController();
// The first Ctrl-C stops the fit between iterations; a second one kills the process as usual.
process.once('SIGINT', () => controller.abort());
// A reader that stops early (`elkan-kmeans data.csv -k 3 | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

run(process.argv.slice(2), {
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
}).then((code) => {
  process.exitCode = code;
});
