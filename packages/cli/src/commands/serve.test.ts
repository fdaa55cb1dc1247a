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

describe('draingate serve', () => {
  it('hands its options to the provider, which names each bad value (exit 2)', async () => {
    const io = anIo();
    let code = -1;
    const program = new Command('draingate').exitOverride();
    registerServe(program, io, (next) => (code = next));
    await program.parseAsync(['serve', '--port', 'abc', '--insecure-no-auth'], { from: 'user' });
    expect(code).toBe(2);
    expect(io.err()).toContain('--port: must be a whole number from 0 to 65535, got "abc"');
  });

  it('--help prints the provider’s options (exit 0)', async () => {
    const io = anIo();
    let code = -1;
    const program = new Command('draingate').exitOverride();
    registerServe(program, io, (next) => (code = next));
    await program.parseAsync(['serve', '--help'], { from: 'user' });
    expect(code).toBe(0);
    expect(io.out()).toContain('--tokens <value>');
    expect(io.out()).toContain('DRAINGATE_DEADLINE_MS');
  });
});
