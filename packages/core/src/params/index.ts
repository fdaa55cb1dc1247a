/** Parameters of checks and commands, declared once; the front ends derive their flags, inputs and fields. */
export * from './grammar.js';
export * from './parameter.js';
export * from './tables.js';
export * from './docs.js';
