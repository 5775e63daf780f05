/** `weft dev` as a user runs it: one command, real Temporal, clean Ctrl-C, data kept. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../src/temporal/dev-server';
import { requireTemporalCli } from '../../src/temporal/servers';
import { spawnWeft, waitForOutput } from '../helpers/cli';

const dataDir = mkdtempSync(join(tmpdir(), 'weft-dev-e2e-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** True while `pid` is a live process (a zombie awaiting its reaper counts as gone). */
function alive(pid: number): boolean {
  const r = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  const stat = r.stdout.trim();
  return stat !== '' && !stat.startsWith('Z');
}

function childPids(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
}

async function startDev(port: number, uiPort: number, apiPort: number): Promise<{ child: ReturnType<typeof spawnWeft>; output: string }> {
  const child = spawnWeft(['dev', '--data-dir', dataDir, '--temporal-port', String(port), '--ui-port', String(uiPort), '--api-port', String(apiPort)]);
  const output = await waitForOutput(child, /weft dev is ready/);
  return { child, output };
}

async function stopWithCtrlC(child: ReturnType<typeof spawnWeft>): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

describe('weft dev', () => {
  it('serves Temporal and its UI, stops cleanly on Ctrl-C, and keeps its data for the next start', async () => {
    const [port, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const cli = await requireTemporalCli();
    const first = await startDev(port, uiPort, apiPort);
    expect(first.output).toContain(`Temporal     127.0.0.1:${port}`);
    expect(first.output).toContain(`Temporal UI  http://127.0.0.1:${uiPort}`);
    expect(first.output).toContain(`Codec        http://127.0.0.1:${uiPort + 1}`);
    expect(first.output).toContain(`API          http://127.0.0.1:${apiPort}/v1  (auth off in weft dev`);
    expect((await fetch(`http://127.0.0.1:${apiPort}/readyz`)).status).toBe(200);

    const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
    expect(ui.status).toBe(200);

    // A user's `temporal workflow list` works against it.
    const list = spawnSync(cli.path, ['workflow', 'list', '--address', `127.0.0.1:${port}`], { encoding: 'utf8' });
    expect(list.status).toBe(0);

    // Leave a trace in the data dir: a workflow that nobody runs stays open.
    const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
    const client = new Client({ connection });
    await client.workflow.start('neverRuns', { taskQueue: 'weft-e2e-nobody', workflowId: 'kept-across-restarts' });
    await connection.close();

    const serverPids = childPids(first.child.pid!);
    expect(serverPids.length).toBeGreaterThan(0);
    expect(await stopWithCtrlC(first.child)).toBe(0);
    for (const pid of serverPids) expect(alive(pid), spawnSync("ps", ["-o", "pid,ppid,stat,cmd", "-p", String(pid)], { encoding: "utf8" }).stdout).toBe(false);
    expect(existsSync(join(dataDir, 'temporal.db'))).toBe(true);

    // Second start reuses the data.
    const second = await startDev(port, uiPort, apiPort);
    try {
      const conn2 = await Connection.connect({ address: `127.0.0.1:${port}` });
      const desc = await new Client({ connection: conn2 }).workflow.getHandle('kept-across-restarts').describe();
      expect(desc.status.name).toBe('RUNNING');
      await new Client({ connection: conn2 }).workflow.getHandle('kept-across-restarts').terminate('test done');
      await conn2.close();
    } finally {
      expect(await stopWithCtrlC(second.child)).toBe(0);
    }
  });
});
