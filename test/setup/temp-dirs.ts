import { afterAll } from 'vitest';
import { removeTemporaryDirectories } from '../../packages/server/test/helpers/temp-dir.js';

// Registered before the test file's own hooks, so it runs after them (vitest runs after-hooks in reverse).
afterAll(removeTemporaryDirectories);
