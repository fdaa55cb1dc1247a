/** One annotation on a file line, as GitHub shows it in the pull request. */
export interface Annotation {
  readonly level: 'error' | 'warning' | 'notice';
  readonly message: string;
  readonly title?: string;
  readonly file?: string;
  readonly startLine?: number;
  readonly startColumn?: number;
}

/**
 * What a command produced, as data: main.ts turns it into outputs, annotations, log lines, the job summary,
 * files and the step's status. Nothing here knows about the runner.
 */
export interface ActionOutcome {
  readonly outputs: Readonly<Record<string, string>>;
  readonly annotations: readonly Annotation[];
  readonly logs: readonly string[];
  /** Markdown for the job summary. */
  readonly summary: string;
  /** Files to write, each with the input that named it (for a message in the user's terms). */
  readonly files: readonly { readonly path: string; readonly content: string; readonly input: string }[];
  /** Set when the step must fail: the message of `setFailed`. */
  readonly failure?: string;
}

/** GitHub shows at most this many annotations of each level per step. */
export const ANNOTATIONS_PER_LEVEL = 10;

/**
 * Keeps the first `perLevel` annotations of each level, in order, and says how many of each were left out,
 * so the rest can be summarized instead of silently dropped by the runner.
 */
export function limitAnnotations(
  annotations: readonly Annotation[],
  perLevel: number = ANNOTATIONS_PER_LEVEL,
): { kept: Annotation[]; omitted: Record<Annotation['level'], number>; overflow: Annotation[] } {
  const counts: Record<Annotation['level'], number> = { error: 0, warning: 0, notice: 0 };
  const omitted: Record<Annotation['level'], number> = { error: 0, warning: 0, notice: 0 };
  const kept: Annotation[] = [];
  const overflow: Annotation[] = [];
  for (const annotation of annotations) {
    counts[annotation.level] += 1;
    if (counts[annotation.level] <= perLevel) kept.push(annotation);
    else {
      omitted[annotation.level] += 1;
      overflow.push(annotation);
    }
  }
  return { kept, omitted, overflow };
}
