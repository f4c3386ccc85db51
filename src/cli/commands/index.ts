import type { Command } from 'commander';
import { registerAdmin } from './admin.js';
import { registerAttest } from './attest.js';
import { registerAudit } from './audit.js';
import { registerDb } from './db.js';
import { registerKey } from './key.js';
import { registerPolicy } from './policy.js';
import { registerSbom } from './sbom.js';
import { registerScan } from './scan.js';
import { registerServe } from './serve.js';
import { registerSign } from './sign.js';
import { registerTrust } from './trust.js';
import { registerVerify, registerVerifyAttestation } from './verify.js';

/** Every CLI command, explicitly. Each entry adds one top-level command to the program. */
export const COMMANDS: ((program: Command) => void)[] = [registerServe, registerScan, registerSbom, registerKey, registerSign, registerVerify, registerAttest, registerVerifyAttestation, registerDb, registerAdmin, registerAudit, registerPolicy, registerTrust];
