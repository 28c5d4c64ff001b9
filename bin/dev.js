#!/usr/bin/env node
// The cornflow CLI from the TypeScript sources (cli/commands), no build needed. tsx is registered from here
// (not with `node --import tsx`, which resolves tsx from the current directory).
import { register } from 'tsx/esm/api';
import { execute } from '@oclif/core';

register();
await execute({ development: true, dir: import.meta.url });
