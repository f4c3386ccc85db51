import type { Command } from 'commander';
import { registerServe } from './serve.js';

/** Every CLI command, explicitly. Each entry adds one top-level command to the program. */
export const COMMANDS: ((program: Command) => void)[] = [registerServe];
