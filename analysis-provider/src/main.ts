// The provider's entry point: `node dist/main.js [options]` (the container's command, `npm start`).
import { runProvider } from './run.js';

process.exitCode = await runProvider(process.argv.slice(2), process);
