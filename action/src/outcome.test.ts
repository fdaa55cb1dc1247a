import { describe, expect, it } from 'vitest';
import { limitAnnotations } from './outcome.js';
import type { Annotation } from './outcome.js';

const many = (level: Annotation['level'], n: number): Annotation[] =>
  Array.from({ length: n }, (_, i) => ({
    level,
    message: `${level} ${i}`,
    file: 'k8s/a.yaml',
    startLine: i + 1,
  }));

describe('limitAnnotations', () => {
  it('keeps 10 of each level, in order, and counts the rest', () => {
    const { kept, omitted, overflow } = limitAnnotations([
      ...many('error', 12),
      ...many('warning', 3),
      ...many('notice', 11),
    ]);
    expect(kept.filter((a) => a.level === 'error').map((a) => a.message)).toEqual(
      many('error', 10).map((a) => a.message),
    );
    expect(kept.filter((a) => a.level === 'warning')).toHaveLength(3);
    expect(kept.filter((a) => a.level === 'notice')).toHaveLength(10);
    expect(omitted).toEqual({ error: 2, warning: 0, notice: 1 });
    expect(overflow.map((a) => a.message)).toEqual(['error 10', 'error 11', 'notice 10']);
  });
});
