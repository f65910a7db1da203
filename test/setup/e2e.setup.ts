import { jest } from '@jest/globals';

// End-to-end tests drive real processes on a 2-core machine: a step may take seconds, never minutes.
jest.setTimeout(90_000);
