// The action's entry point, bundled to dist/index.js: all it does is run().
import { run } from './main.js';

void run();
