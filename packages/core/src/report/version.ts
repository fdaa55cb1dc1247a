/** draingate's version, as reports and SARIF name the tool. */
export const DRAINGATE_VERSION = '0.1.0';
export const INFORMATION_URI = 'https://github.com/draingate/draingate';
