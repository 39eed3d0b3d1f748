export * from './describe.js';
export * from './random.js';
export * from './bootstrap.js';
export * from './proportion.js';
export * from './paired.js';
export * from './sign-flip.js';
