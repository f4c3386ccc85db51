// Test entry: runs the CLI from the TypeScript sources (node --import tsx run-cli.ts scan ...).
import { main } from '../../../main.js';

await main(process.argv);
