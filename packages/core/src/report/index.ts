/** Report renderers: text, JSON, SARIF, Markdown, and the rule docs. */
export { renderText } from './text.js';
export type { TextOptions } from './text.js';
export { renderJson, findingJson, REPORT_SCHEMA } from './json.js';
export { renderSarif } from './sarif.js';
export { renderMarkdown, escapeMarkdown } from './markdown.js';
export { renderRuleDoc, renderRuleIndex } from './rule-docs.js';
export { DRAINGATE_VERSION } from './version.js';
