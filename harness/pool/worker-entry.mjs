// Piscina's worker entry. Worker threads on Node 20 do not inherit the parent's module hooks
// (neither `--import tsx` nor tsx's register()), so each worker registers tsx itself before
// importing the TypeScript worker and, through it, the experiment modules.
import { register } from 'tsx/esm/api';

register();
const { default: runGroups } = await import('./worker.ts');

export default runGroups;
