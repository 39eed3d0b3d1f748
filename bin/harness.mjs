#!/usr/bin/env node
// Entry for `npx harness`: runs the TypeScript CLI through tsx's loader, so no build step is needed.
import { register } from 'tsx/esm/api';
register();
await import('../harness/cli/main.ts');
