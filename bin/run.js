#!/usr/bin/env node
// The built cornflow CLI (commands in dist/cli/commands; run `npm run build` first).
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
