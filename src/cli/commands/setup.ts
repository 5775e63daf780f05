/** `weft setup`: obtains both real Temporal servers into the cache, with progress. */
import type { Command } from 'commander';
import { requireTemporalCli, requireTestServer, cacheRoot } from '../../temporal/servers';
import { temporalCliVersion } from '../../temporal/dev-server';

export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description('Obtain the Temporal CLI dev server and the Java time-skipping test server (cached, idempotent)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', `\nBoth are cached under ${cacheRoot()}; a second run does nothing.\n`)
    .action(async (flags: { json?: boolean }) => {
      const progress = flags.json ? () => undefined : (m: string) => console.log(`  ${m}`);
      const t0 = Date.now();
      const cli = await requireTemporalCli({ progress });
      const t1 = Date.now();
      const testServer = await requireTestServer({ progress });
      const t2 = Date.now();
      const result = {
        temporalCli: { ...cli, version: temporalCliVersion(cli.path), ms: t1 - t0 },
        testServer: { ...testServer, ms: t2 - t1 },
      };
      if (flags.json) console.log(JSON.stringify(result));
      else {
        console.log(`Temporal CLI:  ${cli.path} (${cli.source}, ${result.temporalCli.version}) in ${result.temporalCli.ms} ms`);
        console.log(`Test server:   ${testServer.path} (${testServer.source}) in ${result.testServer.ms} ms`);
      }
    });
}
