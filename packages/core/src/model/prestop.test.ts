import { describe, expect, it } from 'vitest';
import { parsePreStop } from './prestop.js';

describe('parsePreStop', () => {
  const cases = [
    { name: 'no hook → none', hook: undefined, expected: { kind: 'none' } },
    {
      name: 'native sleep 30 → 30 s, pure',
      hook: { sleep: { seconds: 30 } },
      expected: { kind: 'sleep', seconds: 30, form: 'native', pureSleep: true },
    },
    {
      name: '["sleep","30"] → 30 s exec',
      hook: { exec: { command: ['sleep', '30'] } },
      expected: { kind: 'sleep', seconds: 30, form: 'exec', pureSleep: true },
    },
    {
      name: '["/bin/sleep","5s"] → 5 s',
      hook: { exec: { command: ['/bin/sleep', '5s'] } },
      expected: { kind: 'sleep', seconds: 5, form: 'exec' },
    },
    {
      name: '["/bin/sh","-c","sleep 30"] → 30 s shell, pure',
      hook: { exec: { command: ['/bin/sh', '-c', 'sleep 30'] } },
      expected: { kind: 'sleep', seconds: 30, form: 'shell', pureSleep: true },
    },
    {
      name: '"sleep 30 && nginx -s quit" → 30 s, not pure',
      hook: { exec: { command: ['sh', '-c', 'sleep 30 && nginx -s quit'] } },
      expected: { kind: 'sleep', seconds: 30, pureSleep: false },
    },
    {
      name: '"sleep 1m" → 60 s',
      hook: { exec: { command: ['bash', '-c', 'sleep 1m'] } },
      expected: { kind: 'sleep', seconds: 60 },
    },
    {
      name: '"sleep 10; sleep 5" → 15 s',
      hook: { exec: { command: ['/bin/sh', '-ec', 'sleep 10; sleep 5'] } },
      expected: { kind: 'sleep', seconds: 15 },
    },
    {
      name: '"sleep 0.5" → 0.5 s',
      hook: { exec: { command: ['sleep', '0.5'] } },
      expected: { kind: 'sleep', seconds: 0.5 },
    },
    {
      name: 'httpGet → unknown',
      hook: { httpGet: { path: '/drain', port: 8080 } },
      expected: { kind: 'unknown', form: 'httpGet' },
    },
    {
      name: 'a script without sleep → unknown',
      hook: { exec: { command: ['/bin/sh', '-c', 'nginx -s quit'] } },
      expected: { kind: 'unknown', form: 'shell' },
    },
    {
      name: '"sleep $DELAY" → unknown',
      hook: { exec: { command: ['/bin/sh', '-c', 'sleep $DELAY'] } },
      expected: { kind: 'unknown', form: 'shell' },
    },
    {
      name: '"sleep infinity" → unknown',
      hook: { exec: { command: ['sleep', 'infinity'] } },
      expected: { kind: 'unknown', form: 'exec' },
    },
    {
      name: 'another program → unknown',
      hook: { exec: { command: ['/app/drain'] } },
      expected: { kind: 'unknown', form: 'exec' },
    },
  ];
  it.each(cases)('$name', ({ hook, expected }) => {
    expect(parsePreStop(hook)).toMatchObject(expected);
  });
});
