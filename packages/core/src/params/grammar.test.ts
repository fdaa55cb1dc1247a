import { describe, expect, it } from 'vitest';
import { ParameterValueError, parseDuration, parseJson, parseRate, parseText } from './grammar.js';
import type { Grammar } from './grammar.js';

describe('one grammar per kind of value', () => {
  it.each([
    { text: '90', seconds: 90 },
    { text: '90s', seconds: 90 },
    { text: ' 10m ', seconds: 600 },
    { text: '1h', seconds: 3600 },
    { text: '1m30s', seconds: 90 },
    { text: '1h30m', seconds: 5400 },
    { text: '0.5s', seconds: 0.5 },
    { text: '0', seconds: 0 },
  ])('duration $text → $seconds s', ({ text, seconds }) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each([
    { text: '', message: 'must be a duration such as 90s, 10m or 1h, got ""' },
    { text: 'ten', message: 'must be a duration such as 90s, 10m or 1h, got "ten"' },
    { text: '10 minutes', message: 'must be a duration such as 90s, 10m or 1h, got "10 minutes"' },
    { text: '-5s', message: 'must be a duration such as 90s, 10m or 1h, got "-5s"' },
    { text: '5d', message: 'must be a duration such as 90s, 10m or 1h, got "5d"' },
    { text: '1m1m', message: 'must be a duration such as 90s, 10m or 1h, got "1m1m"' },
  ])('duration $text is refused: $message', ({ text, message }) => {
    expect(() => parseDuration(text)).toThrow(new ParameterValueError(message));
  });

  it.each([
    { text: '0.5%', rate: 0.005 },
    { text: '0.5 %', rate: 0.005 },
    { text: '0.005', rate: 0.005 },
    { text: '1%', rate: 0.01 },
    { text: '100%', rate: 1 },
    { text: '0', rate: 0 },
  ])('rate $text → $rate', ({ text, rate }) => {
    expect(parseRate(text)).toBeCloseTo(rate, 12);
  });

  it.each(['150%', '-1%', '2', 'lots', '', '%', '1e%', 'NaN', 'Infinity'])('rate %j is refused', (text) => {
    expect(() => parseRate(text)).toThrow(
      new ParameterValueError(`must be a rate from 0 to 1 such as 1% or 0.01, got ${JSON.stringify(text)}`),
    );
  });

  const WINDOW: Grammar = {
    kind: 'duration',
    unit: 'minutes',
    whole: true,
    minSeconds: 60,
    maxSeconds: 86_400,
  };
  it.each([
    { name: 'a bare number is the unit (minutes)', value: '15', minutes: 15 },
    { name: 'a unit wins over the bare unit', value: '1h', minutes: 60 },
    { name: 'seconds that make whole minutes', value: '120s', minutes: 2 },
    { name: 'a JSON number is in the unit', value: 15, minutes: 15 },
  ])('a window in minutes: $name', ({ value, minutes }) => {
    expect(typeof value === 'string' ? parseText(WINDOW, value) : parseJson(WINDOW, value)).toBe(minutes);
  });

  it.each([
    { value: '90s', message: 'must be whole minutes (CloudWatch\'s periods), got "90s"' },
    { value: '0', message: 'must be at least 1m, got "0"' },
    { value: 2000, message: 'must be at most 24h, got 2000 minutes' },
    {
      value: true,
      message:
        'must be a duration (90s, 10m, 1h; a bare number is minutes) from 1m to 24h, whole minutes, got true',
    },
  ])('a window in minutes refuses $value', ({ value, message }) => {
    expect(() => (typeof value === 'string' ? parseText(WINDOW, value) : parseJson(WINDOW, value))).toThrow(
      new ParameterValueError(message),
    );
  });

  it.each([
    {
      grammar: { kind: 'count', max: 10 } as Grammar,
      text: '1.5',
      message: 'must be a whole number from 0 to 10, got "1.5"',
    },
    {
      grammar: { kind: 'count', min: 1 } as Grammar,
      text: '0',
      message: 'must be a whole number of at least 1, got "0"',
    },
    {
      grammar: { kind: 'number', min: 0, exclusiveMin: true, max: 0.5 } as Grammar,
      text: '0',
      message: 'must be a number above 0 to 0.5, got "0"',
    },
    {
      grammar: { kind: 'choice', choices: ['fail', 'report'] } as Grammar,
      text: 'warn',
      message: 'must be one of fail, report, got "warn"',
    },
    { grammar: { kind: 'boolean' } as Grammar, text: 'maybe', message: 'must be true or false, got "maybe"' },
    {
      grammar: { kind: 'time' } as Grammar,
      text: '2026-11-23 17:00',
      message: 'must be a time with its offset such as 2026-11-23T17:00:00Z, got "2026-11-23 17:00"',
    },
  ])('$grammar.kind refuses $text', ({ grammar, text, message }) => {
    expect(() => parseText(grammar, text)).toThrow(new ParameterValueError(message));
  });
});
