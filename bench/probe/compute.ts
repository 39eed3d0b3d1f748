/**
 * Pure compute of a study, for comparison with a harness run of it: plans every group with the
 * engine's planner (not timed), then runs each group's `runGroup` in this thread, one after
 * another, and prints {"groups", "cells", "seconds"} on stdout, seconds summing the runGroup
 * calls alone.
 *
 *   node --import tsx bench/probe/compute.ts STUDY [--set path=value ...]
 */
import { parseArgs } from 'node:util';
import { plannedGroups } from '../../harness/run/tasks.js';
import { loadStudy } from '../../harness/study/study.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { set: { type: 'string', multiple: true } } });
const [studyFile] = positionals;
if (!studyFile) throw new Error('usage: compute.ts STUDY [--set path=value ...]');
const study = await loadStudy(studyFile, { cwd: process.cwd(), sets: values.set ?? [] });
const experiment = study.loaded.experiment;
const tasks = [...plannedGroups(study, null, () => false)].map((g) => g.task);
let seconds = 0;
let cells = 0;
for (const task of tasks) {
  const start = performance.now();
  await experiment.runGroup(task);
  seconds += (performance.now() - start) / 1000;
  cells += task.cells.length;
}
console.log(JSON.stringify({ groups: tasks.length, cells, seconds }));
