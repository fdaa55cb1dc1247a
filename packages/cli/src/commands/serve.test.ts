import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../io.js';
import { registerServe } from './serve.js';

function anIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    stdin: process.stdin,
    env: {},
    cwd: '/',
    out: () => out,
    err: () => err,
  };
}

function aProgram(io: CliIo): Command {
  const program = new Command('draingate').exitOverride().configureOutput({
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
  });
  registerServe(program, io);
  for (const command of program.commands) command.exitOverride();
  return program;
}

describe('draingate serve', () => {
  it('parses the provider’s options like every other command: a bad value names the flag', async () => {
    const io = anIo();
    await expect(
      aProgram(io).parseAsync(['serve', '--port', 'abc', '--insecure-no-auth'], { from: 'user' }),
    ).rejects.toThrow(/invalid/);
    expect(io.err()).toBe(
      "error: option '--port <number>' argument 'abc' is invalid. must be a whole number from 0 to 65535, got \"abc\".\n",
    );
  });

  it('--help lists the provider’s options with their environment variables', async () => {
    const io = anIo();
    await expect(aProgram(io).parseAsync(['serve', '--help'], { from: 'user' })).rejects.toThrow(
      /outputHelp/,
    );
    expect(io.out()).toMatch(/^Usage: draingate serve \[options\]/);
    expect(io.out()).toMatch(
      /--tokens <path>\s+token file or directory \(a mounted Secret\)\s+\(env: DRAINGATE_TOKENS\)/,
    );
  });
});
