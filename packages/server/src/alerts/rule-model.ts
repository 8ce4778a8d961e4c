// Rules are part of the API contract: their schema lives with it, in @pulse/api.
export * from '@pulse/api/rules';
