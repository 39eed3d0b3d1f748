import { listProject } from '../../run/list.js';
import { println } from '../io.js';
import { options } from '../options.js';
import { formatList } from '../format.js';
import type { Command } from './command.js';

export const listCommand: Command = {
  name: 'list',
  command: 'list',
  describe: 'The experiments and studies of this project',
  builder: (y) => y.options(options('json')),
  async run(args, io) {
    const { experiments, studies } = await listProject();
    println(io.stdout, args['json'] === true ? JSON.stringify({ experiments, studies }) : formatList(experiments, studies));
    return 0;
  },
};
