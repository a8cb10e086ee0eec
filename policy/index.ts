export * from './schema.js';
export * from './document.js';
export * from './load.js';
export * from './evaluate.js';
export * from './format.js';
export * from './query.js';
export * from './lifecycle.js';
export * from './check.js';
