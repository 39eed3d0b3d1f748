'use strict';
/**
 * The file piscina loads in each group worker: CommonJS on purpose. piscina require()s its
 * worker file first, and on Node 20.19 and later require() of an ES module instantiates it
 * synchronously; a worker stopped in that moment (a refused `run` destroys its pool while the
 * workers still load) aborts the whole process with "FATAL ERROR: v8::Module::IsGraphAsync".
 * Here the worker module (compiled ESM, see compile.ts; its URL in workerData) is loaded by
 * import(), which a stopped worker simply abandons. Loading starts at once, as piscina's
 * preload did, and the first task waits for it.
 */
const { workerData } = require('node:worker_threads');

// What an experiment prints (console.log, or process.stdout itself) is for people, as the
// harness's own messages are: it goes to stderr, so that stdout holds only the command's results
// (a run's or a plan's --json).
process.stdout.write = process.stderr.write.bind(process.stderr);

const loading = import(workerData.module);
loading.catch(() => {}); // a failed load fails the first task, not the thread

module.exports = async function runGroups(request) {
  return (await loading).default(request);
};
