#!/usr/bin/env -S node --import tsx --no-warnings
// The cornflow CLI from the TypeScript sources (cli/commands), no build needed.
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
