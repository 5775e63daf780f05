/**
 * `weft … | head -1`: the reader closes the pipe before weft is done writing.
 * Weft exits quietly and successfully instead of printing an EPIPE stack trace.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(__dirname, '../../../bin/weft');

/** Runs weft with its stdout closed on our side before it writes anything; resolves with its exit code and stderr. */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WEFT_CLI_SOURCE: '1' } });
    // Node takes tens of milliseconds to start, so weft's first write lands on a pipe with no reader: EPIPE every time.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('writing into a pipe the reader closed', () => {
  it('exits 0 without a stack trace for weft --help', { timeout: 60_000 }, async () => {
    expect(await runIntoClosedPipe(['--help'])).toEqual({ code: 0, stderr: '' });
  });

  it('exits 0 without a stack trace for a subcommand help (weft runs list --help)', { timeout: 60_000 }, async () => {
    expect(await runIntoClosedPipe(['runs', 'list', '--help'])).toEqual({ code: 0, stderr: '' });
  });
});
