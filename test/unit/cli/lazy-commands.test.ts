/** The CLI loads only the command that runs; its table of commands must say what the modules register. */
import { Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMANDS, programFor } from '../../../src/cli/main';

const argv = (...words: string[]): string[] => ['node', 'weft', ...words];

describe('the table of commands', () => {
  it('names, describes and shows each command as its module registers it', async () => {
    const full = await buildProgram();
    const help = new Help();
    const registered = full.commands.map((c) => ({ name: c.name(), term: help.subcommandTerm(c), description: c.description() }));
    expect(COMMANDS.map(({ name, term, description }) => ({ name, term, description }))).toEqual(registered.sort((a, b) => a.name.localeCompare(b.name)));
  });

  it('lists every command in --help exactly as the fully loaded program does', async () => {
    expect((await programFor(argv('--help'))).helpInformation()).toBe((await buildProgram()).helpInformation());
  });
});

describe('programFor', () => {
  it('registers only the command that runs, with its subcommands', async () => {
    const program = await programFor(argv('runs', 'list', '--json'));
    expect(program.commands.map((c) => c.name())).toEqual(['runs']);
    expect(program.commands[0]!.commands.map((c) => c.name())).toContain('list');
  });

  it('loads the command that `weft help <command>` asks about', async () => {
    expect((await programFor(argv('help', 'dags'))).commands.map((c) => c.name())).toEqual(['dags']);
  });
});
