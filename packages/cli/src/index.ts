export { main, createProgram } from './main.js';
export type { CliIo } from './io.js';
export { EXIT, UsageError } from './io.js';
