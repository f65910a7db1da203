import path from 'node:path';

// Ends every jest run with each test file's time, slowest first (where `npm test` spends its time, for
// every file and not only the ones Jest calls slow), then one plain line that any CI can read:
// "N passed, N failed[, N skipped]".
export default class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.files = [];
  }

  onTestFileResult(test, result) {
    const { start, end } = result.perfStats;
    // A file that failed to run (a syntax error, a worker crash) has no timings.
    if (start && end) this.files.push({ file: path.relative(this.rootDir, result.testFilePath ?? test.path), ms: end - start });
  }

  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
    const times = [...this.files]
      .sort((a, b) => b.ms - a.ms)
      .map(({ file, ms }) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${file}`)
      .join('\n');
    process.stdout.write(`${times ? `\ntime per test file:\n${times}\n` : ''}\n${line}\n`);
  }
}
