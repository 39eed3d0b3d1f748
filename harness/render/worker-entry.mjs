// Piscina's entry for render workers. Worker threads on Node 20 do not inherit the parent's
// module hooks, so each worker registers tsx itself before importing the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
const { default: render } = await import('./worker.ts');

export default render;
